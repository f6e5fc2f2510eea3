// The check `gomodjail run` makes of its program: whether a confined module has code the jail
// cannot hold. At every start it warns, in one line, about what the function table shows (assembly, cgo);
// --strict refuses on the confined modules' code too (linkname pulls, plugin, reflect and unsafe
// escapes). Code of theirs that the compiler inlined into other modules' functions is left to
// `gomodjail analyze`, which reads everything, sources too.
import type { Logger } from "../log-format.ts";
import { Confinement } from "../confinement/model.ts";
import { analyzeBinary } from "../analyze/binary.ts";
import { CallGraph } from "../analyze/call-graph.ts";
import { capabilityFindings, CapabilityWalker } from "../analyze/capabilities.ts";
import { countKinds, formatKindCounts, type KindCounts } from "../analyze/findings.ts";
import { GoBinary } from "../gobin/binary.ts";
import { mayHoldConfinedCode } from "./target.ts";
import { confinedModules, type Profile } from "../policy/profile.ts";
import { ProgramError } from "./errors.ts";

interface ConfinedFindings {
  module: string;
  counts: KindCounts;
  findings: number;
}

/**
 * The confined modules of `path` that have findings in the binary, by path. `read`: "table" for
 * the warning at every start (assembly and cgo, from the function table alone: a few ms even on
 * a 50 MB binary), "reported" for --strict (the confined modules' code too: linkname, plugin,
 * reflect and unsafe; a quarter of a second on such a binary).
 */
function confinedFindings(path: string, profile: Profile, read: "table" | "reported"): ConfinedFindings[] {
  const binary = GoBinary.open(path);
  if (!mayHoldConfinedCode(binary, profile)) return [];
  const confinement = Confinement.of(binary, profile);
  const analysis = analyzeBinary(binary, confinement, {
    reports: (m) => confinement.isConfined(m),
    read,
    mainPackage: binary.buildInfo?.path || undefined,
  });
  return [...analysis.findings.values()]
    .map(({ module, findings }) => ({ module: module.path, counts: countKinds(findings), findings: findings.length }))
    .sort((a, b) => (a.module < b.module ? -1 : 1));
}

/**
 * Why `path` must not start under --strict: its confined modules with findings, and those whose
 * code reaches a denied class their allow= lacks (analyze's FAIL verdict, with the first class's
 * path; the program waits for the analysis). Throws ProgramError.
 */
export function refuseConfinedFindings(path: string, profile: Profile): void {
  const found = confinedFindings(path, profile, "reported");
  if (found.length > 0) {
    const list = found.map((f) => `${f.module} (${formatKindCounts(f.counts)})`).join(", ");
    throw new ProgramError(`${path}: confined modules have code the jail cannot hold: ${list}; '${analyzeHint(path)}' shows where (--strict)`);
  }
  const denied = deniedReaches(path, profile);
  if (denied.length > 0) {
    throw new ProgramError(`${path}: confined modules reach classes they are not allowed: ${denied.join("; ")}; '${analyzeHint(path)}' shows all (--strict)`);
  }
}

/** "MODULE reaches CLASS: F -> ... -> G" for each confined module with a FAIL verdict. */
function deniedReaches(path: string, profile: Profile): string[] {
  const binary = GoBinary.open(path);
  if (!mayHoldConfinedCode(binary, profile)) return [];
  const confinement = Confinement.of(binary, profile);
  const walker = new CapabilityWalker(new CallGraph(binary), binary.pclntab, confinement);
  const denied: string[] = [];
  for (const module of confinedModules(profile)) {
    if (!walker.uses(module)) continue;
    const fail = capabilityFindings(walker.reach(module), [], confinement.allowedClasses(module)).find((f) => f.verdict === "FAIL");
    if (fail) denied.push(`${module} reaches ${fail.class}: ${fail.path.join(" -> ")}`);
  }
  return denied;
}

/**
 * Warns once about the confined modules of `path` with findings, all in one line (a large
 * program has many: caddy had a line each); never throws (a failed check is a warning too).
 */
export function warnConfinedFindings(path: string, profile: Profile, logger: Logger): void {
  let found: ConfinedFindings[];
  try {
    found = confinedFindings(path, profile, "table");
  } catch (e) {
    logger.warn({ exe: path, error: (e as Error).message }, "cannot check the confined modules' code");
    return;
  }
  if (found.length === 0) return;
  const modules = found.map((f) => `${f.module} (${formatKindCounts(f.counts)})`).join(", ");
  logger.warn({ modules, details: analyzeHint(path) }, "confined modules have code the jail cannot hold");
}

function analyzeHint(path: string): string {
  return `gomodjail analyze --go-mod=FILE ${path}`;
}
