// The runtime layout (offsets in runtime.g, runtime.m, runtime.ancestorInfo, the records of running
// deferred calls, and the TLS slot of g) on real binaries of every installed toolchain: the DWARF
// answer must equal the per-release table, a binary without DWARF must get the table, a release
// past the table must be refused, and the TLS offset must be the one the linker wrote into the
// runtime's own g loads.
import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { readBuildInfo } from "../../src/gobin/buildinfo.ts";
import { DwarfError } from "../../src/gobin/dwarf/cursor.ts";
import { type DwarfSections, readDwarfSections } from "../../src/gobin/dwarf/sections.ts";
import { DwarfStructReader } from "../../src/gobin/dwarf/structs.ts";
import { NEWEST_KNOWN_GO, parseGoVersion } from "../../src/gobin/go-release.ts";

const goRelease = (goVersion: string) => parseGoVersion(goVersion)?.release;
import {
  type RuntimeLayout,
  RuntimeLayoutError,
  runtimeLayout,
  TABLE_RELEASES,
} from "../../src/gobin/runtime-layout.ts";
import { corpusBinary } from "../helpers/corpus.ts";
import { type GoArch, type GoVariant, goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const glayoutDir = join(repoRoot, "test/fixtures/glayout");

function open(path: string): { elf: ElfFile; goVersion: string } {
  const elf = ElfFile.open(path);
  return { elf, goVersion: readBuildInfo(elf)!.goVersion };
}

/** The offsets only, without where they came from. */
function offsets(l: RuntimeLayout): Pick<RuntimeLayout, "g" | "m" | "ancestorInfo" | "runningDefers"> {
  return { g: l.g, m: l.m, ancestorInfo: l.ancestorInfo, runningDefers: l.runningDefers };
}

/** The DWARF version of every unit in .debug_info (32-bit DWARF, as Go and gcc write it). */
function unitVersions(info: Uint8Array): Set<number> {
  const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
  const versions = new Set<number>();
  for (let at = 0; at < info.length; at += 4 + view.getUint32(at, true)) versions.add(view.getUint16(at + 4, true));
  return versions;
}

describe("runtime layout from DWARF equals the per-release table", () => {
  for (const go of goToolchains()) {
    const minor = Number(go.split(".")[1]);
    // The Go linker writes DWARF 5 by default from 1.25 on.
    const dwarfVersion = minor >= 25 ? 5 : 4;
    for (const goarch of ["amd64", "arm64"] as GoArch[]) {
      const variants: GoVariant[] = goarch === "amd64" ? ["default", "pie", "cgo"] : ["default", "pie"];
      for (const variant of variants) {
        test(`go${go}/${goarch}/${variant}: the DWARF ${dwarfVersion} offsets are the table's for ${go}`, () => {
          const { elf, goVersion } = open(corpusBinary({ go, goarch, variant }));
          // cgo binaries also hold gcc's units, DWARF 5 whatever the Go release.
          const versions = unitVersions(readDwarfSections(elf)!.info);
          if (variant === "cgo") expect(versions).toContain(dwarfVersion);
          else expect([...versions]).toEqual([dwarfVersion]);
          const dwarf = runtimeLayout(elf, goVersion);
          expect(dwarf.source).toBe("dwarf");
          expect(goRelease(goVersion)).toBe(go);
          const stripped = open(corpusBinary({ go, goarch, variant: "stripped" }));
          const table = runtimeLayout(stripped.elf, stripped.goVersion);
          expect(table.source).toBe("table");
          expect(offsets(dwarf)).toEqual(offsets(table));
          // Fields that exist only in newer releases are present exactly from those releases on.
          expect(dwarf.g.parentGoid !== undefined).toBe(minor >= 21);
          expect(dwarf.g.syscallbp !== undefined).toBe(minor >= 23);
        });
      }

      test(`go${go}/${goarch}/stripped: a binary built with -s -w has no DWARF and gets the table`, () => {
        const { elf, goVersion } = open(corpusBinary({ go, goarch, variant: "stripped" }));
        expect(elf.section(".debug_info")).toBeUndefined();
        const layout = runtimeLayout(elf, goVersion);
        expect(layout.source).toBe("table");
        const withDwarf = open(corpusBinary({ go, goarch, variant: "default" }));
        expect(offsets(layout)).toEqual(offsets(runtimeLayout(withDwarf.elf, withDwarf.goVersion)));
      });
    }
  }

  test("the table covers every installed toolchain, and every release from 1.19 to the newest gomodjail accepts", () => {
    for (const go of goToolchains()) expect(TABLE_RELEASES).toContain(go);
    const newest = Number(NEWEST_KNOWN_GO.split(".")[1]);
    expect(TABLE_RELEASES).toEqual(Array.from({ length: newest - 18 }, (_, i) => `1.${19 + i}`));
  });
});

describe("a layout that cannot be known is refused", () => {
  const latest = goToolchains().at(-1)!;
  const stripped = (): ElfFile => ElfFile.open(corpusBinary({ go: latest, goarch: "amd64", variant: "stripped" }));

  test("a release newer than the table, without DWARF, is a RuntimeLayoutError naming the release", () => {
    const next = `go1.${Number(TABLE_RELEASES.at(-1)!.split(".")[1]) + 1}.0`;
    expect(() => runtimeLayout(stripped(), next)).toThrow(RuntimeLayoutError);
    expect(() => runtimeLayout(stripped(), next)).toThrow(`${next} is not in the table`);
  });

  test("a development build or an unknown release, without DWARF, is refused; with DWARF its own offsets are used", () => {
    expect(() => runtimeLayout(stripped(), "devel go1.24-0123456 Tue Jan 1 00:00:00 2025 +0000")).toThrow(RuntimeLayoutError);
    expect(() => runtimeLayout(stripped(), "go1.18.10")).toThrow(RuntimeLayoutError);
    expect(() => runtimeLayout(stripped(), undefined)).toThrow("neither DWARF nor build information");
    const withDwarf = ElfFile.open(corpusBinary({ go: latest, goarch: "amd64", variant: "default" }));
    const future = runtimeLayout(withDwarf, "go1.99.0");
    expect(future.source).toBe("dwarf");
    // How many pcs the runtime keeps of an ancestor's stack is a release's constant, not in DWARF.
    expect(future.ancestorPcsLimit).toBeUndefined();
  });

  test("Go version strings map to their release; betas and development builds to none", () => {
    expect(goRelease("go1.21.13")).toBe("1.21");
    expect(goRelease("go1.20")).toBe("1.20");
    expect(goRelease("go1.22rc1")).toBe("1.22");
    expect(goRelease("go1.23.5 X:boringcrypto")).toBe("1.23");
    expect(goRelease("go1.21beta1")).toBeUndefined();
    expect(goRelease("devel go1.24-abc")).toBeUndefined();
    expect(goRelease("go1.2x")).toBeUndefined();
  });
});

/**
 * The TLS offsets in every load of g into R14 in the text: `mov %fs:disp32, %r14` (local exec), or
 * in a PIE `mov $imm32, %r14; mov %fs:(%r14), %r14` (initial exec, resolved by the linker).
 */
function fsLoadsOfG(elf: ElfFile): Set<number> {
  const text = elf.sectionData(elf.section(".text")!);
  const view = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const at = (i: number, bytes: number[]): boolean => bytes.every((b, k) => text[i + k] === b);
  const found = new Set<number>();
  for (let i = text.indexOf(0x64); i >= 0 && i + 9 <= text.length; i = text.indexOf(0x64, i + 1)) {
    if (at(i, [0x64, 0x4c, 0x8b, 0x34, 0x25])) found.add(view.getInt32(i + 5, true));
    else if (i >= 7 && at(i, [0x64, 0x4d, 0x8b, 0x36]) && at(i - 7, [0x49, 0xc7, 0xc6])) found.add(view.getInt32(i - 4, true));
  }
  return found;
}

describe("where a thread keeps g in TLS", () => {
  const latest = goToolchains().at(-1)!;
  for (const go of goToolchains()) {
    const builds: [string, string][] = [
      ["corpus default", corpusBinary({ go, goarch: "amd64", variant: "default" })],
      ["corpus pie", corpusBinary({ go, goarch: "amd64", variant: "pie" })],
      ["corpus cgo", corpusBinary({ go, goarch: "amd64", variant: "cgo" })],
      ["glayout cgo with C thread-locals", goBuild({ dir: glayoutDir, go, variant: "cgo" })],
    ];
    for (const [label, path] of builds) {
      test(`go${go}/amd64 ${label}: the offset from FS is the one the runtime's own loads of g use`, () => {
        const { elf, goVersion } = open(path);
        const { tlsG } = runtimeLayout(elf, goVersion);
        expect(tlsG).toMatchObject({ known: true, register: "fs_base" });
        const loads = fsLoadsOfG(elf);
        expect(loads.size).toBe(1);
        expect(tlsG.known && [...loads][0] === tlsG.offset).toBe(true);
      });
    }
  }

  test("C thread-locals in the executable move g away from -8(FS)", () => {
    const { elf, goVersion } = open(goBuild({ dir: glayoutDir, go: latest, variant: "cgo" }));
    expect(runtimeLayout(elf, goVersion).tlsG).toEqual({ known: true, register: "fs_base", offset: -40 });
  });

  test("without a symbol table, a TLS block shared with C thread-locals leaves g's slot unknown", () => {
    const { elf, goVersion } = open(goBuild({ dir: glayoutDir, go: latest, variant: "cgo", flags: ["-ldflags=-s -w"] }));
    const { tlsG } = runtimeLayout(elf, goVersion);
    expect(tlsG.known).toBe(false);
    expect(tlsG.known === false && tlsG.reason).toContain("no symbol table");
  });

  test("arm64 without cgo keeps g only in R28", () => {
    for (const variant of ["default", "stripped", "pie"] as GoVariant[]) {
      const { elf, goVersion } = open(corpusBinary({ go: latest, goarch: "arm64", variant }));
      const { tlsG } = runtimeLayout(elf, goVersion);
      expect(tlsG.known).toBe(false);
      expect(tlsG.known === false && tlsG.reason).toContain("R28");
    }
  });
});

/** A small deterministic generator, so that a failing mutation can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("damaged DWARF", () => {
  const path = corpusBinary({ go: goToolchains().at(-1)!, goarch: "amd64", variant: "default" });
  const sections = readDwarfSections(ElfFile.open(path))!;
  const wanted = ["runtime.g", "runtime.m", "runtime.gobuf", "runtime.stack", "runtime.ancestorInfo", "runtime._panic", "runtime._defer"];

  test("300 corrupted copies of .debug_info and .debug_abbrev end in a result or a DwarfError, never another exception", () => {
    const rand = prng(1);
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const info = sections.info.slice();
      const abbrev = sections.abbrev.slice();
      const target = i % 4 === 0 ? abbrev : info;
      // Damage the parts the reader must walk: the first unit headers and the runtime's unit.
      const span = Math.min(target.length, i % 2 === 0 ? 4096 : target.length);
      for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) target[Math.floor(rand() * span)] = Math.floor(rand() * 256);
      const cut = i % 5 === 0 ? Math.floor(rand() * target.length) : target.length;
      const damaged = { ...sections, info: target === info ? info.subarray(0, cut) : info, abbrev: target === abbrev ? abbrev.subarray(0, cut) : abbrev };
      try {
        new DwarfStructReader(damaged, "damaged").findStructs(wanted);
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });

  test("a compressed section whose header claims a huge size is refused before inflating", () => {
    const bytes = new Uint8Array(ElfFile.open(path).bytes);
    const elf = ElfFile.parse(bytes, "huge");
    const info = elf.section(".debug_info")!;
    new DataView(bytes.buffer).setBigUint64(info.offset + 8, 1n << 40n, true);
    expect(() => runtimeLayout(elf, "go1.23.5")).toThrow(RuntimeLayoutError);
    expect(() => runtimeLayout(elf, "go1.23.5")).toThrow("implausibly large");
  });

  test("a compressed section with garbage in place of zlib data is refused", () => {
    const bytes = new Uint8Array(ElfFile.open(path).bytes);
    const elf = ElfFile.parse(bytes, "garbage");
    const info = elf.section(".debug_info")!;
    bytes.fill(0x55, info.offset + 24, info.offset + 64);
    expect(() => runtimeLayout(elf, "go1.23.5")).toThrow("cannot inflate");
  });
});

/** Little-endian bytes of an unsigned value. */
function le(value: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => Math.floor(value / 256 ** i) % 256);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    out.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0));
    value >>>= 7;
  } while (value > 0);
  return out;
}

