// The tracer's own thread. It owns every ptrace request and blocks in waitpid, leaving the main
// thread's event loop free (signal forwarding, callers of the library API).
import "./hold-back-jit.ts";
import { edenGC } from "bun:jsc";
import { releaseJit } from "../jit-policy.ts";
import { type LogFormat, recordLine } from "../log-format.ts";
import { exitProcess } from "../libc/libc.ts";
import { writeFully } from "../output.ts";
import { mark, sinceStart, type Timeline, timeline } from "../timeline.ts";
import { type ProfileData, profileFromData } from "../policy/profile.ts";
import { type EarlyStage, type FilterParams, filterAtExec, seizeEarlyStage } from "../launch/seized-stage.ts";
import { openAhead, type OpenedAhead, openExecuted } from "../launch/target.ts";
import type { Command } from "../launch/stage.ts";
import type { BlockedSyscall, StdInitializationEvent, TargetExit, TraceRequest } from "../tracer/hooks.ts";
import { type ErrorData, errorData } from "./errors.ts";
import { traceProgram } from "../tracer/tracer.ts";

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
  /**
   * Set to 1 (shared memory: this thread never returns to its event loop while it traces) once
   * the main thread owes nothing at the program's end: its warnings said, or none to say.
   */
  nothingOwed: Int32Array;
}

/** The pre-exec stage the main thread started with this thread, before its request (seized-stage.ts). */
export interface EarlyStageMessage {
  type: "early-stage";
  pid: number;
  command: Command;
  /** The write end of the stage's gate, which this thread closes once it has seized the stage. */
  opener: number | undefined;
  /** The filter the run will ask for, installed at the exec while the request is awaited. */
  filter: FilterParams;
}

type LogLevel = "warn" | "debug";

export type WorkerMessage =
  | { type: "started"; pid: number }
  | { type: "admitted"; confinedCode: boolean }
  | { type: "log"; level: LogLevel; msg: string; fields: Record<string, unknown> }
  | { type: "blocked"; event: BlockedSyscall }
  | { type: "std-initialization"; event: StdInitializationEvent }
  | { type: "exit"; exit: TargetExit }
  | { type: "error"; error: ErrorData };

declare const self: Worker;

mark("tracer_thread_loaded");

/** A mapping this large sets off a collection (JavaScriptCore's eden allowance). */
const LARGE_MAPPING = 8 * 2 ** 20;

/** The stage started with this thread, at its exec, or why it could not be. */
let early: EarlyStage | undefined;

self.onmessage = (e: MessageEvent<EarlyStageMessage | WorkerRequest>) => {
  if (e.data.type === "early-stage") {
    const { pid, command, opener, filter } = e.data;
    // While the stage runs to its exec (a shell takes a millisecond or two), the program it will
    // exec is read; at the exec, it is taken only if the process runs that very file, unchanged.
    let ahead: OpenedAhead | undefined;
    early = seizeEarlyStage(pid, command, opener, () => {
      ahead = openAhead(command.target);
      // JavaScriptCore counts the file's mapping as memory just allocated, and so collects at the
      // next allocation once a cycle has allocated 8 MB: on a 70 MB binary, 3-4 ms that would fall
      // between the program's exec and its first instruction. Taken now, the collection overlaps
      // the stage's run; a small program's sets none off, and taking one would only delay it.
      if (ahead && ahead.binary.elf.bytes.length >= LARGE_MAPPING) edenGC();
    });
    mark("stage_at_exec");
    early = filterAtExec(early, filter);
    if (!("failure" in early)) early.executed = openExecuted(early.pid, ahead);
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
        // The analysis and its modules load only here: they would slow every thread's start.
        refuseConfinedCode: (path, profile) => (require("./confined-code.ts") as typeof import("./confined-code.ts")).refuseConfinedFindings(path, profile),
        warn: (msg, fields) => log("warn", msg, fields),
        debug: req.debug ? (msg, fields) => log("debug", msg, fields) : undefined,
        startUpOver: releaseJit,
      },
      early,
    );
    if (req.debug) log("debug", "start-up (ms since Bun started)", sinceStart([...req.startup.moments, ...timeline()], req.startup.processStart));
    // Every record is written (synchronously, from this thread) but a warning the main thread may still owe.
    if (req.exitWithProgram && (!mayWarn || Atomics.load(req.nothingOwed, 0) === 1)) exitProcess(exit.status);
    post({ type: "exit", exit });
  } catch (err) {
    post({ type: "error", error: errorData(err) });
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
