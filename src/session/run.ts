// `gomodjail run`: finds the program, hands the request to the tracer thread (which checks the
// program at its exec), forwards signals to the target and resolves to the exit status gomodjail
// should exit with.
import type { LogFormat, Logger } from "../log-format.ts";
import { type Profile, profileData } from "../policy/profile.ts";
import { kill } from "../libc/libc.ts";
import { ProgramError, TracerError } from "../launch/errors.ts";
import { errorFromData } from "./errors.ts";
import { programDescriptors, programEnvironment, resolveProgram } from "../launch/program.ts";
import { selfCommand } from "../launch/stage.ts";
import { killStage, tracerThread } from "./thread.ts";
import { mark, processStart, timeline } from "../timeline.ts";
import { BlockTally, type BlockSummary, StdInitializationTally, type StdInitializationSummary } from "./tally.ts";
import type { BlockedSyscall, TargetExit } from "../tracer/hooks.ts";
import type { WorkerMessage, WorkerRequest } from "./worker.ts";

export interface RunRequest {
  /** PROG and its arguments. */
  argv: string[];
  /** What the program gets as argv[0] when not PROG as given (a packed executable's own name). */
  argv0?: string;
  /** The policy; undefined with --no-policy. */
  profile: Profile | undefined;
  /** Gets every record, the tracer thread's (Blocked lines, warnings, debug) unless stderrLog is set. */
  logger: Logger;
  /**
   * The commands' choice: the tracer thread writes its records to stderr itself, in this format,
   * so that each comes out before the program can react to the call it is about.
   */
  stderrLog?: LogFormat;
  debug: boolean;
  /** Audit mode: log what would be blocked (***Would block***) and block nothing. */
  audit?: boolean;
  /** Refuse to run where goroutine ancestry cannot be checked, or a confined module has code the jail cannot hold, instead of warning. */
  strict?: boolean;
  /** Loader variables the program may set for the programs it runs (loader-env.ts): --allow-loader-env. */
  allowLoaderEnv?: string[];
  /**
   * Stop on lstat, access, newfstatat, faccessat and faccessat2 too, and judge them (FILES/READ):
   * --judge-metadata. By default they go through without a stop.
   */
  judgeMetadata?: boolean;
  /** Called for every blocked (or in audit mode, would-be-blocked) syscall, after it is logged. */
  onBlocked?: (event: BlockedSyscall) => void;
  /**
   * The command line's, when it has nothing left to do once the program has ended (no summary,
   * no report): the tracer thread then ends this process itself, with the program's status, as
   * soon as it has it. Tearing the process down takes longer than a small program's whole run.
   */
  exitWithProgram?: boolean;
}

export interface RunResult {
  /** What gomodjail exits with: the target's exit code, or 128+N when signal N killed it. */
  status: number;
  /** The exit code when the target exited, undefined when a signal killed it. */
  exitCode: number | undefined;
  signal: number | undefined;
  /** Blocked (or would-be-blocked) syscalls, counted by module and syscall. */
  blocked: BlockSummary[];
  /** Opens of the standard library's lazy loaders that went through, checked, for a confined module (std initialization); absent for none. */
  stdInitialization?: StdInitializationSummary[];
}

/** Signals sent to gomodjail that belong to the target. */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;
const SIGNAL_NUMBERS: Record<(typeof FORWARDED_SIGNALS)[number], number> = {
  SIGINT: 2,
  SIGTERM: 15,
  SIGHUP: 1,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGWINCH: 28,
};

export async function runJail(req: RunRequest): Promise<RunResult> {
  const [prog, ...args] = req.argv;
  if (prog === undefined) throw new ProgramError("no program to run");
  const path = resolveProgram(prog);
  const profile = req.profile;
  const message: WorkerRequest = {
    type: "run",
    path,
    argv: [req.argv0 ?? prog, ...args],
    env: programEnvironment(req.profile !== undefined),
    // Before a run's thread starts (the command line's started first thing took them already).
    descriptors: programDescriptors(),
    self: selfCommand(),
    startup: { processStart: processStart(), moments: timeline() },
    debug: req.debug,
    stderrLog: req.stderrLog,
    audit: req.audit ?? false,
    strict: req.strict ?? false,
    allowLoaderEnv: req.allowLoaderEnv ?? [],
    judgeMetadata: req.judgeMetadata ?? false,
    exitWithProgram: req.exitWithProgram ?? false,
    nothingOwed: new Int32Array(new SharedArrayBuffer(4)),
    profile: req.profile && profileData(req.profile),
  };

  const { worker, earlyStage } = tracerThread();
  let targetPid = 0;
  let forwarders: (() => void)[] = [];

  const tally = new BlockTally();
  const stdInitialization = new StdInitializationTally();
  let warned: Promise<void> | undefined;
  /** Warns what the background analysis found, if it is done when the program has ended. */
  let afterExit: (() => void) | undefined;
  try {
    const exit = await new Promise<TargetExit>((resolve, reject) => {
      worker.onerror = (e) => reject(new TracerError(`tracer thread failed: ${e.message}`));
      // Ending without saying how the program ended is a failure too (a rejection after the
      // exit message changes nothing): without this, the process could end with nothing pending.
      worker.addEventListener("close", () => reject(new TracerError("tracer thread ended before the program did")));
      worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
        const m = e.data;
        switch (m.type) {
          case "started":
            targetPid = m.pid;
            break;
          case "admitted":
            // Without --strict the checks of the confined modules' code only warn, while the
            // program runs, if the tracer found that one can have code there (run-warnings.ts).
            // Once nothing is owed for the program's end, the tracer thread may end the process
            // as soon as the program has ended.
            if (profile && !req.strict && m.confinedCode) {
              warned = import("./run-warnings.ts").then(async ({ startWarnings }) => {
                afterExit = await startWarnings(path, profile, req.logger);
                if (!afterExit) Atomics.store(message.nothingOwed, 0, 1);
              });
            } else {
              Atomics.store(message.nothingOwed, 0, 1);
            }
            break;
          case "log":
            req.logger[m.level](m.fields, m.msg);
            break;
          case "blocked":
            tally.add(m.event);
            req.onBlocked?.(m.event);
            break;
          case "std-initialization":
            stdInitialization.add(m.event);
            break;
          case "exit":
            resolve(m.exit);
            break;
          case "error": {
            if (req.debug && m.error.stack) req.logger.debug({ stack: m.error.stack }, "tracer error");
            // A ProgramError: the program's checks run where the program is held, at its exec (tracer.ts).
            reject(errorFromData(m.error));
            break;
          }
        }
      };
      worker.postMessage(message);
      mark("request_posted");
      // Once the request is on its way: setting up signal handling takes a while.
      forwarders = FORWARDED_SIGNALS.map((name) => {
        const handler = () => {
          if (targetPid > 0) kill(targetPid, SIGNAL_NUMBERS[name]);
        };
        process.on(name, handler);
        return () => process.off(name, handler);
      });
    }).catch((e: unknown) => {
      // A thread that failed may have left the stage handed to it stopped: it must not linger.
      killStage(earlyStage);
      throw e;
    });
    await warned;
    afterExit?.();
    const loaded = stdInitialization.entries();
    return { status: exit.status, exitCode: exit.signal === undefined ? exit.status : undefined, signal: exit.signal, blocked: tally.entries(), ...(loaded.length > 0 && { stdInitialization: loaded }) };
  } finally {
    for (const off of forwarders) off();
    worker.terminate();
  }
}
