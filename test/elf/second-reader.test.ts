// src/elf read against a second, independent reader: elf-tools (npm, MIT). The section and
// program headers of real Go binaries, of both architectures and every build variant, must
// read the same through both. elf-tools is given a copy of the bytes: its parser writes the
// buffer it reads (it reverses 8-byte fields in place). It cannot read an executable without
// section headers and has no name for AArch64's e_machine: there src/elf is checked by
// elf.test.ts alone.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parse } from "elf-tools";
import { ElfFile } from "../../src/elf/elf.ts";
import { corpusBinary } from "../helpers/corpus.ts";
import { goToolchains } from "../helpers/gobuild.ts";
import { syntheticElf } from "../helpers/synthetic-elf.ts";

const oldestGo = goToolchains()[0]!;
const newestGo = goToolchains().at(-1)!;

/** p_flags from elf-tools' names; it has names for the permission bits only (PF_X, PF_W, PF_R). */
const segmentFlag: Record<string, number> = { execute: 1, write: 2, read: 4 };
const PERMISSIONS = 7;

// Where the two name a type differently (elf-tools uses Solaris names for some GNU numbers).
const sameType: Record<string, string> = { sunw_eh_frame: "gnu_eh_frame", sunw_verdef: "gnu_verdef", sunw_verneed: "gnu_verneed", hios: "gnu_versym" };

/** The headers as elf-tools reads them, in src/elf's terms; a type it has no name for stays undefined. */
function readByElfTools(bytes: Uint8Array) {
  const elf = parse(Buffer.from(bytes));
  const type = (name: string | undefined) => (name === undefined ? undefined : (sameType[name] ?? name));
  return {
    machine: elf.header.machine,
    type: elf.header.type,
    entry: elf.header.entry,
    sections: elf.sections.map(({ header: h }) => ({ name: h.name, type: type(h.type), addr: h.addr, offset: h.offset, size: h.size })),
    segments: elf.programs.map(({ header: h }) => ({
      type: type(h.type),
      flags: h.flags.split("|").reduce((bits, name) => bits | (name === "" ? 0 : segmentFlag[name]), 0),
      offset: h.offset,
      vaddr: h.vaddr,
      filesz: h.filesz,
      memsz: h.memsz,
    })),
  };
}

/** src/elf's reading, with the types elf-tools has no name for left undefined as it leaves them. */
function readBySrcElf(bytes: Uint8Array, path: string, unnamed: { sections: Set<number>; segments: Set<number> }) {
  const elf = ElfFile.parse(bytes, path);
  return {
    type: elf.type,
    entry: elf.entry,
    sections: elf.sections.map((s, i) => ({ name: s.name, type: unnamed.sections.has(i) ? undefined : s.type, addr: s.addr, offset: s.offset, size: s.size })),
    // Go 1.19's PT_PAX_FLAGS segment has bits elf-tools cannot name.
    segments: elf.segments.map((s, i) => ({ ...s, type: unnamed.segments.has(i) ? undefined : s.type, flags: s.flags & PERMISSIONS })),
  };
}

describe("src/elf and elf-tools read the same headers", () => {
  const builds = [
    ...(["default", "pie", "stripped", "trimpath", "cgo"] as const).map((variant) => ({ go: newestGo, goarch: "amd64", variant }) as const),
    ...(["default", "pie", "stripped"] as const).map((variant) => ({ go: newestGo, goarch: "arm64", variant }) as const),
    { go: oldestGo, goarch: "amd64", variant: "default" },
    { go: oldestGo, goarch: "arm64", variant: "default" },
  ] as const;

  test.each(builds.map((b) => [`go${b.go}/${b.goarch}/${b.variant}`, b] as const))("%s", (_label, build) => {
    const path = corpusBinary(build);
    const bytes = new Uint8Array(readFileSync(path));
    const theirs = readByElfTools(bytes);
    const unnamed = {
      sections: new Set(theirs.sections.flatMap((s, i) => (s.type === undefined ? [i] : []))),
      segments: new Set(theirs.segments.flatMap((s, i) => (s.type === undefined ? [i] : []))),
    };
    const ours = readBySrcElf(bytes, path, unnamed);
    expect(ours.sections.length).toBeGreaterThan(10);
    expect({ type: theirs.type, entry: theirs.entry, sections: theirs.sections, segments: theirs.segments }).toEqual(ours);
    // elf-tools names x86-64's machine, not AArch64's.
    expect(theirs.machine).toBe(build.goarch === "amd64" ? "amd64" : undefined);
  });

  test("elf-tools cannot read an executable without section headers, which src/elf reads", () => {
    const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });
    const bare = new Uint8Array(readFileSync(path));
    const view = new DataView(bare.buffer);
    view.setBigUint64(40, 0n, true); // e_shoff
    view.setUint16(60, 0, true); // e_shnum
    view.setUint16(62, 0, true); // e_shstrndx
    expect(() => parse(Buffer.from(bare))).toThrow();
    expect(ElfFile.parse(bare, path).segments.length).toBeGreaterThan(0);
  });
});

describe("a synthetic executable built by elf-tools", () => {
  test.each(["amd64", "arm64"] as const)("%s: src/elf reads its machine, entry, sections and segments", (machine) => {
    const bytes = syntheticElf(machine);
    const elf = ElfFile.parse(bytes, "synthetic");
    expect({ machine: elf.machine, type: elf.type }).toEqual({ machine, type: "exec" });
    expect(elf.sections.map((s) => [s.name, s.type])).toEqual([["", "null"], [".text", "progbits"], [".data", "progbits"], [".shstrtab", "strtab"]]);
    expect(elf.entry).toBe(elf.section(".text")!.addr);
    expect(elf.segments.filter((s) => s.type === "load").length).toBeGreaterThan(0);
  });
});
