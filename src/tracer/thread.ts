// The tracer's thread (worker.ts), which the command line starts first thing when it will run a
// program: its start-up (several milliseconds) then overlaps the command line's own. With it, the
// command line may start the run's pre-exec stage (seized-stage.ts). This module loads little
// else, so that starting early costs the command line nothing.
import { kill } from "../libc/libc.ts";
import { posixSpawn } from "../libc/spawn.ts";
import { mark } from "../timeline.ts";
import { TracerError } from "./errors.ts";
import type { Command } from "./stage.ts";
import { workerSpecifier } from "./stage.ts";
import type { EarlyStageMessage } from "./worker.ts";

const SIGKILL = 9;

interface EarlyThread {
  worker: Worker;
  failure: string | undefined;
  /** The pid of the stage started with the thread, until a run takes the thread. */
  stagePid: number | undefined;
}

let started: EarlyThread | undefined;

/**
 * Starts the tracer thread now, for the next run, and with `stage`, that run's pre-exec stage,
 * which the thread seizes as soon as it is up.
 */
export function startTracerThread(stage?: Command): void {
  if (started) return;
  const early: EarlyThread = { worker: new Worker(workerSpecifier()), failure: undefined, stagePid: undefined };
  // A thread that fails to load before the run listens for it must not fail unheard.
  early.worker.addEventListener("error", (e) => (early.failure ??= e.message));
  early.worker.addEventListener("close", () => (early.failure ??= "it ended before it was given a program"));
  started = early;
  mark("tracer_thread_started");
  if (stage) {
    early.stagePid = posixSpawn(stage.path, stage.argv, stage.env);
    early.worker.postMessage({ type: "early-stage", pid: early.stagePid, command: stage } satisfies EarlyStageMessage);
    mark("stage_started");
  }
}

/**
 * The thread started early, or a new one: each run takes its own. Its caller must listen for its
 * errors before returning to the event loop. Throws TracerError if the early thread already failed.
 */
export function tracerThread(): Worker {
  const early = started;
  started = undefined;
  if (!early) return new Worker(workerSpecifier());
  if (early.failure !== undefined) {
    if (early.stagePid !== undefined) kill(early.stagePid, SIGKILL);
    throw new TracerError(`tracer thread failed: ${early.failure}`);
  }
  return early.worker;
}

/** Kills the stage started early when no run took it (the command line ended before running). */
export function discardEarlyStage(): void {
  if (started?.stagePid !== undefined) kill(started.stagePid, SIGKILL);
  started = undefined;
}
