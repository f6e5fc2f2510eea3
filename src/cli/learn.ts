// `gomodjail learn --go-mod FILE [-o OUT] [--from REPORT]... [--report FILE] [-- PROG [ARGS]...]`:
// learns a policy (src/learn), writes the go.mod (stdout, or OUT whole), and tells on stderr what
// it found: the modules confined with capability classes, the unconfined ones and why, and what
// a reviewer should check. Light to import: the learning code loads when the command runs.
import { lineLogger } from "../log-format.ts";
import type { RunRequest, RunResult } from "../session/run.ts";

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

interface LearnCommandOptions {
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
  const [{ learnPolicy }, { checkWritable, writeWhole }, { formatReport }, { learnSummary }] = await Promise.all([
    import("../learn/learn.ts"),
    import("../learn/output.ts"),
    import("../learn/report.ts"),
    import("../learn/summary.ts"),
  ]);
  for (const file of [opts.output, opts.report]) if (file !== undefined) checkWritable(file);
  // The tracer's warnings, without a ***Would block*** line per call: the summary says it all.
  const logger = lineLogger({
    debug: opts.debug,
    format: "text",
    write: (line) => (line.includes(`msg="***Would block***"`) ? undefined : opts.stderr(line)),
  });
  const runJail = opts.runJail ?? (await import("../session/run.ts")).runJail;
  const learned = await learnPolicy({ goMod: opts.goMod, from: opts.from, argv, logger, debug: opts.debug, allowAllClasses: opts.allowAllClasses, judgeMetadata: opts.judgeMetadata, runJail });
  if (opts.output === undefined) opts.stdout(learned.text);
  else writeWhole(opts.output, learned.text);
  if (opts.report !== undefined && learned.run) writeWhole(opts.report, formatReport(learned.run));
  opts.stderr(learnSummary(learned, argv[0], { allowAllClasses: opts.allowAllClasses }));
  return 0;
}
