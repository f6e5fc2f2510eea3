// Moments of gomodjail's start-up, from Bun's start to the target's first judged syscall: where
// the milliseconds of a short run go. Taken always (a clock read each), printed with --debug as
// one record when the run ends, and read by bench/startup.ts. Each thread keeps its own list;
// the main thread's travels to the tracer thread with the request.

/** [moment (a name in snake_case), milliseconds since the epoch] pairs, in the order taken. */
export type Timeline = [string, number][];

const moments: Timeline = [];

export function mark(moment: string): void {
  moments.push([moment, performance.timeOrigin + performance.now()]);
}

export function timeline(): Timeline {
  return moments;
}

/** When this process's JavaScript started: the main thread's time origin (each thread has its own). */
export function processStart(): number {
  return performance.timeOrigin;
}

/** The moments as milliseconds since `start`, one field each, for a log record. */
export function sinceStart(moments: Timeline, start: number): Record<string, number> {
  return Object.fromEntries(moments.map(([name, at]) => [name, Math.round((at - start) * 100) / 100]));
}
