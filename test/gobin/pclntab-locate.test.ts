// Finding the table without the usual section, and failing cleanly on files that have no usable
// one: a corrupted table must give a PclntabError (never a RangeError, a TypeError or a hang).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { Pclntab, PclntabError } from "../../src/gobin/pclntab.ts";
import { SegmentMemory } from "../../src/gobin/pclntab/memory.ts";
import { corpusAppDir } from "../helpers/corpus.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { syntheticElf } from "../helpers/synthetic-elf.ts";
import {
  compareWithAddr2line,
  expectedFunctions,
  nmTextSymbols,
  readPclntab,
  samplePCs,
  setDifference,
  tableFunctions,
} from "./pclntab-oracle.ts";

const newestGo = goToolchains().at(-1)!;
const callersDir = join(repoRoot, "test/fixtures/callers");
const callers = (): string => goBuild({ dir: callersDir, go: newestGo });

function parseCopy(bytes: Uint8Array, name: string): Pclntab {
  return Pclntab.fromElf(ElfFile.parse(bytes, name));
}

/** The file with its pclntab section renamed, so that only a scan of the segments can find the table. */
function withPclntabSectionRenamed(binary: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(binary));
  const name = new TextEncoder().encode("\0.gopclntab\0");
  const at = Buffer.from(bytes.buffer).indexOf(name);
  if (at < 0 || Buffer.from(bytes.buffer).indexOf(name, at + 1) >= 0) throw new Error("section name not found exactly once");
  bytes[at + 2] = "x".charCodeAt(0);
  return bytes;
}

describe("locating pclntab", () => {
  // Up to Go 1.25 the table needs relocating (its header held the text start), so the external
  // linker puts it inside .data.rel.ro and only a scan finds it; from Go 1.26 it has its own section.
  test.each(goToolchains())("go%s: an externally linked cgo PIE's table is found and matches nm and addr2line", (go) => {
    const binary = goBuild({ dir: corpusAppDir, go, variant: "cgo", flags: ["-buildmode=pie"] });
    const elf = ElfFile.parse(new Uint8Array(readFileSync(binary)), binary);
    expect(elf.type).toBe("dyn");
    const ownSection = Number(go.split(".")[1]) >= 26;
    expect(elf.sections.some((s) => s.name.endsWith("gopclntab"))).toBe(ownSection);
    const tab = Pclntab.fromElf(elf);
    expect(tab.source).toBe(ownSection ? ".gopclntab" : "segment scan");
    expect(setDifference(tableFunctions(tab), expectedFunctions(tab, nmTextSymbols(binary)))).toEqual({ onlyOurs: [], onlyTheirs: [] });
    const { ours, theirs } = compareWithAddr2line(binary, tab, samplePCs(tab, 1000));
    expect(ours).toEqual(theirs);
  });

  test("a table found by scanning the segments gives the same functions and frames as its section", () => {
    const binary = callers();
    const withSections = readPclntab(binary);
    const scanned = parseCopy(withPclntabSectionRenamed(binary), binary);
    expect(withSections.source).toBe(".gopclntab");
    expect(scanned.source).toBe("segment scan");
    expect(scanned.addr).toBe(withSections.addr);
    expect([...scanned.funcs()]).toEqual([...withSections.funcs()]);
    for (const pc of samplePCs(withSections, 500)) expect(scanned.frames(pc)).toEqual(withSections.frames(pc));
  });

  // Found by the fuzzer: each copy of the header cost a pass over every segment in search of
  // its moduledata (3 s for 2048 copies in a 7 MB binary, growing with copies times size).
  test("copies of the table header before the table cost no extra pass over the segments", () => {
    const binary = callers();
    const bytes = new Uint8Array(readFileSync(binary));
    const elf = ElfFile.parse(bytes.slice(), binary);
    const section = elf.section(".gopclntab")!;
    const original = Pclntab.fromElf(elf);
    // No section headers: the table is found by scanning. Then 256 copies of its 1.20 header
    // (8 bytes, then 8 words of which words 3-7 are offsets) before it, each with offsets that
    // reach the real table from where the copy lies.
    const view = new DataView(bytes.buffer);
    view.setBigUint64(40, 0n, true);
    view.setUint32(60, 0, true);
    const size = 72;
    for (let i = 1; i <= 256; i++) {
      const at = section.offset - i * (size + 8);
      bytes.copyWithin(at, section.offset, section.offset + size);
      for (let w = 3; w < 8; w++) view.setBigUint64(at + 8 + 8 * w, view.getBigUint64(at + 8 + 8 * w, true) + BigInt(section.offset - at), true);
    }
    const words = SegmentMemory.prototype.words;
    let passes = 0;
    SegmentMemory.prototype.words = function (this: SegmentMemory, ...args) {
      passes++;
      return words.apply(this, args);
    };
    let scanned: Pclntab;
    try {
      scanned = parseCopy(bytes, binary);
    } finally {
      SegmentMemory.prototype.words = words;
    }
    expect(scanned.source).toBe("segment scan");
    expect(scanned.addr).toBe(original.addr);
    expect([...scanned.funcs()]).toEqual([...original.funcs()]);
    // One pass to find the headers, one to find the moduledata that describes one of them.
    const segments = elf.segments.filter((s) => s.type === "load").length;
    expect(passes).toBeLessThanOrEqual(2 * segments);
  });

  test("a damaged .gopclntab section is reported, naming the section and the fault", () => {
    const binary = callers();
    const bytes = new Uint8Array(readFileSync(binary));
    const section = ElfFile.parse(bytes.slice(), binary).section(".gopclntab")!;
    bytes[section.offset + 6] = 3; // instruction quantum
    expect(() => parseCopy(bytes, binary)).toThrow(
      new PclntabError(binary, "section .gopclntab is unusable (bad instruction quantum 3), and no Go function table found in the file (not a Go program, or a damaged one)"),
    );
  });

  test.each(["amd64", "arm64"] as const)("a %s file that is not a Go program has no table", (machine) => {
    expect(() => Pclntab.fromElf(ElfFile.parse(syntheticElf(machine), "synthetic"))).toThrow(
      new PclntabError("synthetic", "no Go function table found in the file (not a Go program, or a damaged one)"),
    );
  });

  test("GoBinary.open reports architecture and PIE-ness with the table", () => {
    // Builds no test executes: GoBinary.open maps the file, which keeps it from being executed.
    for (const pie of [false, true]) {
      for (const goarch of ["amd64", "arm64"] as const) {
        const path = goBuild({ dir: callersDir, go: newestGo, goarch, variant: pie ? "pie" : "trimpath", flags: pie ? ["-trimpath"] : [] });
        const binary = GoBinary.open(path);
        expect({ arch: binary.arch, pie: binary.pie, quantum: binary.pclntab.quantum }).toEqual({
          arch: goarch,
          pie,
          quantum: goarch === "arm64" ? 4 : 1,
        });
      }
    }
  });
});