/**
 * A DWARF 5 unit of the kind a C compiler writes rather than Go: every name through .debug_str_offsets
 * (DW_FORM_strx1/2/4 and strx, the unit's name before its DW_AT_str_offsets_base), a member offset
 * as DW_FORM_implicit_const, and addrx, rnglistx, loclistx, line_strp and data16 attributes to step
 * over. It says it is Go, so that its struct runtime.g {a at 0, b at 8, c at 16; 24 bytes} is read.
 */
function dwarf5Unit(opts: { unitType?: number; strOffsetsBase?: boolean; memberLocationForm?: number } = {}): DwarfSections {
  const { unitType = 1, strOffsetsBase = true, memberLocationForm = 0x0b } = opts;
  const names = ["runtime", "runtime.g", "a", "b", "c"];
  const str: number[] = [0];
  const offsets = names.map((n) => {
    const at = str.length;
    str.push(...new TextEncoder().encode(n), 0);
    return at;
  });
  // .debug_str_offsets: an 8-byte header (length, version 5, padding), then one offset per string.
  const strOffsets = [...le(4 + 4 * names.length, 4), ...le(5, 2), 0, 0, ...offsets.flatMap((o) => le(o, 4))];
  const base = strOffsetsBase ? [[0x72, 0x17]] : [];
  const abbrev = [
    ...[1, 0x11, 1, 0x03, 0x25, 0x13, 0x0b, 0x11, 0x1b, 0x55, 0x23, 0x1b, 0x1f, ...base.flat(), 0, 0],
    ...[2, 0x13, 1, 0x03, 0x26, 0x0b, 0x0f, 0x1c, 0x1e, 0, 0],
    ...[3, 0x0d, 0, 0x03, 0x1a, 0x38, memberLocationForm, 0, 0],
    ...[4, 0x0d, 0, 0x03, 0x28, 0x38, 0x21, 16, 0x02, 0x22, 0, 0],
    0,
  ];
  const location = (offset: number): number[] => (memberLocationForm === 0x17 ? le(offset, 4) : [offset]);
  const dies = [
    ...[1, 0, 0x16, ...uleb(0), ...uleb(0), ...le(0, 4), ...(strOffsetsBase ? le(8, 4) : [])],
    ...[2, ...le(1, 2), ...uleb(24), ...new Array(16).fill(0xee)],
    ...[3, ...uleb(2), ...location(0)],
    ...[3, ...uleb(3), ...location(8)],
    ...[4, ...le(4, 4), ...uleb(0)],
    0,
    0,
  ];
  const header = [...le(5, 2), unitType, 8, ...le(0, 4)];
  const info = [...le(header.length + dies.length, 4), ...header, ...dies];
  return {
    info: new Uint8Array(info),
    abbrev: new Uint8Array(abbrev),
    str: new Uint8Array(str),
    lineStr: new Uint8Array([0]),
    strOffsets: new Uint8Array(strOffsets),
  };
}

