// The runtime layout (offsets in runtime.g, runtime.m, runtime.ancestorInfo, and the TLS slot of
// g) on real binaries of every installed toolchain: the DWARF answer must equal the per-release
// table, a binary without DWARF must get the table, a release past the table must be refused, and
// the TLS offset must be the one the linker wrote into the runtime's own g loads.
import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { readBuildInfo } from "../../src/gobin/buildinfo.ts";
import { DwarfError } from "../../src/gobin/dwarf/cursor.ts";
import { readDwarfSections } from "../../src/gobin/dwarf/sections.ts";
import { DwarfStructReader } from "../../src/gobin/dwarf/structs.ts";
import {
  goRelease,
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
function offsets(l: RuntimeLayout): Pick<RuntimeLayout, "g" | "m" | "ancestorInfo"> {
  return { g: l.g, m: l.m, ancestorInfo: l.ancestorInfo };
}


describe("runtime layout from DWARF equals the per-release table", () => {
  for (const go of goToolchains()) {
    for (const goarch of ["amd64", "arm64"] as GoArch[]) {
      const variants: GoVariant[] = goarch === "amd64" ? ["default", "pie", "cgo"] : ["default", "pie"];
      for (const variant of variants) {
        test(`go${go}/${goarch}/${variant}: the DWARF offsets are the table's for ${go}`, () => {
          const { elf, goVersion } = open(corpusBinary({ go, goarch, variant }));
          const dwarf = runtimeLayout(elf, goVersion);
          expect(dwarf.source).toBe("dwarf");
          expect(goRelease(goVersion)).toBe(go);
          const stripped = open(corpusBinary({ go, goarch, variant: "stripped" }));
          const table = runtimeLayout(stripped.elf, stripped.goVersion);
          expect(table.source).toBe("table");
          expect(offsets(dwarf)).toEqual(offsets(table));
          // Fields that exist only in newer releases are present exactly from those releases on.
          const minor = Number(go.split(".")[1]);
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

  test("the table covers every installed toolchain", () => {
    for (const go of goToolchains()) expect(TABLE_RELEASES).toContain(go);
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
  const wanted = ["runtime.g", "runtime.m", "runtime.gobuf", "runtime.stack", "runtime.ancestorInfo"];

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
