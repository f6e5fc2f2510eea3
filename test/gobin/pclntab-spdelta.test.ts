// spDelta() against the DWARF call frame information the Go linker derives from the same pcsp
// tables: at every pc where the frame size changes, the CFA is SP + spDelta on arm64 (the
// return address is in the link register) and SP + spDelta + 8 on amd64 (CALL pushed it).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type GoArch, goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { debugFrameRows, readPclntab } from "./pclntab-oracle.ts";

describe("spDelta() against .debug_frame", () => {
  for (const go of goToolchains()) {
    for (const goarch of ["amd64", "arm64"] satisfies GoArch[]) {
      test(`go${go}/${goarch}: every CFA row of every function agrees with the pcsp value`, () => {
        const binary = goBuild({ dir: join(repoRoot, "test/fixtures/callers"), go, goarch });
        const tab = readPclntab(binary);
        const returnAddressOnStack = goarch === "amd64" ? 8 : 0;
        const fdes = debugFrameRows(binary);
        expect(fdes.size).toBeGreaterThan(1000);
        const mismatches: string[] = [];
        let rows = 0;
        for (const [start, cfa] of fdes) {
          const fn = tab.findFunc(start);
          expect(fn !== undefined && tab.funcEntry(fn) === start).toBe(true);
          for (const row of cfa) {
            rows++;
            const delta = tab.spDelta(fn!, row.pc);
            if (delta === undefined || delta + returnAddressOnStack !== row.cfaOffset) {
              mismatches.push(`${tab.funcName(fn!)} at 0x${row.pc.toString(16)}: spDelta ${delta}, CFA offset ${row.cfaOffset}`);
            }
          }
        }
        expect(mismatches).toEqual([]);
        expect(rows).toBeGreaterThan(5000);
      });
    }
  }
});