describe("DWARF 5 forms that C compilers write", () => {
  const read = (sections: DwarfSections) => new DwarfStructReader(sections, "synthetic").findStructs(["runtime.g"]);

  test("names through DW_FORM_strx* and .debug_str_offsets resolve, and addrx, rnglistx, loclistx, line_strp and data16 are stepped over", () => {
    const g = read(dwarf5Unit()).get("runtime.g");
    expect(g).toEqual({ name: "runtime.g", byteSize: 24, members: new Map([["a", 0], ["b", 8], ["c", 16]]) });
  });

  test("a member whose offset is a location list, not a constant, is a DwarfError", () => {
    expect(() => read(dwarf5Unit({ memberLocationForm: 0x17 }))).toThrow(DwarfError);
    expect(() => read(dwarf5Unit({ memberLocationForm: 0x17 }))).toThrow("member a of runtime.g has no constant offset (form 0x17)");
  });

  test("a string index in a unit without DW_AT_str_offsets_base is a DwarfError", () => {
    expect(() => read(dwarf5Unit({ strOffsetsBase: false }))).toThrow("without DW_AT_str_offsets_base");
  });

  test("an unknown form or unit type is a DwarfError, not a skipped value", () => {
    expect(() => read(dwarf5Unit({ memberLocationForm: 0x50 }))).toThrow("unknown form 0x50");
    expect(() => read(dwarf5Unit({ unitType: 0x80 }))).toThrow("unknown unit type 128");
  });
});

