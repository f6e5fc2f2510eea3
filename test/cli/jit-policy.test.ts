// The JIT policy of a run's start-up (src/jit-policy.ts) on a Bun that has none: the library (and
// the npm package without a platform package) runs on the user's Bun, which may predate
// Bun.unsafe.setJITPolicy.
import { afterEach, expect, test } from "bun:test";
import { holdBackJit, releaseJit, START_UP_JIT_POLICY } from "../../src/jit-policy.ts";

const unsafe = Bun.unsafe as { setJITPolicy?: (scale: number) => void };
const setJITPolicy = unsafe.setJITPolicy;

afterEach(() => {
  unsafe.setJITPolicy = setJITPolicy;
});

test("holding the JIT back and letting it go do nothing on a Bun without a JIT policy", () => {
  delete unsafe.setJITPolicy;
  expect(() => {
    holdBackJit();
    releaseJit();
  }).not.toThrow();
});

test("on a Bun with one, they set it and set it back", () => {
  const scales: number[] = [];
  unsafe.setJITPolicy = (scale) => scales.push(scale);
  holdBackJit();
  releaseJit();
  expect(scales).toEqual([START_UP_JIT_POLICY, 1]);
});
