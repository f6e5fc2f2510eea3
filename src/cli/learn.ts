// `gomodjail learn --go-mod FILE [-o OUT] [--from REPORT]... [--report FILE] [-- PROG [ARGS]...]`:
// learns a policy (src/learn), writes the go.mod (stdout, or OUT whole), and tells on stderr what
// it found: the modules confined with capability classes, the unconfined ones and why, and what
// a reviewer should check.
import { lineLogger } from "../log-format.ts";
import { evidenceBrief } from "../learn/describe.ts";
import { type LearnedPolicy, type LearnOptions, learnedPolicy } from "../learn/findings.ts";
import type { Learned } from "../learn/learn.ts";
import type { RunRequest, RunResult } from "../tracer/run.ts";

export const learnDescription = "Learn a policy: run a program (or read audit reports) with every module confined, and confine each module with the capability classes of the trapped syscalls it took part in";

export const learnHelp = `
Examples:
  # Run the program once, every module confined in audit mode (nothing is blocked), and
  # print go.mod with a policy for each module (the program's own output comes first)
  gomodjail learn --go-mod=go.mod -- ./prog arg1 arg2

  # Several workloads make one policy: save each run's evidence, then merge them
  gomodjail learn --go-mod=go.mod --report=build.json -o /dev/null -- ./prog build
  gomodjail run --audit --report=serve.json --go-mod=go.mod -- ./prog serve
  gomodjail learn --go-mod=go.mod --from=build.json --from=serve.json -o policy.mod

A module that took part in no trapped syscall is confined. One that did is confined with the
capability classes of those calls (// gomodjail:confined allow=FILES/READ,NETWORK), under
"// gomodjail learn:" comments saying how it took part (it made the calls itself, called
another module that made them, called back into the program's code that made them, or started
the goroutines they were made on) and what each class was needed for. It is left unconfined,
saying why, when a call was in no class, or when it needed EXEC, SYSTEM_CALLS or FILES/WRITE,
each of which can reach every other class (--allow-all-classes confines it with those too).
Review, then run:
  gomodjail run --go-mod=policy.mod -- ./prog

The run stops where "gomodjail run" does by default: lstat, access, newfstatat, faccessat
and faccessat2 go through unseen, so the policy learned does not grant FILES/READ for them.
For a policy to run with --judge-metadata, learn with --judge-metadata.

A report of "run --audit" is evidence only for the modules that run confined; reports of
another program or of another build of it are refused.
`;

export interface LearnCommandOptions {
  goMod: string;
  output: string | undefined;
  from: string[];
  report: string | undefined;
  allowAllClasses: boolean;
  judgeMetadata: boolean;
  debug: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  runJail: ((request: RunRequest) => Promise<RunResult>) | undefined;
}

/** Resolves to the exit status (0); unusable input throws a typed error whose message names the file. */
export async function learnCommand(argv: string[], opts: LearnCommandOptions): Promise<number> {
  // Loaded here, not with the command line: the other commands need none of it.
  const [{ learnPolicy }, { checkWritable, writeWhole }, { formatReport }] = await Promise.all([
    import("../learn/learn.ts"),
    import("../learn/output.ts"),
    import("../learn/report.ts"),
  ]);
  for (const file of [opts.output, opts.report]) if (file !== undefined) checkWritable(file);
  // The tracer's warnings, without a ***Would block*** line per call: the summary says it all.
  const logger = lineLogger({
    debug: opts.debug,
    format: "text",
    write: (line) => (line.includes(`msg="***Would block***"`) ? undefined : opts.stderr(line)),
  });
  const runJail = opts.runJail ?? (await import("../tracer/run.ts")).runJail;
  const learned = await learnPolicy({ goMod: opts.goMod, from: opts.from, argv, logger, debug: opts.debug, allowAllClasses: opts.allowAllClasses, judgeMetadata: opts.judgeMetadata, runJail });
  if (opts.output === undefined) opts.stdout(learned.text);
  else writeWhole(opts.output, learned.text);
  if (opts.report !== undefined && learned.run) writeWhole(opts.report, formatReport(learned.run));
  opts.stderr(summary(learned, argv[0], { allowAllClasses: opts.allowAllClasses }));
  return 0;
}

function summary(learned: Learned, prog: string | undefined, options: LearnOptions): string {
  const modules = [...learned.findings.modules.values()].map((f) => ({ f, policy: learnedPolicy(f, options) }));
  const confined = modules.filter((m) => m.policy?.policy === "confined");
  const withClasses = confined.filter((m) => m.policy?.policy === "confined" && m.policy.allow.length > 0);
  const unconfined = modules.filter((m) => m.policy?.policy === "unconfined");
  const sources = [...(prog !== undefined ? [`the run of ${prog}`] : []), ...(learned.reports > 0 ? [`${learned.reports} report${learned.reports === 1 ? "" : "s"}`] : [])];
  const lines = [
    `gomodjail learn: from ${sources.join(" and ")}: ${confined.length} module(s) confined (${withClasses.length} with capability classes), ${unconfined.length} unconfined`,
  ];
  const listed = [...withClasses, ...unconfined].sort((a, b) => a.f.module.localeCompare(b.f.module));
  const written = (p: LearnedPolicy) => (p.policy === "confined" ? `allow=${p.allow.join(",")}` : "unconfined");
  const width = Math.max(0, ...listed.map((m) => m.f.module.length));
  const policyWidth = Math.max(0, ...listed.map((m) => written(m.policy!).length));
  for (const { f, policy } of listed) {
    lines.push(`  ${f.module.padEnd(width)}  ${written(policy!).padEnd(policyWidth)}  ${evidenceBrief(f)}`);
    if (policy!.policy === "unconfined") lines.push(`  ${"".padEnd(width)}  ${"".padEnd(policyWidth)}  (${policy!.because})`);
  }
  const run = learned.run;
  if (run && run.status !== 0) lines.push(`note: ${prog} exited with status ${run.status}; what it did until then was learned`);
  for (const note of learned.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}