describe("the other ways DWARF sections are stored", () => {
  const objcopy = Bun.which("objcopy");
  const path = corpusBinary({ go: goToolchains().at(-1)!, goarch: "amd64", variant: "default" });

  test.skipIf(!objcopy)("uncompressed and .zdebug (zlib-gnu) copies give the same layout as the linker's SHF_COMPRESSED one", () => {
    const { elf, goVersion } = open(path);
    const reference = runtimeLayout(elf, goVersion);
    for (const [mode, sectionName] of [
      ["--decompress-debug-sections", ".debug_info"],
      ["--compress-debug-sections=zlib-gnu", ".zdebug_info"],
    ]) {
      const out = join(repoRoot, ".cache", `runtime-layout-${mode.replace(/\W+/g, "")}-${process.pid}`);
      const res = Bun.spawnSync([objcopy!, mode, path, out], { stderr: "pipe" });
      expect(res.exitCode).toBe(0);
      const copy = ElfFile.parse(new Uint8Array(readFileSync(out)), out);
      rmSync(out);
      expect(copy.section(sectionName)).toBeDefined();
      const layout = runtimeLayout(copy, goVersion);
      expect(layout.source).toBe("dwarf");
      expect(offsets(layout)).toEqual(offsets(reference));
    }
  });
});
