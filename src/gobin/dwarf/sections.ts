// The DWARF sections of an ELF file, decompressed. The Go linker compresses them with zlib: since
// Go 1.11 as `.zdebug_*` sections with a "ZLIB" header, in current releases as `.debug_*` sections
// flagged SHF_COMPRESSED that start with an ELF compression header; external linkers may do either.
import type { ElfFile, ElfSection } from "../../elf/elf.ts";
import { Cursor, DwarfError } from "./cursor.ts";

export interface DwarfSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  /** Only units written by C compilers refer to these; Go writes its strings inline. */
  str?: Uint8Array;
  lineStr?: Uint8Array;
  /** DWARF 5: the string offsets that DW_FORM_strx* index, per unit from its DW_AT_str_offsets_base. */
  strOffsets?: Uint8Array;
}

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const ELF64_CHDR_SIZE = 24;
const ELF64_SHDR_SIZE = 64;
/** Refuses to inflate more than this: a corrupted size field must not exhaust memory. */
const MAX_SECTION_SIZE = 1 << 30;

/** The file's DWARF sections, or undefined when it has no .debug_info (e.g. built with -ldflags=-w). */
export function readDwarfSections(elf: ElfFile): DwarfSections | undefined {
  const info = debugSection(elf, "info");
  if (info === undefined) return undefined;
  const abbrev = debugSection(elf, "abbrev");
  if (abbrev === undefined) throw new DwarfError(elf.path, "the file has .debug_info but no .debug_abbrev");
  return {
    info,
    abbrev,
    str: debugSection(elf, "str"),
    lineStr: debugSection(elf, "line_str"),
    strOffsets: debugSection(elf, "str_offsets"),
  };
}

/** Whether the file has `.debug_NAME` (or legacy `.zdebug_NAME`) with contents, found without reading them. */
export function hasDebugSection(elf: ElfFile, name: string): boolean {
  return [`.debug_${name}`, `.zdebug_${name}`].some((n) => {
    const s = elf.section(n);
    return s !== undefined && s.type !== "nobits";
  });
}

/** The decompressed bytes of `.debug_NAME` (or legacy `.zdebug_NAME`), or undefined when the file has none. */
export function debugSection(elf: ElfFile, name: string): Uint8Array | undefined {
  const plain = elf.section(`.debug_${name}`);
  if (plain !== undefined && plain.type !== "nobits") {
    const data = elf.sectionData(plain);
    return sectionFlags(elf, plain) & SHF_COMPRESSED ? inflateElfCompressed(elf, plain.name, data) : data;
  }
  const legacy = elf.section(`.zdebug_${name}`);
  if (legacy !== undefined && legacy.type !== "nobits") return inflateZdebug(elf, legacy.name, elf.sectionData(legacy));
  return undefined;
}

/** sh_flags of a section, read from the section header table (ElfSection does not carry them). */
function sectionFlags(elf: ElfFile, s: ElfSection): number {
  const bytes = elf.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shnum = view.getUint16(60, true);
  // ElfFile.parse has checked that the whole table lies inside the file.
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * ELF64_SHDR_SIZE;
    if (Number(view.getBigUint64(h + 24, true)) === s.offset && Number(view.getBigUint64(h + 32, true)) === s.size) {
      return Number(view.getBigUint64(h + 8, true));
    }
  }
  throw new DwarfError(elf.path, `section ${s.name} has no matching section header`);
}

function inflateElfCompressed(elf: ElfFile, name: string, data: Uint8Array): Uint8Array {
  const c = new Cursor(data, name, elf.path);
  const type = c.u32("compression header type");
  c.skip(4, "compression header");
  const size = c.u64("uncompressed size");
  c.skip(8, "compression header alignment");
  if (type !== ELFCOMPRESS_ZLIB) {
    c.fail(`compression type ${type} is not supported (only zlib, type ${ELFCOMPRESS_ZLIB})`);
  }
  return inflate(elf, name, data.subarray(ELF64_CHDR_SIZE), size);
}

function inflateZdebug(elf: ElfFile, name: string, data: Uint8Array): Uint8Array {
  const c = new Cursor(data, name, elf.path);
  const magic = String.fromCharCode(c.u8("magic"), c.u8("magic"), c.u8("magic"), c.u8("magic"));
  if (magic !== "ZLIB") c.fail('does not start with "ZLIB"');
  let size = 0;
  for (let i = 0; i < 8; i++) size = size * 256 + c.u8("uncompressed size");
  return inflate(elf, name, data.subarray(12), size);
}

function inflate(elf: ElfFile, name: string, compressed: Uint8Array, size: number): Uint8Array {
  if (size > MAX_SECTION_SIZE) {
    throw new DwarfError(elf.path, `${name}: uncompressed size ${size} is implausibly large`);
  }
  let out: Buffer;
  try {
    // node:zlib loads only here: the tracer's start-up rarely needs DWARF, and never compressed.
    const { inflateSync } = require("node:zlib") as typeof import("node:zlib");
    out = inflateSync(compressed, { maxOutputLength: Math.max(size, 1) });
  } catch (e) {
    throw new DwarfError(elf.path, `${name}: cannot inflate: ${(e as Error).message}`);
  }
  if (out.length !== size) {
    throw new DwarfError(elf.path, `${name}: inflated to ${out.length} bytes, the header says ${size}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
