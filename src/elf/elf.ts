// A small typed view of an ELF executable, parsed with elf-tools over a memory-mapped file.
// Only what gomodjail needs: machine, type, entry, sections, loadable segments.
import { parse as parseElfImage } from "elf-tools";
import { mapFilePrivate } from "../syscalls/mmap.ts";

export type ElfMachine = "amd64" | "arm64";

export interface ElfSection {
  name: string;
  /** elf-tools' name of the section type: "progbits", "nobits", "symtab"... */
  type: string;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  /** elf-tools' name of the segment type: "load", "interp", "tls"... */
  type: string;
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

const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const ELF64_EHDR_SIZE = 64;
const ELF64_PHDR_SIZE = 56;
const ELF64_SHDR_SIZE = 64;

export class ElfFile {
  private constructor(
    readonly path: string,
    /** The whole file. */
    readonly bytes: Uint8Array,
    readonly machine: ElfMachine,
    /** "dyn" is a position-independent executable (or a shared object). */
    readonly type: "exec" | "dyn",
    readonly entry: number,
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
    const eType = view.getUint16(16, true);
    const eMachine = view.getUint16(18, true);
    const machine = eMachine === EM_X86_64 ? "amd64" : eMachine === EM_AARCH64 ? "arm64" : undefined;
    if (!machine) fail(`unsupported machine ${eMachine} (want x86-64 or AArch64)`);
    if (eType !== 2 && eType !== 3) fail(`not an executable (ELF type ${eType})`);
    const phoff = Number(view.getBigUint64(32, true));
    const shoff = Number(view.getBigUint64(40, true));
    const phnum = view.getUint16(56, true);
    const shnum = view.getUint16(60, true);
    const shstrndx = view.getUint16(62, true);
    if (phoff + phnum * ELF64_PHDR_SIZE > bytes.length) fail("truncated program headers");
    if (shnum > 0 && (shoff + shnum * ELF64_SHDR_SIZE > bytes.length || shstrndx >= shnum)) {
      fail("truncated or corrupted section headers");
    }

    // elf-tools reverses 8-byte fields in place while it reads them: keep the header tables'
    // bytes and put them back afterwards, so that the mapped file reads as it is on disk.
    const tables = [
      [0, ELF64_EHDR_SIZE],
      [phoff, phoff + phnum * ELF64_PHDR_SIZE],
      [shoff, shoff + shnum * ELF64_SHDR_SIZE],
    ].map(([from, to]) => ({ from: from!, saved: bytes.slice(from, to) }));
    let image: ReturnType<typeof parseElfImage>;
    try {
      image = parseElfImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      return fail(`corrupted ELF headers (${(e as Error).message})`);
    } finally {
      for (const t of tables) bytes.set(t.saved, t.from);
    }

    const segments: ElfSegment[] = image.programs.map((p) => ({
      type: String(p.header.type),
      offset: p.header.offset,
      vaddr: p.header.vaddr,
      filesz: p.header.filesz,
      memsz: p.header.memsz,
    }));
    const sections: ElfSection[] = image.sections.map((s) => ({
      name: String(s.header.name ?? ""),
      type: String(s.header.type),
      addr: s.header.addr,
      offset: s.header.offset,
      size: s.header.size,
    }));
    for (const s of sections) {
      if (s.type !== "nobits" && s.type !== "null" && s.offset + s.size > bytes.length) {
        fail(`section ${s.name || "(unnamed)"} extends past the end of the file`);
      }
    }
    for (const p of segments) {
      if (p.offset + p.filesz > bytes.length) fail("a program segment extends past the end of the file");
    }
    return new ElfFile(path, bytes, machine!, eType === 3 ? "dyn" : "exec", Number(image.header.entry), sections, segments);
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
