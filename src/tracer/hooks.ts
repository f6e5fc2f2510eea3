// What the tracer is asked (TraceRequest), what it tells as it goes (TraceHooks, BlockedSyscall)
// and how the program ended (TargetExit): the tracer's side of the session's thread (session/).
import type { Involvement } from "../decision/involvement.ts";
import type { RecordedStop } from "../decision/recorded-stop.ts";
import type { Profile } from "../policy/profile.ts";

export interface TraceRequest {
  /** The resolved path of PROG, and its argv (argv[0] as the user gave it). */
  path: string;
  argv: string[];
  env: Record<string, string | undefined>;
  /** The descriptors above stderr it inherits (launch/program.ts, programDescriptors). */
  descriptors: readonly number[];
  profile: Profile | undefined;
  /** How to start this tool again in its child stage (the pre-exec stage where there is no shell). */
  self: { path: string; argv: string[] };
  /** Audit mode: judge and report, but block nothing. */
  audit: boolean;
  /** Where goroutine ancestry cannot be checked, fail instead of warning. */
  strict: boolean;
  /** Loader variables (loader-env.ts) the program may set for the programs it runs: --allow-loader-env. */
  allowLoaderEnv?: string[];
  /** Stop on lstat, access, newfstatat, faccessat and faccessat2 too, and judge them: --judge-metadata. */
  judgeMetadata?: boolean;
}

/** How the target ended. */
export interface TargetExit {
  /** The exit code, or 128+N when killed by signal N (what gomodjail exits with). */
  status: number;
  /** The signal that killed it, if one did. */
  signal: number | undefined;
}

export interface BlockedSyscall {
  pid: number;
  exe: string;
  syscall: string;
  /** FILE:LINE:FUNC of the confined frame. */
  entry: string;
  module: string;
  reason: string;
  /**
   * The call's capability class ("none": it falls in none), on every call a syscall's class was
   * worked out for (all but a loader variable caught at an exec); `allowed`, the classes the
   * module is allowed, only where the policy grants classes.
   */
  class?: { name: string; allowed?: readonly string[] };
  /** True in audit mode: the syscall was let through. */
  audit: boolean;
  /** Every confined module that took part, and which module made the call; absent when the program's function table is unreadable. */
  involvement?: Involvement;
}

export interface TraceHooks {
  started(pid: number): void;
  /**
   * The target passed its checks at its exec, and runs from now on. `confinedCode`: whether a
   * confined module can have code in it (mayHoldConfinedCode), which the caller may warn about.
   */
  admitted?(confinedCode: boolean): void;
  blocked(event: BlockedSyscall): void;
  /** A lazy loader's open made for a confined module went through, checked (std-initialization.ts). */
  stdInitialization?(event: StdInitializationEvent): void;
  /**
   * Under --strict, at the target's exec where a confined module can have code in it: throws (a
   * ProgramError) where the confined modules' code is more than the jail can hold. The session
   * gives it (session/confined-code.ts): the analysis loads only where it runs.
   */
  refuseConfinedCode?(path: string, profile: Profile): void;
  warn(msg: string, fields: Record<string, unknown>): void;
  /** Called once, when the program's start-up is behind it: after its first stops (tracer.ts, START_UP_STOPS). */
  startUpOver?(): void;
  /** Called for every judged syscall when debugging. */
  debug?(msg: string, fields: Record<string, unknown>): void;
  /**
   * Set (test/helpers/record-stops.ts): every stop of a policed program is decided afresh, with no
   * cache carried over from earlier stops, and handed over with what the decision read.
   */
  recorded?(stop: RecordedStop): void;
}

/** A loader's open that went through: logged at --debug, counted apart from blocked calls. */
export interface StdInitializationEvent {
  pid: number;
  exe: string;
  /** The loader's row (LazyLoader.name). */
  loader: string;
  /** The file opened, as the kernel names it. */
  file: string;
  /** FILE:LINE:FUNC of the frame the verdict blocked for, and its module: who asked first. */
  entry: string;
  module: string;
}
