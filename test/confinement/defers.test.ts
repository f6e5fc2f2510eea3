// Which frames a deferred call runs past while a goroutine panics (src/confinement/defers.ts):
// matched by the stack pointers the runtime records of the frames whose deferred calls run, never
// by names. test/jail/panics.test.ts runs the same rule on real programs of every toolchain.
import { describe, expect, test } from "bun:test";
import { deferredCallFrames } from "../../src/confinement/defers.ts";

/** A walk of physical frames, innermost first, each at a stack pointer 0x100 above the last. */
function walk(...names: string[]): { names: string[]; sps: number[] } {
  return { names, sps: names.map((_, i) => 0x1000 + i * 0x100) };
}

function skippedNames(w: { names: string[]; sps: number[] }, running: number[]): string[] {
  const d = deferredCallFrames(w.names, w.sps, running)!;
  return w.names.filter((_, i) => d.skipped[i]);
}

describe("deferred calls during a panic", () => {
  const stack = walk("os.Remove", "main.f.func1", "runtime.gopanic", "panicky.boom", "panicky.Panic", "main.f", "main.main", "runtime.goexit");
  const sp = (name: string) => stack.sps[stack.names.indexOf(name)]!;

  test("no runner on the stack: nothing to say", () => {
    const w = walk("os.Open", "main.main", "runtime.goexit");
    expect(deferredCallFrames(w.names, w.sps, [])).toBeUndefined();
  });

  test("main's deferred call does not count the frames that panicked beneath main.f, and main.f counts for itself only", () => {
    const d = deferredCallFrames(stack.names, stack.sps, [sp("main.f")])!;
    expect(skippedNames(stack, [sp("main.f")])).toEqual(["panicky.boom", "panicky.Panic"]);
    expect(stack.names.filter((_, i) => d.ownFunctionOnly[i])).toEqual(["main.f"]);
  });

  test("a call deferred by the confined frame itself skips nothing the confined frame is", () => {
    // The record names panicky.Panic's frame: it registered the running call (whatever its name).
    expect(skippedNames(stack, [sp("panicky.Panic")])).toEqual(["panicky.boom"]);
    const d = deferredCallFrames(stack.names, stack.sps, [sp("panicky.Panic")])!;
    expect(d.ownFunctionOnly[stack.names.indexOf("panicky.Panic")]).toBe(true);
  });

  test("fail closed: no record, or a record of no frame of this stack, skips nothing", () => {
    expect(skippedNames(stack, [])).toEqual([]);
    expect(skippedNames(stack, [0xdead])).toEqual([]);
  });

  test("a record of a frame inward of the runner (a deferred call returning normally above it) is passed over", () => {
    const w = walk("os.Remove", "main.g.func1", "runtime.deferreturn", "main.g", "main.f.func1", "runtime.gopanic", "panicky.boom", "main.f", "runtime.goexit");
    const at = (name: string) => w.sps[w.names.indexOf(name)]!;
    expect(skippedNames(w, [at("main.g"), at("main.f")])).toEqual(["panicky.boom"]);
  });

  test("nested panics: each runner is matched with the next record outward", () => {
    const w = walk("os.Remove", "main.f.func2.1", "runtime.gopanic", "panicky.boom", "main.f.func2", "runtime.gopanic", "panicky.boom", "panicky.Panic", "main.f", "runtime.goexit");
    const at = (name: string, from = 0) => w.sps[w.names.indexOf(name, from)]!;
    expect(skippedNames(w, [at("main.f.func2"), at("main.f")])).toEqual(["panicky.boom", "panicky.boom", "panicky.Panic"]);
    // Without the outer panic's record, its panicking frames count.
    expect(skippedNames(w, [at("main.f.func2")])).toEqual(["panicky.boom"]);
  });
});
