// Searching the function name table's bytes (Pclntab.namesContaining, functionNamed) finds what
// decoding every function's name finds: the names of functions containing a string (and of
// functions only ever inlined, from the same table), and a function by its exact name.
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
