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

describe("a function made of inlined code alone", () => {
  // buf 1.75.0 (the npm devDependency): a generated package init whose every instruction is
  // inlined code, so its calls' parentPc (0) names inlined code again.
  const buf = join(repoRoot, "node_modules/@bufbuild/buf-linux-x64/bin/buf");

  test("its frames end with its own, where the inline tree's parents lead back into the tree", () => {
    const t = GoBinary.open(buf).pclntab;
    let fn = 0;
    while (fn < t.funcCount && t.funcName(fn) !== "go.opentelemetry.io/otel/semconv/v1%2e37%2e0.init") fn++;
    expect(fn).toBeLessThan(t.funcCount);
    let inlined = 0;
    for (let pc = t.funcEntry(fn); pc < t.funcEnd(fn); pc++) {
      const frames = t.frames(pc);
      expect(frames.at(-1)).toMatchObject({ func: "go.opentelemetry.io/otel/semconv/v1%2e37%2e0.init", inlined: false });
      if (frames.length > 1) {
        inlined++;
        expect(frames[0]!.func).toStartWith("go.opentelemetry.io/otel/attribute.");
      }
    }
    expect(inlined).toBeGreaterThan(100);
  });
});
