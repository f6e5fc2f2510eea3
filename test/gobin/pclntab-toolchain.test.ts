// The pclntab reader against Go's own tools on the biggest Go binaries at hand: the toolchains'
// `go` command and compiler. Debian ships them stripped, so `go tool nm` has nothing to compare
// with; instead every function's entry must be where Go's debug/gosym (`go tool addr2line`)
// says that function starts, with the same name and position.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { goToolchains } from "../helpers/gobuild.ts";
import { compareWithAddr2line, readPclntab, samplePCs } from "./pclntab-oracle.ts";

const binaries = goToolchains().flatMap((go) =>
  [`/usr/lib/go-${go}/bin/go`, `/usr/lib/go-${go}/pkg/tool/linux_amd64/compile`].filter((p) => existsSync(p)),
);

describe("pclntab of the Go toolchains' own binaries", () => {
  for (const binary of binaries) {
    test(`${binary}: every function entry, and 1000 sampled pcs, resolve to the name and file:line go tool addr2line gives`, () => {
      const tab = readPclntab(binary);
      expect(tab.funcCount).toBeGreaterThan(5000);
      const entries = [...tab.funcs()].map((f) => f.entry);
      const pcs = [...entries, ...samplePCs(tab, 1000)];
      const { ours, theirs } = compareWithAddr2line(binary, tab, pcs);
      expect(ours).toEqual(theirs);
    });
  }
});
