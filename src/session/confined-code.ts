// The check `gomodjail run` makes of its program: whether a confined module has code the jail
// cannot hold. At every start it warns, in one line, about what the function table shows (assembly, cgo);
// --strict refuses on the confined modules' code too (linkname pulls, plugin, reflect and unsafe
// escapes). Code of theirs that the compiler inlined into other modules' functions is left to
// `gomodjail analyze`, which reads everything, sources too.
import type { Logger } from "../log-format.ts";
import { Confinement } from "../confinement/model.ts";
import { analyzeBinary } from "../analyze/binary.ts";
import { setPriority } from "node:os";
import { type DeniedReach, deniedReaches, deniedReachesEntry, describeDenied, readDeniedReaches, writeDeniedReaches } from "../analyze/denied-reaches.ts";
import { claimFill, identify, releaseFill } from "../cache/binary-cache.ts";
import { selfCommand } from "../launch/stage.ts";
import { CACHE_COMMAND } from "./cache-command.ts";
import { countKinds, formatKindCounts, type KindCounts } from "../analyze/findings.ts";
import { GoBinary } from "../gobin/binary.ts";
import { mayHoldConfinedCode } from "../launch/target.ts";
import { type Profile, type ProfileData, profileData, profileFromData } from "../policy/profile.ts";
import { ProgramError } from "../launch/errors.ts";

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
 * path; computed here, never read from the cache, and the program waits for it). Throws ProgramError.
 */
export function refuseConfinedFindings(path: string, profile: Profile): void {
  const found = confinedFindings(path, profile, "reported");
  if (found.length > 0) {
    const list = found.map((f) => `${f.module} (${formatKindCounts(f.counts)})`).join(", ");
    throw new ProgramError(`${path}: confined modules have code the jail cannot hold: ${list}; '${analyzeHint(path)}' shows where (--strict)`);
  }
  const binary = GoBinary.open(path);
  const denied = mayHoldConfinedCode(binary, profile) ? deniedReaches(binary, profile) : [];
  if (denied.length > 0) {
    throw new ProgramError(`${path}: confined modules reach classes they are not allowed: ${denied.map(describeDenied).join("; ")}; '${analyzeHint(path)}' shows all (--strict)`);
  }
}

/**
 * Warns once, in one line, about the confined modules of `path` whose code reaches a class they
 * are not allowed: from the binary cache when it has the answer; otherwise a low-priority process
 * of gomodjail's own works it out and caches it (unless another run's is at it), never delaying
 * the program, and the returned function (called when the program has ended) warns if that
 * process is done by then. Never throws.
 * GOMODJAIL_ANALYSIS=off turns both off (for scripts that compare a run's stderr).
 */
export function warnDeniedReaches(path: string, profile: Profile, logger: Logger): () => void {
  if (process.env.GOMODJAIL_ANALYSIS === "off") return () => {};
  const warn = (denied: DeniedReach[]) => {
    if (denied.length > 0) logger.warn({ reaches: denied.map(describeDenied).join("; "), details: analyzeHint(path) }, "confined modules reach classes they are not allowed");
  };
  try {
    const identity = identify(path);
    const entry = deniedReachesEntry(identity, profile, process.env);
    const cached = readDeniedReaches(entry, identity);
    if (cached !== undefined) {
      warn(cached);
      return () => {};
    }
    // One fill at a time: a run while another fills it warns nothing, as if the fill were not done.
    if (!claimFill(entry)) return () => {};
    let analysis: Bun.Subprocess;
    try {
      analysis = Bun.spawn([...selfCommand().argv, CACHE_COMMAND, path], {
        stdin: new TextEncoder().encode(JSON.stringify(profileData(profile))),
        stdout: "ignore",
        stderr: "ignore",
      });
    } catch (e) {
      releaseFill(entry);
      throw e;
    }
    analysis.unref();
    return () => {
      if (analysis.exitCode !== 0) return;
      const done = readDeniedReaches(entry, identity);
      if (done !== undefined) warn(done);
    };
  } catch (e) {
    logger.debug({ exe: path, error: (e as Error).message }, "cannot check what the confined modules reach");
    return () => {};
  }
}

/**
 * The cache command's work: at the lowest priority, what the confined modules of `path` reach
 * under the profile on stdin, written to the binary cache, unless the file changed meanwhile.
 */
export async function cacheDeniedReaches(path: string): Promise<void> {
  setPriority(19);
  const profile = profileFromData(JSON.parse(await Bun.stdin.text()) as ProfileData);
  const identity = identify(path);
  const entry = deniedReachesEntry(identity, profile, process.env);
  try {
    const denied = deniedReaches(GoBinary.open(path), profile);
    if (JSON.stringify(identify(path)) !== JSON.stringify(identity)) return;
    writeDeniedReaches(entry, identity, denied);
  } finally {
    releaseFill(entry);
  }
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
