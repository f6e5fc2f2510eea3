// The ELF reader on real Go binaries: headers read in place without writing the bytes, and
// executables without section headers (legal: the kernel reads only program headers), on which
// the Go tables are still found by scanning the loadable segments.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ElfError, ElfFile } from "../../src/elf/elf.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { readBuildInfo } from "../../src/gobin/buildinfo.ts";
import { Pclntab } from "../../src/gobin/pclntab.ts";
import { samplePCs } from "../gobin/pclntab-oracle.ts";
import { corpusBinary } from "../helpers/corpus.ts";
import { goToolchains } from "../helpers/gobuild.ts";

const oldestGo = goToolchains()[0]!;
const newestGo = goToolchains().at(-1)!;

/** The file with e_shoff, e_shnum and e_shstrndx zeroed: no section headers at all. */
function withoutSectionHeaders(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  view.setBigUint64(40, 0n, true);
  view.setUint16(60, 0, true);
  view.setUint16(62, 0, true);
  return copy;
}

describe("ElfFile.parse", () => {
  test("reads the headers of a Go binary without writing its bytes", () => {
    const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });
    const bytes = new Uint8Array(readFileSync(path));
    const before = bytes.slice();
    const elf = ElfFile.parse(bytes, path);
    expect(Buffer.compare(bytes, before)).toBe(0);
    expect({ machine: elf.machine, type: elf.type }).toEqual({ machine: "amd64", type: "exec" });
    expect(elf.section(".gopclntab")?.type).toBe("progbits");
    expect(elf.section(".bss")?.type).toBe("nobits");
    // Go's text segment is read-execute, its data segment read-write.
    const loads = elf.segments.filter((s) => s.type === "load");
    expect(loads.map((s) => s.flags)).toEqual([4 | 1, 4, 4 | 2]);
  });

  // Found by the fuzzer: 4096 copies of the program headers and no section headers made the Go
  // table scans run once per copy (up to 110 s per file).
  test("loadable segments that share file bytes are refused", () => {
    const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });
    const original = new Uint8Array(readFileSync(path));
    const { segments } = ElfFile.parse(original, path);
    const phoff = Number(new DataView(original.buffer).getBigUint64(32, true));
    const copies = 64;
    const bytes = new Uint8Array(original.length + copies * 56);
    bytes.set(withoutSectionHeaders(original));
    for (let i = 0; i < copies; i++) {
      const entry = phoff + 56 * (i % segments.length);
      bytes.copyWithin(original.length + 56 * i, entry, entry + 56);
    }
    const view = new DataView(bytes.buffer);
    view.setBigUint64(32, BigInt(original.length), true);
    view.setUint16(56, copies, true);
    expect(() => ElfFile.parse(bytes, "repeated")).toThrow(new ElfError("repeated", "loadable segments share bytes of the file at offset 0x0"));
  });

  test("an entry size that is not ELF64's is refused", () => {
    const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });
    const bytes = new Uint8Array(readFileSync(path));
    new DataView(bytes.buffer).setUint16(54, 32, true);
    expect(() => ElfFile.parse(bytes, "phentsize")).toThrow(new ElfError("phentsize", "program header entries are 32 bytes, not 56"));
  });
});

describe("an executable without section headers", () => {
  const builds = [
    { go: newestGo, goarch: "amd64", variant: "default" },
    { go: newestGo, goarch: "amd64", variant: "pie" },
    { go: newestGo, goarch: "amd64", variant: "cgo" },
    { go: newestGo, goarch: "arm64", variant: "stripped" },
    { go: oldestGo, goarch: "amd64", variant: "default" },
  ] as const;

  test.each(builds.map((b) => [`go${b.go}/${b.goarch}/${b.variant}`, b] as const))(
    "%s: parses with its segments, and the function table and build information read as in the original",
    (_label, build) => {
      const path = corpusBinary(build);
      const original = new Uint8Array(readFileSync(path));
      const full = ElfFile.parse(original, path);
      const bare = ElfFile.parse(withoutSectionHeaders(original), path);
      expect(full.sections.length).toBeGreaterThan(10);
      expect(bare.sections).toEqual([]);
      expect(bare.segments).toEqual(full.segments);
      expect({ machine: bare.machine, type: bare.type, entry: bare.entry }).toEqual({ machine: full.machine, type: full.type, entry: full.entry });

      const info = readBuildInfo(full);
      expect(info?.main?.path).toBe("example.com/app");
      expect(readBuildInfo(bare)).toEqual(info);

      const tab = Pclntab.fromElf(full, { goVersion: info!.goVersion });
      const scanned = Pclntab.fromElf(bare, { goVersion: info!.goVersion });
      expect(scanned.source).toBe("segment scan");
      expect(scanned.addr).toBe(tab.addr);
      expect([...scanned.funcs()]).toEqual([...tab.funcs()]);
      for (const pc of samplePCs(tab, 300)) {
        const fn = tab.findFunc(pc)!;
        expect(scanned.findFunc(pc)).toBe(fn);
        expect(scanned.spDelta(fn, pc)).toBe(tab.spDelta(fn, pc));
        expect(scanned.frames(pc)).toEqual(tab.frames(pc));
      }
    },
  );

  test("GoBinary.open reads it from disk", () => {
    const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "pie" });
    const dir = mkdtempSync(join(tmpdir(), "gomodjail-elf-"));
    try {
      const bare = join(dir, "prog");
      writeFileSync(bare, withoutSectionHeaders(new Uint8Array(readFileSync(path))));
      const binary = GoBinary.open(bare);
      const reference = Pclntab.fromElf(ElfFile.parse(new Uint8Array(readFileSync(path)), path));
      expect({ pie: binary.pie, sections: binary.elf.sections.length, source: binary.pclntab.source }).toEqual({ pie: true, sections: 0, source: "segment scan" });
      expect(binary.pclntab.funcCount).toBe(reference.funcCount);
      expect([...binary.pclntab.funcs()]).toEqual([...reference.funcs()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
