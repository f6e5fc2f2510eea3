// The pclntab reader against Go's own tools on the attribution corpus, built with every
// toolchain, for amd64 and arm64, in every variant (default, PIE, stripped, trimpath, cgo).
import { describe, expect, test } from "bun:test";
import { corpusBinary, corpusBuilds } from "../helpers/corpus.ts";
import { compareWithAddr2line, readPclntab, expectedFunctions, nmTextSymbols, samplePCs, setDifference, tableFunctions } from "./pclntab-oracle.ts";

const SAMPLED_PCS = 1000;

describe("pclntab of the corpus program", () => {
  for (const build of corpusBuilds()) {
    test(`${build.label}: functions equal go tool nm's text symbols; 1000 sampled pcs' file:line equal go tool addr2line`, () => {
      const binary = corpusBinary(build);
      const tab = readPclntab(binary);
      // A stripped binary has no symbols: its functions are those of the same program built unstripped.
      const symbolSource = build.variant === "stripped" ? corpusBinary({ ...build, variant: "default" }) : binary;
      const found = tableFunctions(tab);
      expect(found.size).toBe(tab.funcCount);
      expect(setDifference(found, expectedFunctions(tab, nmTextSymbols(symbolSource)))).toEqual({ onlyOurs: [], onlyTheirs: [] });

      const { ours, theirs } = compareWithAddr2line(binary, tab, samplePCs(tab, SAMPLED_PCS));
      expect(ours).toEqual(theirs);
    });
  }
});
