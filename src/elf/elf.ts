// A small typed view of an ELF executable over its (memory-mapped) bytes. Only what gomodjail
// needs: machine, type, entry, sections, program segments. The header tables are read in place
// and the bytes are never written. Section headers are optional, as they are for the kernel: an
// executable stripped of them (e_shnum 0) still has its program headers, and those are enough
// to find Go's tables in the loadable segments.
import { arches } from "../arch/arches.ts";
import type { ArchName } from "../arch/name.ts";
import { mapFilePrivate } from "../libc/mmap.ts";

/** The architectures of src/arch, the only machines gomodjail reads. */
export type ElfMachine = ArchName;

export interface ElfSection {
  name: string;
  /** The section type: "progbits", "nobits", "symtab", "null"... or its number in hex when it has no name here. */
  type: string;
  addr: number;
  offset: number;
  size: number;
}

interface ElfSegment {
  /** The segment type: "load", "interp", "tls", "phdr"... or its number in hex when it has no name here. */
  type: string;
  /** p_flags: PF_X 1, PF_W 2, PF_R 4. */
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

/** A file that is not an ELF executable gomodjail can read; the message names the file. */
export class ElfError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "ElfError";
  }
}

const ET_EXEC = 2;
const ET_DYN = 3;
const ELF64_EHDR_SIZE = 64;
const ELF64_PHDR_SIZE = 56;
const ELF64_SHDR_SIZE = 64;
/** e_phnum's escape: the real count is in section 0's sh_info. */
const PN_XNUM = 0xffff;
/** e_shstrndx's escape: the real index is in section 0's sh_link. */
const SHN_XINDEX = 0xffff;

const SEGMENT_TYPES: Record<number, string> = {
  0: "null",
  1: "load",
  2: "dynamic",
  3: "interp",
  4: "note",
  5: "shlib",
  6: "phdr",
  7: "tls",
  0x6474e550: "gnu_eh_frame",
  0x6474e551: "gnu_stack",
  0x6474e552: "gnu_relro",
  0x6474e553: "gnu_property",
};

const SECTION_TYPES: Record<number, string> = {
  0: "null",
  1: "progbits",
  2: "symtab",
  3: "strtab",
  4: "rela",
  5: "hash",
  6: "dynamic",
  7: "note",
  8: "nobits",
  9: "rel",
  10: "shlib",
  11: "dynsym",
  14: "init_array",
  15: "fini_array",
  16: "preinit_array",
  17: "group",
  18: "symtab_shndx",
  0x6ffffff6: "gnu_hash",
  0x6ffffffd: "gnu_verdef",
  0x6ffffffe: "gnu_verneed",
  0x6fffffff: "gnu_versym",
};

const typeName = (names: Record<number, string>, n: number): string => names[n] ?? `0x${n.toString(16)}`;

export class ElfFile {
  private constructor(
    readonly path: string,
    /** The whole file. */
    readonly bytes: Uint8Array,
    readonly machine: ElfMachine,
    /** "dyn" is a position-independent executable (or a shared object). */
    readonly type: "exec" | "dyn",
    readonly entry: number,
    /** Empty when the file has no section headers. */
    readonly sections: readonly ElfSection[],
    readonly segments: readonly ElfSegment[],
  ) {}

