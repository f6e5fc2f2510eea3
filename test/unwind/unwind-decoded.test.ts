// unwindDecoded: the walk with only what earlier walks decoded. On a recorded stop (test/fixtures/
// stops), with a table nothing walked yet, it stops at the first pc; once unwindGoStack has walked
// the stack, it finds the same walk.
import { expect, test } from "bun:test";
import { amd64 } from "../../src/arch/amd64/arch.ts";
import { arm64 } from "../../src/arch/arm64/arch.ts";
import { ReplayTracee } from "../../src/decision/recorded-stop.ts";
import { StackWindow } from "../../src/unwind/stack.ts";
import { unwindDecoded, unwindGoStack } from "../../src/unwind/unwind.ts";
import { recordFixture, sources } from "../helpers/record-stops.ts";
import { replayTarget, stopFixtures } from "../helpers/stops.ts";

test("a walk with only decoded pcs stops at the first new one, and after a full walk finds the same walk", () => {
  // Recorded again where the toolchain has moved on since (as test/decision/replay.test.ts does).
  const stored = stopFixtures().find((f) => f.stops.some((s) => s.outcome.judged))!;
  const fixture = replayTarget(stored).sameBinary ? stored : recordFixture(sources.find((s) => s.name === stored.name)!);
  const stop = fixture.stops.find((s) => s.outcome.judged)!;
  const table = replayTarget(fixture).image.pclntab;
  const arch = stop.arch === "amd64" ? amd64 : arm64;
  const walk = (f: typeof unwindDecoded) => {
    const stack = new StackWindow(4096, new ReplayTracee(stop).memory);
    stack.reset(stop.tid, stop.regs.sp);
    return f(table, arch, stop.regs, stop.bias, stack, true, undefined);
  };
  expect(walk(unwindDecoded)).toBe(stop.regs.pc - stop.bias - 1);
  const full = walk(unwindGoStack);
  expect(typeof full).toBe("object");
  const again = walk(unwindDecoded);
  expect(again).toEqual(full);
});
