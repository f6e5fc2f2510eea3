// The tracer's thread (worker.ts), which the CLI starts first thing when it will run a program:
// its start-up (several milliseconds) then overlaps the CLI's own. This module loads nothing
// else, so that starting early costs the CLI nothing.
import { mark } from "../timeline.ts";
import { TracerError } from "./errors.ts";
import { workerSpecifier } from "./stage.ts";

let started: { worker: Worker; failure: string | undefined } | undefined;

/** Starts the tracer thread now, for the next run. */
export function startTracerThread(): void {
  if (started) return;
  const early = { worker: new Worker(workerSpecifier()), failure: undefined as string | undefined };
  // A thread that fails to load before the run listens for it must not fail unheard.
  early.worker.addEventListener("error", (e) => (early.failure ??= e.message));
  early.worker.addEventListener("close", () => (early.failure ??= "it ended before it was given a program"));
  started = early;
  mark("tracer_thread_started");
}

/**
 * The thread started early, or a new one: each run takes its own. Its caller must listen for its
 * errors before returning to the event loop. Throws TracerError if the early thread already failed.
 */
export function tracerThread(): Worker {
  const early = started;
  started = undefined;
  if (!early) return new Worker(workerSpecifier());
  if (early.failure !== undefined) throw new TracerError(`tracer thread failed: ${early.failure}`);
  return early.worker;
}
