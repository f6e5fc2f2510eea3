// Decisions replayed from recorded stops (test/fixtures/stops, test/helpers/record-stops.ts): the
// Decider walks the recorded stack, expands inlined frames, follows the goroutine's creators and
// the cgo caller, and judges, on real registers and memory with no process behind them. Each
// replay must come to the decision the tracer came to when the stop was recorded.
import { describe, expect, test } from "bun:test";
import type { RecordedStop } from "../../src/decision/recorded-stop.ts";
import { recordFixture, sources } from "../helpers/record-stops.ts";
import { replayStop, replayTarget, stopFixtures, type ReplayTarget } from "../helpers/stops.ts";

// A stored fixture fits only the bytes it was recorded from. When the toolchain's package has
// moved on (goBuild makes another binary), its stops are recorded again here, under the real
// tracer, so that the replays still run; `bun test/helpers/record-stops.ts` renews the files.
const fixtures = stopFixtures().map((f) => {
  if (replayTarget(f).sameBinary) return f;
  const source = sources.find((s) => s.name === f.name);
  if (!source) throw new Error(`no recording source for the stored stops ${f.name}`);
  console.warn(`stops of ${f.name} were recorded from another build of Go ${f.go}: recording them again`);
  return recordFixture(source);
});

/** The shapes of stack the recorded stops must cover between them, and how to tell each. */
const shapes: Record<string, (r: ReturnType<typeof replayStop>, stop: RecordedStop) => boolean> = {
  "inlined frames": (r) => r.decision?.trace.steps.some((s) => s.frames.length > 1) ?? false,
  "blocked for an inlined confined function": (r) =>
    r.decision?.verdict.block === true && r.decision.trace.steps.some((s) => s.frames.length > 1 && s.frames.slice(0, -1).includes(r.decision!.verdict.block ? r.decision!.verdict.frame! : s.frames[0]!)),
  "blocked by the goroutine's creators": (r) => r.outcome.block && /goroutine \d+ was created|an ancestor of goroutine/.test(r.outcome.reason ?? ""),
  "blocked on the stack itself": (r) => r.outcome.reason === "confined",
  // Only the way from C code to its goroutine reads the thread pointer.
  "cgo: C code judged by its Go caller": (r, stop) => r.outcome.judged && stop.threadPointer !== undefined,
  "the runtime's start on the system stack (rooted at runtime.rt0_go)": (r) => r.decision?.trace.steps.at(-1)?.name === "runtime.rt0_go",
  "allowed": (r) => r.outcome.judged && !r.outcome.block,
  "before Go code ran (let through unjudged)": (r) => !r.outcome.judged,
};

test("there are recorded stops to replay", () => {
  expect(fixtures.length).toBeGreaterThan(0);
});

const seen = new Map<string, number>();
const targets = new Map<string, ReplayTarget>();
const targetOf = (f: (typeof fixtures)[number]) => {
  const key = `${f.goarch}-${f.name}`;
  let t = targets.get(key);
  if (!t) targets.set(key, (t = replayTarget(f)));
  return t;
};

for (const fixture of fixtures) {
  describe(`${fixture.goarch} ${fixture.name} (Go ${fixture.go} ${fixture.variant})`, () => {
    test("goBuild makes the binary the stops were recorded from", () => {
      expect(targetOf(fixture).sameBinary).toBe(true);
    });

    fixture.stops.forEach((stop, i) => {
      const what = stop.outcome.block ? `blocked: ${stop.outcome.reason}` : stop.outcome.judged ? "allowed" : "not judged";
      test(`stop ${i} (${stop.case}, ${what}): the replayed decision is the recorded one`, () => {
        const r = replayStop(targetOf(fixture), stop);
        expect(r.outcome).toEqual(stop.outcome);
        for (const [shape, is] of Object.entries(shapes)) if (is(r, stop)) seen.set(shape, (seen.get(shape) ?? 0) + 1);
      });
    });

    const complete = fixture.stops.find((s) => s.outcome.judged && !s.outcome.block && s.outcome.complete && s.threadPointer === undefined && s.outcome.stack.length > 8);
    if (complete) {
      test("a stack cut short after its first words is blocked as not fully walked", () => {
        const cut: RecordedStop = { ...complete, reads: truncatedReads(complete, 16) };
        const r = replayStop(targetOf(fixture), cut);
        expect(r.outcome.block).toBe(true);
        expect(r.outcome.reason).toStartWith("stack not fully walked: stack unreadable at");
      });
    }
  });
}

test("the recorded stops cover every shape", () => {
  const counts = Object.fromEntries(Object.keys(shapes).map((s) => [s, seen.get(s) ?? 0]));
  console.log("replayed stops by shape:", counts);
  for (const n of Object.values(counts)) expect(n).toBeGreaterThan(0);
});

/** The stop's memory reads with only the `words` stack words from SP kept: the rest of the stack is unreadable. */
function truncatedReads(stop: RecordedStop, words: number) {
  const end = stop.regs.sp + 8 * words;
  return stop.reads
    .filter((r) => r.addr >= stop.regs.sp && r.addr < end)
    .map((r) => ({ addr: r.addr, bytes: Buffer.from(r.bytes, "base64").subarray(0, end - r.addr).toString("base64") }));
}
