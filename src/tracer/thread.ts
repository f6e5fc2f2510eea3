// The tracer's thread (worker.ts), which the CLI starts first thing when it will run a program:
// its start-up (several milliseconds) then overlaps the CLI's own. This module loads nothing
// else, so that starting early costs the CLI nothing.
import { mark } from "../timeline.ts";
import { workerSpecifier } from "./stage.ts";

let started: Worker | undefined;

/** Starts the tracer thread now, for the next run. */
export function startTracerThread(): void {
  started ??= new Worker(workerSpecifier());
  mark("tracer_thread_started");
}

/** The thread started early, or a new one: each run takes its own. */
export function tracerThread(): Worker {
  const thread = started ?? new Worker(workerSpecifier());
  started = undefined;
  return thread;
}
