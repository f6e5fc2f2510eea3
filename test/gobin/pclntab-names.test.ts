// Searching the function name table's bytes (Pclntab.namesContaining, functionNamed,
// functionsNamedWith) finds what decoding every function's name finds: the names of functions
// containing a string (and of functions only ever inlined, from the same table), a function by
// its exact name, the functions whose names contain one of several strings. Reading the flags
// straight from the records (functionsFlagged) finds what funcFlag does.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GoBinary } from "../../src/gobin/binary.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const app = join(repoRoot, "test/fixtures/analyze/app");

describe.each([goToolchains()[0]!, goToolchains().at(-1)!])("Go %s", (go) => {
  test.each(["default", "stripped", "cgo"] as const)("%s: the names containing a string are the functions' that do, and inlined-only ones", (variant) => {
    const t = GoBinary.open(goBuild({ dir: app, go, variant })).pclntab;
    for (const needle of ["._Cfunc_", "runtime.newproc", "example.com/reach.", "syscall.Syscall"]) {
      const functions = new Set<string>();
      for (let fn = 0; fn < t.funcCount; fn++) if (t.funcName(fn).includes(needle)) functions.add(t.funcName(fn));
      const found = new Set(t.namesContaining(needle));
      for (const name of functions) expect(found.has(name)).toBe(true);
      for (const name of found) expect(name).toContain(needle);
    }
  });

  test.each(["default", "stripped", "cgo"] as const)("%s: the functions named with one of several strings, and those with a flag, are those decoding each finds", (variant) => {
    const t = GoBinary.open(goBuild({ dir: app, go, variant })).pclntab;
    const needles = ["_Cfunc_", "_cgo_", "runtime.newproc", "example.com/reach."];
    const named: number[] = [];
    const flagged = new Map<number, number[]>([[1, []], [2, []], [4, []]]);
    for (let fn = 0; fn < t.funcCount; fn++) {
      if (needles.some((n) => t.funcName(fn).includes(n))) named.push(fn);
      for (const [mask, fns] of flagged) if ((t.funcFlag(fn)! & mask) !== 0) fns.push(fn);
    }
    expect(named.length).toBeGreaterThan(0);
    expect(t.functionsNamedWith(needles)).toEqual(named);
    expect(t.functionsNamedWith(["no.such.name"])).toEqual([]);
    for (const [mask, fns] of flagged) expect(t.functionsFlagged(mask)).toEqual(fns);
    expect(flagged.get(4)!.length).toBeGreaterThan(0); // assembly: the runtime has some
  });

  test("a function by its exact name, and none for a name no function has", () => {
    const t = GoBinary.open(goBuild({ dir: app, go })).pclntab;
    for (let fn = 0; fn < t.funcCount; fn += 97) {
      const found = t.functionNamed(t.funcName(fn));
      expect(found !== undefined && t.funcName(found)).toBe(t.funcName(fn));
    }
    expect(t.functionNamed("main.main")).toBeDefined();
    expect(t.functionNamed("main.mai")).toBeUndefined();
    expect(t.functionNamed("no.such")).toBeUndefined();
  });
});

test("from the end, a function by its name is the same function for a name that does not repeat", () => {
  const t = GoBinary.open(goBuild({ dir: app, go: goToolchains().at(-1)! })).pclntab;
  expect(t.functionNamed("main.main", true)).toBe(t.functionNamed("main.main"));
});
