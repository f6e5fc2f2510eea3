// The tracer's thread (worker.ts), which the command line starts first thing when it will run a
// program: its start-up (several milliseconds) then overlaps the command line's own. The command
// line may hand it the run's pre-exec stage too (seized-stage.ts). This module loads little else,
// so that starting early costs the command line nothing.
import { mark } from "../timeline.ts";
import { TracerError } from "../launch/errors.ts";
import { bundled, type Command, compiled } from "../launch/stage.ts";
import type { EarlyStageMessage } from "./worker.ts";
import type { FilterParams } from "../launch/seized-stage.ts";

interface EarlyThread {
  worker: Worker;
  failure: string | undefined;
  /** The pid of the stage handed to the thread, until a run takes the thread. */
  stagePid: number | undefined;
}

let started: EarlyThread | undefined;

/** Starts the tracer thread now, for the next run. */
export function startTracerThread(): void {
  if (started) return;
  // Taken while no thread of this process's own may have a descriptor open for a moment, from
  // /proc without libc's bindings (they would delay the thread by milliseconds). Loaded here:
  // other commands need none of it.
  (require("../launch/program.ts") as typeof import("../launch/program.ts")).programDescriptors();
  const early: EarlyThread = { worker: new Worker(workerSpecifier()), failure: undefined, stagePid: undefined };
  // A thread that fails to load before the run listens for it must not fail unheard.
  early.worker.addEventListener("error", (e) => (early.failure ??= e.message));
  early.worker.addEventListener("close", () => (early.failure ??= "it ended before it was given a program"));
  started = early;
  mark("tracer_thread_started");
}

/** Whether a thread started early waits for its run's stage. */
export function tracerThreadWaiting(): boolean {
  return started !== undefined && started.stagePid === undefined;
}

/**
 * Gives the thread started early the next run's pre-exec stage, started by this process: the
 * thread seizes it as soon as it is up, and then closes `opener`, the write end of its gate
 * (stage-gate.ts), if it has one; at the exec it installs the filter of `filter`.
 */
export function handOverEarlyStage(pid: number, command: Command, opener: number | undefined, filter: FilterParams): void {
  if (!started || started.stagePid !== undefined) throw new TracerError("no tracer thread is waiting for a stage");
  started.stagePid = pid;
  started.worker.postMessage({ type: "early-stage", pid, command, opener, filter } satisfies EarlyStageMessage);
  mark("stage_started");
}

/**
 * The thread started early, or a new one: each run takes its own, with the pid of the stage handed
 * to it if any, which the run must kill if the thread fails. Its caller must listen for its errors
 * before returning to the event loop. Throws TracerError if the early thread already failed.
 */
export function tracerThread(): { worker: Worker; earlyStage: number | undefined } {
  const early = started;
  started = undefined;
  if (!early) return { worker: new Worker(workerSpecifier()), earlyStage: undefined };
  if (early.failure !== undefined) {
    killStage(early.stagePid);
    throw new TracerError(`tracer thread failed: ${early.failure}`);
  }
  return { worker: early.worker, earlyStage: early.stagePid };
}

/** Kills the stage handed over early when no run took it (the command line ended before running). */
export function discardEarlyStage(): void {
  killStage(started?.stagePid);
  started = undefined;
}

/** Kills a stage that is no run's (it may be gone already). */
export function killStage(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

/**
 * How to load the tracer thread's module. A compiled binary embeds it as a second entry point,
 * named by its path below src/ (see the Makefile); the bundle has it beside its main file.
 */
function workerSpecifier(): string {
  if (compiled) return "./session/worker.ts";
  if (bundled) return new URL("./session/worker.js", Bun.pathToFileURL(Bun.main)).href;
  return new URL("./worker.ts", import.meta.url).href;
}
