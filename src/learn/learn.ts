// `gomodjail learn`: a policy from evidence. Runs PROG (when given) in audit mode with every
// module but the main one confined, reads the reports of earlier audited runs, checks that all
// of them ran one build of the go.mod's program, and writes the go.mod with what each module did.
import { readFileSync } from "node:fs";
import type { Logger } from "../log-format.ts";
import { type GoMod, GoModError, parseGoMod, readGoMod } from "../policy/gomod.ts";
import { parseProfile, type Policy, type Profile } from "../policy/profile.ts";
import { resolveProgram } from "../tracer/program.ts";
import type { RunRequest, RunResult } from "../tracer/run.ts";
import { checkFirstTarget } from "../tracer/target.ts";
import { LearnError } from "./errors.ts";
import { type Findings, gatherFindings } from "./findings.ts";
import { identifyProgram, type ProgramIdentity, ReportRecorder, readRunReport, type RunReport } from "./report.ts";
import { rewriteGoMod } from "./rewrite.ts";

export interface LearnRequest {
  goMod: string;
  /** Reports of earlier `run --audit --report` (or `learn --report`) runs. */
  from: string[];
  /** PROG and its arguments; empty to learn from the reports alone. */
  argv: string[];
  /** Gets the tracer's records (warnings; ***Would block*** lines too, if it does not drop them). */
  logger: Logger;
  debug: boolean;
  /** Confine with classes also a module that needed EXEC, SYSTEM_CALLS or FILES/WRITE (`--allow-all-classes`). */
  allowAllClasses: boolean;
  /**
   * Stop on the metadata syscalls too (`--judge-metadata`), for a policy to run with
   * --judge-metadata. Without, the run stops where a default run does, so the policy learned is
   * the one a default run needs.
   */
  judgeMetadata?: boolean;
  runJail: (request: RunRequest) => Promise<RunResult>;
}

export interface Learned {
  /** The learned go.mod. */
  text: string;
  findings: Findings;
  /** What a reviewer should know beyond the file: contradicted policies, calls no policy can let through. */
  notes: string[];
  /** The report of the run of PROG, when there was one. */
  run: RunReport | undefined;
  /** How many reports were merged. */
  reports: number;
}

export async function learnPolicy(req: LearnRequest): Promise<Learned> {
  const { text, mod } = readGoModExactly(req.goMod);
  const profile = parseProfile(text, req.goMod);
  const main = profile.mainModule!;

  const sources = req.from.map((file) => ({ name: file, report: readRunReport(file) }));
  for (const s of sources) checkSameProgram(s.name, s.report.program, s.report.policy?.mainModule ?? null, main);

  let run: RunReport | undefined;
  if (req.argv.length > 0) {
    const path = resolveProgram(req.argv[0]);
    // Not Go, or of another main module: refused before anything runs.
    checkFirstTarget(path, { mainModule: main, modules: new Map(), defaultPolicy: "confined" });
    const program = identifyProgram(path);
    checkSameBuilds([{ name: path, program, given: true }, ...sources.map((s) => ({ name: s.name, program: s.report.program }))]);
    const confineAll = everyModuleConfined(mod, main, program);
    const recorder = new ReportRecorder(program);
    const result = await req.runJail({ argv: req.argv, profile: confineAll, logger: req.logger, debug: req.debug, audit: true, judgeMetadata: req.judgeMetadata, onBlocked: recorder.onBlocked });
    run = recorder.report(result, true, confineAll);
  } else {
    checkSameBuilds(sources.map((s) => ({ name: s.name, program: s.report.program })));
  }

  const reports = [...sources.map((s) => s.report), ...(run ? [run] : [])];
  const findings = gatherFindings(mod, main, reports);
  const rewritten = rewriteGoMod(text, mod, profile, findings, { allowAllClasses: req.allowAllClasses });
  return { text: rewritten.text, findings, notes: [...rewritten.notes, ...unattributedNotes(findings)], run, reports: sources.length };
}

/** The go.mod's text and its parse; refused when its bytes would not survive a rewrite (not UTF-8). */
function readGoModExactly(file: string): { text: string; mod: GoMod } {
  readGoMod(file); // its errors name the file and line
  const bytes = readFileSync(file);
  const text = new TextDecoder().decode(bytes);
  if (!Buffer.from(text).equals(bytes)) throw new GoModError(file, undefined, "not UTF-8 (or starts with a byte order mark): learn keeps every byte of the file and cannot keep these");
  return { text, mod: parseGoMod(text, file) };
}

/** The policy of learn's own run: every module of the go.mod and of the build information confined, and any other. */
function everyModuleConfined(mod: GoMod, main: string, program: ProgramIdentity): Profile {
  const modules = new Map<string, Policy>();
  for (const path of [...mod.require.map((r) => r.path), ...program.modules.map((m) => m.path)]) if (path !== main) modules.set(path, "confined");
  return { mainModule: main, modules, defaultPolicy: "confined" };
}

function checkSameProgram(name: string, program: ProgramIdentity, policyMain: string | null, main: string): void {
  if (program.mainModule !== null && program.mainModule !== main) {
    throw new LearnError(`${name}: a report of another program: its main module is ${program.mainModule}, not the go.mod's ${main}`);
  }
  if (policyMain !== null && policyMain !== main) {
    throw new LearnError(`${name}: a report of a run under a policy for ${policyMain}, not for the go.mod's ${main}`);
  }
}

/** Every source must have run the same file: evidence of another build says nothing of this one. */
function checkSameBuilds(sources: { name: string; program: ProgramIdentity; given?: boolean }[]): void {
  const [first, ...rest] = sources;
  const build = (p: ProgramIdentity) => `${p.path} (SHA-256 ${p.sha256.slice(0, 12)}…)`;
  for (const s of rest) {
    if (s.program.sha256 !== first.program.sha256) {
      throw new LearnError(`${s.name}: a report of another build: ${build(s.program)}, not ${first.given ? "the program given" : `that of ${first.name}`}, ${build(first.program)}`);
    }
  }
}

function unattributedNotes(findings: Findings): string[] {
  const plural = (n: number) => `${n} trapped call${n === 1 ? "" : "s"}`;
  const anyPolicy = "blocked under any policy that confines a module";
  const notes = findings.unnamed.map(
    (r) => `${plural(r.count)} (${r.syscall}) ran a function whose name names no module (e.g. ${r.example}): ${anyPolicy}`,
  );
  for (const r of findings.unseen) notes.push(`${plural(r.count)} (${r.syscall}) could not be attributed in full, ${r.reason} (e.g. at ${r.example}): ${anyPolicy}`);
  return notes;
}
