// Deferred calls that run while a goroutine panics (or ends with runtime.Goexit) run on top of
// the frames that panicked: runtime.gopanic and runtime.Goexit call them where the panic began.
// Such a call is judged by the frames from the function that deferred it outward: the panicking
// frames between the runner and that function do not count (a confined module that panics does
// not make main's cleanup its own), and of the deferring frame only its own function counts (what
// is inlined at its call site is the panicking call). A call deferred by a confined frame stays
// confined: the deferring frame is that frame.
//
// The deferring frame is found by the runtime's own record of it, never by names (a closure
// named after main.f may have been handed to a confined module that deferred it): the stack
// pointer of the frame whose deferred calls run now (Go 1.22 on: each _panic's sp; before: each
// started _defer's sp), newest first, matched against the walk's frames. Where a runner has no
// record that matches a frame outward of it, nothing from there on is skipped (fail closed).

/** The runtime functions that run deferred calls on top of the frames that panicked. */
export const DEFER_RUNNERS: ReadonlySet<string> = new Set(["runtime.gopanic", "runtime.Goexit"]);

/** How each physical frame of a walk counts in judging the call. */
export interface DeferredCallFrames {
  /** Per frame, innermost first: true where the frame panicked beneath the frame that deferred the running call. */
  skipped: boolean[];
  /** Per frame: true for a deferring frame, of which only the physical function counts. */
  ownFunctionOnly: boolean[];
}

/**
 * `names` and `sps`: the walk's physical frames and their stack pointers, innermost first.
 * `runningSps`: the runtime's records of the frames whose deferred calls run, newest first.
 * Undefined when no frame runs deferred calls.
 */
export function deferredCallFrames(names: readonly string[], sps: readonly number[], runningSps: readonly number[]): DeferredCallFrames | undefined {
  if (!names.some((n) => DEFER_RUNNERS.has(n))) return undefined;
  const skipped = names.map(() => false);
  const ownFunctionOnly = names.map(() => false);
  let record = 0;
  for (let runner = 0; runner < names.length; runner++) {
    if (!DEFER_RUNNERS.has(names[runner]!)) continue;
    let deferring = -1;
    while (deferring < 0 && record < runningSps.length) {
      const at = sps.indexOf(runningSps[record++]!);
      // Inward: a deferred call that returns normally above this runner (runtime.deferreturn's
      // record, Go 1.22 on). Not on this stack at all: the records cannot be trusted to match.
      if (at < 0) return { skipped, ownFunctionOnly };
      if (at > runner) deferring = at;
    }
    if (deferring < 0) break;
    for (let i = runner + 1; i < deferring; i++) skipped[i] = true;
    ownFunctionOnly[deferring] = true;
    runner = deferring;
  }
  return { skipped, ownFunctionOnly };
}
