// How src/ hangs together (docs/design.md, "Folders"): no file or folder imports one that imports
// it back, type-only imports included; nothing below the command line imports it; the tracer's
// folder keeps the ptrace loop and its tracee state only. scripts/import-graph.ts prints the graph.
import { expect, test } from "bun:test";
import { cycles, fileEdges, folderEdges, readSources } from "./helpers/source-graph.ts";

const files = readSources(["src", "test"]);

test("no import cycles among the files of src/", () => {
  expect(cycles(fileEdges(files))).toEqual([]);
});

test("no import cycles among the folders of src/", () => {
  expect(cycles(folderEdges(files))).toEqual([]);
});

test("nothing below the command line (src/cli/) imports it: only src/main.ts does", () => {
  const importers = [...fileEdges(files)]
    .filter(([from, tos]) => !from.startsWith("src/cli/") && [...tos].some((t) => t.startsWith("src/cli/")))
    .map(([from]) => from);
  expect(importers).toEqual(["src/main.ts"]);
});

test("the tracer's folder holds at most 8 files: the ptrace loop and the tracee state it keeps", () => {
  expect(files.filter((f) => f.path.startsWith("src/tracer/")).length).toBeLessThanOrEqual(8);
});

test("the source reader sees imports of every form", () => {
  // A check of the checker: the cycles it finds on a graph it is given.
  const edges = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["a"])],
    ["c", new Set(["a"])],
  ]);
  expect(cycles(edges)).toEqual([["a", "b"]]);
  const seized = files.find((f) => f.path === "src/launch/seized-stage.ts")!;
  // A require() inside a function and a type-only import are edges too.
  expect(seized.imports).toContain("src/launch/stage-gate.ts");
  expect(seized.imports).toContain("src/gobin/binary.ts");
});
