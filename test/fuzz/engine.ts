// Runs targets over numbered inputs and records how each ended. Input number i goes to target
// i mod T as that target's input floor(i / T), made by a generator seeded with (seed, target,
// its input number): a failure names the seed, the target and the input number, which make
// that input again on their own (`--target NAME --input N`).
import { Random } from "./random.ts";
import type { Outcome, Target } from "./targets.ts";

export type FailureKind = "exception" | "slow" | "memory" | "hang" | "crash";

export interface Failure {
  kind: FailureKind;
  target: string;
  seed: number;
  /** The target's input number. */
  input: number;
  message: string;
  /** The seed file and the mutations that made the input. */
  notes: string[];
}

export interface TargetStats {
  inputs: number;
  ok: number;
  rejected: number;
  partial: number;
  failures: number;
  slowestMs: number;
}

export interface FuzzOptions {
  seed: number;
  /** Inputs over all targets: numbers [start, end). */
  start?: number;
  end: number;
  /** Run only this target's inputs (the numbering stays that of the full run). */
  only?: string;
  /** An input slower than this is a failure of kind "slow"; undefined: not checked. */
  timeBudgetMs?: number;
  /** Resident memory above this after an input (and a full collection) is a failure of kind "memory". */
  maxRssBytes?: number;
  /** Told before each input, so a watchdog can name the input that hangs or crashes the process. */
  onInput?(index: number): void;
  onFailure?(f: Failure): void;
  /** Told after each input how it ended. */
  onOutcome?(index: number, outcome: Outcome | FailureKind, ms: number): void;
}

export interface FuzzResult {
  stats: Map<string, TargetStats>;
  failures: Failure[];
  /** The first input number not run (end, unless the run stopped on a memory failure). */
  next: number;
}

export function emptyStats(): TargetStats {
  return { inputs: 0, ok: 0, rejected: 0, partial: 0, failures: 0, slowestMs: 0 };
}

/** The target and its input number for overall input `index`. */
function inputOf(targets: readonly Target[], index: number): { target: Target; input: number } {
  return { target: targets[index % targets.length], input: Math.floor(index / targets.length) };
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const frame = e.stack?.split("\n").find((l) => l.trim().startsWith("at "))?.trim();
    return `${e.name}: ${e.message}${frame ? ` (${frame})` : ""}`;
  }
  return `thrown non-error: ${String(e)}`;
}

/** Runs one input of one target; returns its outcome or the failure it caused, and its duration. */
function runInput(target: Target, seed: number, input: number): { outcome: Outcome | Failure; ms: number; notes: string[] } {
  const notes: string[] = [];
  const t0 = performance.now();
  let outcome: Outcome | Failure;
  try {
    outcome = target.run(new Random(seed, target.name, input), notes);
  } catch (e) {
    outcome = { kind: "exception", target: target.name, seed, input, message: describe(e), notes };
  }
  return { outcome, ms: performance.now() - t0, notes };
}

/** Lets the event loop run, and with it finalizers (which unmap the files that inspect maps). */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runFuzz(targets: readonly Target[], opts: FuzzOptions): Promise<FuzzResult> {
  const stats = new Map(targets.map((t) => [t.name, emptyStats()]));
  const failures: Failure[] = [];
  const fail = (f: Failure): void => {
    failures.push(f);
    stats.get(f.target)!.failures++;
    opts.onFailure?.(f);
  };
  for (let index = opts.start ?? 0; index < opts.end; index++) {
    const { target, input } = inputOf(targets, index);
    if (opts.only !== undefined && target.name !== opts.only) continue;
    if (index % 64 === 0) await breathe();
    opts.onInput?.(index);
    const { outcome, ms, notes } = runInput(target, opts.seed, input);
    const s = stats.get(target.name)!;
    s.inputs++;
    s.slowestMs = Math.max(s.slowestMs, ms);
    let ended: Outcome | FailureKind = typeof outcome === "object" ? outcome.kind : outcome;
    if (typeof outcome === "object") fail(outcome);
    else s[outcome]++;
    const failure = { target: target.name, seed: opts.seed, input, notes };
    if (opts.timeBudgetMs !== undefined && ms > opts.timeBudgetMs) {
      fail({ ...failure, kind: "slow", message: `took ${ms.toFixed(0)} ms (budget ${opts.timeBudgetMs} ms)` });
      ended = "slow";
    }
    let stop = false;
    if (opts.maxRssBytes !== undefined && process.memoryUsage.rss() > opts.maxRssBytes) {
      Bun.gc(true);
      await breathe();
      Bun.gc(true);
      const rss = process.memoryUsage.rss();
      if (rss > opts.maxRssBytes) {
        fail({ ...failure, kind: "memory", message: `resident memory ${(rss / 2 ** 20).toFixed(0)} MiB after this input (bound ${(opts.maxRssBytes / 2 ** 20).toFixed(0)} MiB)` });
        ended = "memory";
        stop = true;
      }
    }
    opts.onOutcome?.(index, ended, ms);
    // Memory that stays above the bound would make every later input fail too.
    if (stop) return { stats, failures, next: index + 1 };
  }
  return { stats, failures, next: opts.end };
}

export function formatFailure(f: Failure): string {
  return `FAIL ${f.kind} target=${f.target} seed=${f.seed} input=${f.input}: ${f.message}\n  input: ${f.notes.join("; ")}`;
}

export function formatStats(stats: Map<string, TargetStats>): string {
  const rows = [["target", "inputs", "ok", "partial", "rejected", "failures", "slowest ms"]];
  const total = emptyStats();
  for (const [name, s] of stats) {
    rows.push([name, s.inputs, s.ok, s.partial, s.rejected, s.failures, s.slowestMs.toFixed(1)].map(String));
    for (const k of ["inputs", "ok", "rejected", "partial", "failures"] as const) total[k] += s[k];
    total.slowestMs = Math.max(total.slowestMs, s.slowestMs);
  }
  rows.push(["total", total.inputs, total.ok, total.partial, total.rejected, total.failures, total.slowestMs.toFixed(1)].map(String));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}
