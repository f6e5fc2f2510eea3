// gomodjail as a library for Bun programs:
//
//   import { run, loadProfile, inspect, pack } from "gomodjail";
//   const result = await run({ argv: ["./prog", "arg"], goMod: "go.mod" });
//
// run() traces the program on a Worker thread, so the caller's event loop keeps running while
// the program runs. The program inherits this process's stdin, stdout, stderr and environment;
// gomodjail's records (Blocked lines, warnings) go to the caller's logger.
import type { Logger } from "./log-format.ts";
import { createLogger } from "./log.ts";
import { applyPolicyFlags, confinesAnyModule, loadProfile, type Policy, PolicyError, type Profile } from "./policy/profile.ts";
import type { PackRequest, PackResult } from "./pack/write.ts";
import type { BlockSummary } from "./tracer/tally.ts";
import type { BlockedSyscall } from "./tracer/tracer.ts";

export { inspectBinary as inspect, type InspectReport, type ModuleReport } from "./analyze/inspect.ts";
export { GoModError } from "./policy/gomod.ts";
export { allowedClasses, confinedModules, loadProfile, parseProfile, type Policy, PolicyError, type Profile, policyOf } from "./policy/profile.ts";
export type { CapabilityClass } from "./confinement/classes.ts";
export { CacheError, PackError } from "./pack/errors.ts";
export { ProgramError, TracerError } from "./tracer/errors.ts";
export type { BlockedSyscall, BlockSummary, PackRequest, PackResult };

export interface RunOptions {
  /** The program (a path, or a name looked up in PATH) and its arguments. */
  argv: string[];
  /** A go.mod with gomodjail directives. */
  goMod?: string;
  /**
   * A profile (e.g. from loadProfile), or policies by module path applied on top of `goMod`
   * like `--policy` flags: `{ "example.com/m": "confined", "example.com/n": "confined:FILES/READ+NETWORK" }`.
   */
  policy?: Profile | Readonly<Record<string, Policy | `confined:${string}`>>;
  /**
   * Run without any policy (nothing is confined); without it, a run with no policy, or with one
   * that confines no module, is refused.
   */
  noPolicy?: boolean;
  /** Block nothing; report what would have been blocked. */
  audit?: boolean;
  /**
   * Loader variables (LD_PRELOAD, LD_LIBRARY_PATH...) the program may pass, set or changed, to the
   * programs it runs, like `--allow-loader-env`: without, such a program is killed at its exec.
   */
  allowLoaderEnv?: string[];
  /**
   * Stop on lstat, access, newfstatat, faccessat and faccessat2 too, and judge them as FILES/READ,
   * like `--judge-metadata`: without, they go through, and a confined module can learn whether a
   * path exists and its metadata (not read it).
   */
  judgeMetadata?: boolean;
  /** Called for each blocked (in audit mode, would-be-blocked) syscall, on this thread. */
  onBlocked?: (event: BlockedSyscall) => void;
  /**
   * Gets every record: ***Blocked*** (in audit mode ***Would block***) lines, warnings and debug
   * records. Defaults to logfmt lines on stderr.
   */
  logger?: Logger;
  debug?: boolean;
}

export interface RunOutcome {
  /** What the gomodjail command would exit with: exitCode, or 128+N when signal N killed the program. */
  status: number;
  /** The program's exit code; undefined when a signal killed it. */
  exitCode: number | undefined;
  /** The number of the signal that killed the program, if one did. */
  signal: number | undefined;
  /** Blocked (in audit mode, would-be-blocked) syscalls by module and syscall. */
  blocked: BlockSummary[];
}

/** Options that cannot be acted on (no program, no policy...). */
export class RunOptionsError extends Error {
  override name = "RunOptionsError";
}

/**
 * Runs a Go program under a policy. Resolves when it exits; rejects with a typed error
 * (RunOptionsError, PolicyError, GoModError, ProgramError, TracerError) when it cannot be run.
 */
export async function run(options: RunOptions): Promise<RunOutcome> {
  if (!Array.isArray(options.argv) || options.argv.length === 0 || options.argv.some((a) => typeof a !== "string")) {
    throw new RunOptionsError("argv: give the program and its arguments as a non-empty list of strings");
  }
  const debug = options.debug ?? false;
  const logger = options.logger ?? createLogger({ debug, format: "text" });
  const profile = resolveProfile(options, logger);
  const allowLoaderEnv = await allowedLoaderVariables(options.allowLoaderEnv);
  const { runJail } = await import("./tracer/run.ts");
  const result = await runJail({ argv: options.argv, profile, logger, debug, audit: options.audit, allowLoaderEnv, judgeMetadata: options.judgeMetadata, onBlocked: options.onBlocked });
  return { status: result.status, exitCode: result.exitCode, signal: result.signal, blocked: result.blocked };
}

/** Writes a packed executable, as `gomodjail pack` does (see its --help). */
export async function pack(request: Omit<PackRequest, "logger"> & { logger?: Logger }): Promise<PackResult> {
  const { packProgram } = await import("./pack/write.ts");
  return packProgram({ ...request, logger: request.logger ?? createLogger({ debug: false, format: "text" }) });
}

async function allowedLoaderVariables(names: RunOptions["allowLoaderEnv"]): Promise<string[]> {
  if (names === undefined) return [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) throw new RunOptionsError("allowLoaderEnv: give a list of variable names");
  const mistake = (await import("./tracer/loader-env.ts")).allowanceMistake(names);
  if (mistake) throw new RunOptionsError(`allowLoaderEnv: ${mistake}`);
  return names;
}

function resolveProfile(options: RunOptions, logger: Logger): Profile | undefined {
  const { goMod, policy, noPolicy } = options;
  const profile = combinedProfile(goMod, policy, logger);
  if (noPolicy) return profile;
  if (!profile) throw new RunOptionsError("no policy: pass goMod or policy, or noPolicy: true to run without confinement");
  if (!confinesAnyModule(profile)) {
    const escape = "or pass noPolicy: true to run without confinement";
    if (goMod === undefined) throw new PolicyError(`policy confines no module: give a module "confined", ${escape}`);
    const source = policy === undefined ? goMod : `${goMod} with policy`;
    throw new PolicyError(`${source} confines no module: add "// gomodjail:confined" to a module's require line, ${escape}`);
  }
  return profile;
}

/** The profile goMod and policy make together; undefined when neither is given. */
function combinedProfile(goMod: string | undefined, policy: RunOptions["policy"], logger: Logger): Profile | undefined {
  const fromGoMod = goMod === undefined ? undefined : loadProfile(goMod, (msg) => logger.warn(msg));
  if (policy === undefined) return fromGoMod;
  if (isProfile(policy)) {
    if (fromGoMod) throw new RunOptionsError("pass goMod or a Profile as policy, not both (a module-to-policy record combines with goMod)");
    return policy;
  }
  const flags = Object.entries(policy).map(([module, p]) => `${module}=${p}`);
  return applyPolicyFlags(fromGoMod, flags, (msg, fields) => logger.warn(fields, msg));
}

function isProfile(p: RunOptions["policy"]): p is Profile {
  return typeof p === "object" && p !== null && (p as Profile).modules instanceof Map;
}