  /** Maps the file at `path` into memory (not read up front) and parses its headers. */
  static open(path: string): ElfFile {
    let bytes: Uint8Array;
    try {
      bytes = mapFilePrivate(path);
    } catch (e) {
      throw new ElfError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return ElfFile.parse(bytes, path);
  }

  /** Parses the headers of the ELF file in `bytes` (which it never writes); throws ElfError. */
  static parse(bytes: Uint8Array, path: string): ElfFile {
    const fail = (reason: string): never => {
      throw new ElfError(path, reason);
    };
    if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      fail("not an ELF file");
    }
    if (bytes[4] !== 2) fail("32-bit ELF files are not supported (Go on amd64 and arm64 is 64-bit)");
    if (bytes[5] !== 1) fail("big-endian ELF files are not supported");
    if (bytes.length < ELF64_EHDR_SIZE) fail("truncated ELF header");

    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    /** A 64-bit field; anything at or above 2^53 is no offset, size or address of a real executable. */
    const u64 = (off: number, what: string): number => {
      const v = view.getBigUint64(off, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} 0x${v.toString(16)} is implausibly large`);
      return Number(v);
    };
    const eType = view.getUint16(16, true);
    const eMachine = view.getUint16(18, true);
    const machine = Object.values(arches).find((a) => a.elfMachine === eMachine)?.name;
    if (!machine) fail(`unsupported machine ${eMachine} (want x86-64 or AArch64)`);
    if (eType !== ET_EXEC && eType !== ET_DYN) fail(`not an executable (ELF type ${eType})`);
    const entry = u64(24, "entry point");
    const phoff = u64(32, "program header offset");
    const shoff = u64(40, "section header offset");
    const phentsize = view.getUint16(54, true);
    let phnum = view.getUint16(56, true);
    const shentsize = view.getUint16(58, true);
    let shnum = view.getUint16(60, true);
    let shstrndx = view.getUint16(62, true);

    /** Where the header table of `count` entries of `size` bytes at `offset` lies, checked against the file. */
    const table = (offset: number, count: number, entrySize: number, expectedSize: number, what: string): number[] => {
      if (count === 0) return [];
      if (entrySize !== expectedSize) fail(`${what} entries are ${entrySize} bytes, not ${expectedSize}`);
      if (offset + count * entrySize > bytes.length) fail(`truncated ${what}s`);
      return Array.from({ length: count }, (_, i) => offset + i * entrySize);
    };

    // Counts that do not fit in the ELF header live in the first section header (extended numbering).
    if (shoff !== 0 && (shnum === 0 || phnum === PN_XNUM || shstrndx === SHN_XINDEX)) {
      const [first] = table(shoff, 1, shentsize, ELF64_SHDR_SIZE, "section header");
      if (shnum === 0) shnum = u64(first + 32, "extended section count");
      if (phnum === PN_XNUM) phnum = view.getUint32(first + 44, true);
      if (shstrndx === SHN_XINDEX) shstrndx = view.getUint32(first + 40, true);
    }

    const segments: ElfSegment[] = table(phoff, phnum, phentsize, ELF64_PHDR_SIZE, "program header").map((at) => ({
      type: typeName(SEGMENT_TYPES, view.getUint32(at, true)),
      flags: view.getUint32(at + 4, true),
      offset: u64(at + 8, "segment offset"),
      vaddr: u64(at + 16, "segment address"),
      filesz: u64(at + 32, "segment file size"),
      memsz: u64(at + 40, "segment memory size"),
    }));
    for (const p of segments) {
      if (p.offset + p.filesz > bytes.length) fail("a program segment extends past the end of the file");
    }
    // Linkers give each loadable segment its own bytes of the file. Segments that share bytes
    // (a table of repeated entries) would make every scan of the segments repeat too.
    const loads = segments.filter((p) => p.type === "load" && p.filesz > 0).sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < loads.length; i++) {
      const prev = loads[i - 1];
      if (loads[i].offset < prev.offset + prev.filesz) {
        fail(`loadable segments share bytes of the file at offset 0x${loads[i].offset.toString(16)}`);
      }
    }

    const headers = table(shoff, shnum, shentsize, ELF64_SHDR_SIZE, "section header");
    if (headers.length > 0 && shstrndx >= headers.length) fail(`section name table index ${shstrndx} is out of range (${headers.length} sections)`);
    const sections: ElfSection[] = headers.map((at) => ({
      name: "",
      type: typeName(SECTION_TYPES, view.getUint32(at + 4, true)),
      addr: u64(at + 16, "section address"),
      offset: u64(at + 24, "section offset"),
      size: u64(at + 32, "section size"),
    }));
    // Index 0 (SHN_UNDEF) means the sections have no names.
    const names = shstrndx === 0 ? undefined : sections[shstrndx];
    if (names && (names.type === "nobits" || names.offset + names.size > bytes.length)) fail("the section name table is not in the file");
    sections.forEach((s, i) => {
      if (!names) return;
      const nameOff = view.getUint32(headers[i], true);
      const end = nameOff < names.size ? bytes.indexOf(0, names.offset + nameOff) : -1;
      if (end < 0 || end >= names.offset + names.size) fail(`section ${i} has no name in the section name table`);
      s.name = utf8.decode(bytes.subarray(names.offset + nameOff, end));
    });
    for (const s of sections) {
      if (s.type !== "nobits" && s.type !== "null" && s.offset + s.size > bytes.length) {
        fail(`section ${s.name || "(unnamed)"} extends past the end of the file`);
      }
    }

    return new ElfFile(path, bytes, machine!, eType === ET_DYN ? "dyn" : "exec", entry, sections, segments);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The file bytes of a section, without copying. A NOBITS section has none. */
  sectionData(s: ElfSection): Uint8Array {
    if (s.type === "nobits") return new Uint8Array(0);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** File bytes at a virtual address (as linked, without load bias), or undefined if not in the file. */
  readAt(vaddr: number, length: number): Uint8Array | undefined {
    for (const p of this.segments) {
      if (p.type !== "load" || vaddr < p.vaddr || vaddr + length > p.vaddr + p.filesz) continue;
      const off = p.offset + (vaddr - p.vaddr);
      return this.bytes.subarray(off, off + length);
    }
    return undefined;
  }
}

const utf8 = new TextDecoder("utf-8");
