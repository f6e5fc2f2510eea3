// The checks `gomodjail run` makes of its program's confined modules: code the jail cannot hold,
// and classes their code reaches that their allow= lacks. A plain run warns (run-warnings.ts:
// what the function table shows, assembly and cgo, and the reaches, which this module's cache
// fill works out at the lowest priority); --strict works both out before the program starts and
// refuses on them, on the confined modules' code too (linkname pulls, plugin, reflect and unsafe
// escapes). Code of theirs that the compiler inlined into other modules' functions is left to
// `gomodjail analyze`, which reads everything, sources too.
import type { Logger } from "../log-format.ts";
import { Confinement } from "../confinement/model.ts";
import { analyzeBinary } from "../analyze/binary.ts";
import { readdirSync } from "node:fs";
import { setIdleScheduling } from "../libc/spawn.ts";
import { deniedReaches } from "../analyze/denied-reaches.ts";
import { claimFill, readFillInput, releaseFill } from "../cache/binary-cache.ts";
import { identify, sameIdentity } from "../launch/program.ts";
import { selfCommand } from "../launch/stage.ts";
import { CACHE_COMMAND } from "./cache-command.ts";
import { analyzeHint, type CannotHold, describeCannotHold, describeDenied, runWarningsEntry, writeRunWarnings } from "./warnings-entry.ts";
import { countKinds } from "../analyze/findings.ts";
import { GoBinary } from "../gobin/binary.ts";
import { mayHoldConfinedCode } from "../launch/target.ts";
import { type Profile, type ProfileData, profileData, profileFromData } from "../policy/profile.ts";
import { ProgramError } from "../launch/errors.ts";

/**
 * The confined modules with findings in `binary`, by path. `read`: "table" for
 * the warning (assembly and cgo, from the function table alone: about 10 ms on a 20 MB binary),
 * "reported" for --strict (the confined modules' code too: linkname, plugin,
 * reflect and unsafe; a quarter of a second on such a binary).
 */
function confinedFindings(binary: GoBinary, profile: Profile, read: "table" | "reported"): CannotHold[] {
  if (!mayHoldConfinedCode(binary, profile)) return [];
  const confinement = Confinement.of(binary, profile);
  const analysis = analyzeBinary(binary, confinement, {
    reports: (m) => confinement.isConfined(m),
    read,
    mainPackage: binary.buildInfo?.path || undefined,
  });
  return [...analysis.findings.values()]
    .map(({ module, findings }) => ({ module: module.path, counts: countKinds(findings) }))
    .sort((a, b) => (a.module < b.module ? -1 : 1));
}

/**
 * Why `path` must not start under --strict: its confined modules with findings, and those whose
 * code reaches a denied class their allow= lacks (analyze's FAIL verdict, with the first class's
 * path; computed here, never read from the cache, and the program waits for it). Throws ProgramError.
 */
export function refuseConfinedFindings(path: string, profile: Profile): void {
  const binary = GoBinary.open(path);
  const found = confinedFindings(binary, profile, "reported");
  if (found.length > 0) {
    const list = found.map(describeCannotHold).join(", ");
    throw new ProgramError(`${path}: confined modules have code the jail cannot hold: ${list}; '${analyzeHint(path)}' shows where (--strict)`);
  }
  const denied = mayHoldConfinedCode(binary, profile) ? deniedReaches(binary, profile) : [];
  if (denied.length > 0) {
    throw new ProgramError(`${path}: confined modules reach classes they are not allowed: ${denied.map(describeDenied).join("; ")}; '${analyzeHint(path)}' shows all (--strict)`);
  }
}

/** The confined modules of `path` with code the jail cannot hold, from the function table alone (the first warning of run-warnings.ts). */
export function cannotHold(path: string, profile: Profile): CannotHold[] {
  return confinedFindings(GoBinary.open(path), profile, "table");
}

/**
 * Starts the low-priority process that fills `entry` with the run's warnings for `path`, unless
 * another run's is at it (one fill at a time). Returns whether it has ended well by the time it
 * is asked. Never delays the program.
 */
export function startFill(path: string, profile: Profile, entry: string, logger: Logger): () => boolean {
  try {
    if (!claimFill(entry, JSON.stringify(profileData(profile)))) return () => false;
    let fill: Bun.Subprocess;
    try {
      fill = Bun.spawn([...selfCommand().argv, CACHE_COMMAND, path, entry], {
        stdin: "ignore",
        stdout: "ignore",
        stderr: "ignore",
      });
    } catch (e) {
      releaseFill(entry);
      throw e;
    }
    fill.unref();
    // At once, so that its start-up (a Bun's, 20 ms of CPU) and the threads it starts meanwhile do
    // not take a core from the program and its tracer either: a run's lowest-priority fill had
    // cost a cold run of gdu 90 ms, of mkcert 40.
    try {
      setIdleScheduling(fill.pid);
    } catch {
      // It has ended already, or the system refuses: it moves itself at its start.
    }
    return () => fill.exitCode === 0;
  } catch (e) {
    logger.debug({ exe: path, error: (e as Error).message }, "cannot start filling the binary cache");
    return () => false;
  }
}

/**
 * The cache command's work: at the lowest priority, the warnings a run gives about `path` under
 * the profile its claim on `claimed` holds (binary-cache.ts), written to the binary cache, unless
 * the file changed meanwhile. The claim is released however the fill ends. Like the rest of the
 * cache, the profile it holds is not trusted: the entry written is the one of that profile.
 */
export function fillRunWarnings(path: string, claimed: string): void {
  // Every thread, for any that Bun started before the run moved this process to the idle class.
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      setIdleScheduling(Number(tid));
    } catch {
      // A thread that ended meanwhile; or the system refuses, and the fill runs as it is.
    }
  }
  try {
    const profile = profileFromData(JSON.parse(readFillInput(claimed)) as ProfileData);
    const identity = identify(path);
    const binary = GoBinary.open(path);
    const denied = mayHoldConfinedCode(binary, profile) ? deniedReaches(binary, profile) : [];
    const warnings = { cannotHold: confinedFindings(binary, profile, "table"), denied };
    if (!sameIdentity(identify(path), identity)) return;
    writeRunWarnings(runWarningsEntry(identity, profile, process.env), identity, warnings);
  } finally {
    releaseFill(claimed);
  }
}
