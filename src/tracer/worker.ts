// The tracer's own thread. It owns every ptrace request and blocks in waitpid, leaving the main
// thread's event loop free (signal forwarding, callers of the library API).
import "./hold-back-jit.ts";
import { releaseJit } from "../jit-policy.ts";
import { type LogFormat, recordLine } from "../log-format.ts";
import { exitProcess } from "../libc/libc.ts";
import { writeFully } from "../output.ts";
import { mark, sinceStart, type Timeline, timeline } from "../timeline.ts";
import { type ProfileData, profileFromData } from "../policy/profile.ts";
import { type EarlyStage, seizeEarlyStage } from "./seized-stage.ts";
import { openExecuted } from "./target.ts";
import type { Command } from "./stage.ts";
import type { StdInitializationEvent } from "./std-initialization.ts";
import { type BlockedSyscall, type TargetExit, traceProgram, type TraceRequest } from "./tracer.ts";

/** What the main thread sends: a TraceRequest with the profile's map flattened for cloning. */
export interface WorkerRequest extends Omit<TraceRequest, "profile"> {
  type: "run";
  /** The main thread's start-up so far, for the --debug record of the whole. */
  startup: { processStart: number; moments: Timeline };
  profile: ProfileData | undefined;
  debug: boolean;
  /** Set: this thread writes its records to stderr itself, in this format. Unset: it posts them. */
  stderrLog: LogFormat | undefined;
  /** See RunRequest.exitWithProgram. */
  exitWithProgram: boolean;
}

/** The pre-exec stage the main thread started with this thread, before its request (seized-stage.ts). */
export interface EarlyStageMessage {
  type: "early-stage";
  pid: number;
  command: Command;
  /** The write end of the stage's gate, which this thread closes once it has seized the stage. */
  opener: number | undefined;
}

export type LogLevel = "warn" | "debug";

export type WorkerMessage =
  | { type: "started"; pid: number }
  | { type: "admitted"; confinedCode: boolean }
  | { type: "log"; level: LogLevel; msg: string; fields: Record<string, unknown> }
  | { type: "blocked"; event: BlockedSyscall }
  | { type: "std-initialization"; event: StdInitializationEvent }
  | { type: "exit"; exit: TargetExit }
  | { type: "error"; name: string; message: string; stack?: string };

declare const self: Worker;

mark("tracer_thread_loaded");

/** The stage started with this thread, at its exec, or why it could not be. */
let early: EarlyStage | undefined;

self.onmessage = (e: MessageEvent<EarlyStageMessage | WorkerRequest>) => {
  if (e.data.type === "early-stage") {
    early = seizeEarlyStage(e.data.pid, e.data.command, e.data.opener);
    mark("stage_at_exec");
    // While the request is awaited: the program it exec'd, read as the checks will read it.
    if (!("failure" in early)) early.executed = openExecuted(early.pid);
    return;
  }
  const req = e.data;
  const post = (m: WorkerMessage) => self.postMessage(m);
  const profile = req.profile && profileFromData(req.profile);
  const log = recordWriter(req, post);
  /** Whether the main thread may warn about the confined modules' code while the program runs. */
  let mayWarn = false;
  try {
    mark("tracer_thread_ready");
    const exit = traceProgram(
      { ...req, profile },
      {
        started: (pid) => post({ type: "started", pid }),
        admitted: (confinedCode) => {
          mayWarn = confinedCode;
          post({ type: "admitted", confinedCode });
        },
        blocked: (event) => {
          const { pid, exe, syscall, entry, module, reason } = event;
          // syscall=connect class=NETWORK ... module=M allowed=FILES/READ, where classes are granted.
          const granted = event.class?.allowed;
          const cls = granted && { class: event.class!.name };
          const allowed = granted && { allowed: granted.join(",") || "none" };
          const fields = { pid, exe, syscall, ...cls, entry, module, ...allowed, ...(reason === "confined" ? {} : { reason }) };
          log("warn", event.audit ? "***Would block***" : "***Blocked***", fields);
          post({ type: "blocked", event });
        },
        stdInitialization: (event) => post({ type: "std-initialization", event }),
        warn: (msg, fields) => log("warn", msg, fields),
        debug: req.debug ? (msg, fields) => log("debug", msg, fields) : undefined,
        startUpOver: releaseJit,
      },
      early,
    );
    if (req.debug) log("debug", "start-up (ms since Bun started)", sinceStart([...req.startup.moments, ...timeline()], req.startup.processStart));
    // Every record is written (synchronously, from this thread) but a warning the main thread may still owe.
    if (req.exitWithProgram && !mayWarn) exitProcess(exit.status);
    post({ type: "exit", exit });
  } catch (err) {
    const e = err as Error;
    post({ type: "error", name: e.name ?? "Error", message: e.message ?? String(err), stack: e.stack });
  }
};

/**
 * Where this thread's records go. The CLI's go to stderr from here, synchronously, so that a
 * Blocked line comes out before the target can react to the failed call; a library caller's go
 * to the main thread, for its own logger.
 */
function recordWriter(req: WorkerRequest, post: (m: WorkerMessage) => void): (level: LogLevel, msg: string, fields: Record<string, unknown>) => void {
  if (req.stderrLog === undefined) return (level, msg, fields) => post({ type: "log", level, msg, fields });
  // Not pino: loading it would cost this thread's start-up a few milliseconds.
  const format = req.stderrLog;
  return (level, msg, fields) => writeFully(2, recordLine(format, level, msg, fields));
}
