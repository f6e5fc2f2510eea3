// Pclntab.inlinedCalls: every inline tree entry a function's code uses, at the pcs frames()
// expands: the inlined function is the innermost frame at its body's first pc, and its caller's
// frame there is at the call site.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GoBinary } from "../../src/gobin/binary.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const app = join(repoRoot, "test/fixtures/analyze/app");

describe.each([goToolchains()[0]!, goToolchains().at(-1)!])("Go %s", (go) => {
  test("each inlined call agrees with the inline expansion of its body's first pc", () => {
    const t = GoBinary.open(goBuild({ dir: app, go })).pclntab;
    let calls = 0;
    for (let fn = 0; fn < t.funcCount; fn++) {
      for (const call of t.inlinedCalls(fn)) {
        calls++;
        const frames = t.frames(call.bodyPc);
        expect(frames[0]!.func).toBe(call.func);
        expect(frames[0]!.inlined).toBe(true);
        expect(frames[1]!.pc).toBe(call.callPc);
        expect(call.callPc >= t.funcEntry(fn) && call.callPc < t.funcEnd(fn)).toBe(true);
      }
    }
    expect(calls).toBeGreaterThan(1000);
  });
});