describe("lookups at the edges", () => {
  test("pcs outside Go code have no function and no frames; bad function indexes are PclntabErrors", () => {
    const tab = readPclntab(callers());
    const last = tab.funcCount - 1;
    expect(tab.findFunc(0)).toBeUndefined();
    expect(tab.findFunc(tab.funcEntry(0) - 1)).toBeUndefined();
    expect(tab.findFunc(tab.funcEnd(last))).toBeUndefined();
    expect(tab.findFunc(tab.funcEnd(last) - 1)).toBe(last);
    expect(tab.findFunc(tab.funcEntry(0))).toBe(0);
    expect(tab.frames(0)).toEqual([]);
    expect(() => tab.funcName(tab.funcCount)).toThrow(PclntabError);
    expect(() => tab.funcEntry(-1)).toThrow(PclntabError);
  });

  test("frames are cached per pc", () => {
    const tab = readPclntab(callers());
    const pc = samplePCs(tab, 1)[0];
    expect(tab.frames(pc)).toBe(tab.frames(pc));
  });
});

describe("corrupted tables", () => {
  /** A small deterministic generator (xorshift32), so every run corrupts the same bytes. */
  function random(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }

  test("300 randomly corrupted copies of a table fail with PclntabError or answer, and never throw anything else", () => {
    const binary = callers();
    const original = new Uint8Array(readFileSync(binary));
    const good = readPclntab(binary);
    const section = ElfFile.parse(original.slice(), binary).section(".gopclntab")!;
    const pcs = samplePCs(good, 100);
    const rand = random(0x5eed);
    const outcomes = { rejected: 0, answered: 0, failedLater: 0 };
    for (let copy = 0; copy < 300; copy++) {
      const bytes = original.slice();
      // Half the copies hit the header and the function table, where offsets live; the rest anywhere in the table.
      const span = copy % 2 === 0 ? 0x100 + 16 * good.funcCount : section.size;
      for (let i = 0; i < 1 + (copy % 8); i++) bytes[section.offset + Math.floor(rand() * span)] = Math.floor(rand() * 256);
      let tab: Pclntab;
      try {
        tab = parseCopy(bytes, binary);
      } catch (e) {
        expect(e).toBeInstanceOf(PclntabError);
        outcomes.rejected++;
        continue;
      }
      try {
        for (const pc of pcs) {
          const fn = tab.findFunc(pc);
          if (fn === undefined) continue;
          tab.funcName(fn);
          tab.spDelta(fn, pc);
          tab.fileLine(fn, pc);
          tab.frames(pc);
        }
        [...tab.funcs()];
        outcomes.answered++;
      } catch (e) {
        expect(e).toBeInstanceOf(PclntabError);
        outcomes.failedLater++;
      }
    }
    // Both paths were exercised.
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.answered + outcomes.failedLater).toBeGreaterThan(0);
  });
});
