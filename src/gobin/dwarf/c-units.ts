// The compilation units of a cgo binary that Go did not write (C, C++, assembler compiled by the
// external toolchain): where their code lies, their functions, and every source file their line
// programs name. That is how `gomodjail analyze` attributes C code to modules: cgo writes the C
// of a package's preamble with `#line` directives to its .go files, and compiles a package's own
// .c files in its directory, so each such unit names a file of its package.
// DWARF 2-5 as GCC and Clang write it: addresses direct or through .debug_addr, ranges through
// .debug_ranges or .debug_rnglists, strings inline or through .debug_str(_offsets)/.debug_line_str.
import type { ElfFile } from "../../elf/elf.ts";
import { Cursor, DwarfError, stringAt } from "./cursor.ts";
import { debugSection } from "./sections.ts";

export type AddressRange = readonly [start: number, end: number];

export interface ForeignFunction {
  name: string;
  ranges: AddressRange[];
  /** The file the function is declared in (for cgo preambles, the .go file), when known. */
  declFile?: string;
  declLine?: number;
}

export interface ForeignUnit {
  /** DW_AT_name resolved against DW_AT_comp_dir. */
  name: string;
  /** DW_AT_language (DW_LANG_*); undefined when absent. */
  language: number | undefined;
  ranges: AddressRange[];
  functions: ForeignFunction[];
  /** Every file of the unit's line program, resolved against its directories. */
  files: string[];
}

const DW_TAG_compile_unit = 0x11;
const DW_TAG_subprogram = 0x2e;
const DW_AT = {
  name: 0x03,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  language: 0x13,
  comp_dir: 0x1b,
  abstract_origin: 0x31,
  decl_file: 0x3a,
  decl_line: 0x3b,
  specification: 0x47,
  ranges: 0x55,
  str_offsets_base: 0x72,
  addr_base: 0x73,
  rnglists_base: 0x74,
  linkage_name: 0x6e,
} as const;
const DW_LANG_Go = 0x16;

const F = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  ref_sup4: 0x1c,
  strp_sup: 0x1d,
  data16: 0x1e,
  line_strp: 0x1f,
  ref_sig8: 0x20,
  implicit_const: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  ref_sup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  GNU_addr_index: 0x1f01,
  GNU_str_index: 0x1f02,
  GNU_ref_alt: 0x1f20,
  GNU_strp_alt: 0x1f21,
} as const;

interface Abbrev {
  tag: number;
  hasChildren: boolean;
  attrs: { at: number; form: number; implicit?: number }[];
}

interface Unit {
  start: number;
  diesStart: number;
  end: number;
  version: number;
  offsetSize: 4 | 8;
  addressSize: number;
  abbrevs: Map<number, Abbrev>;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  /** The unit's base address (its DW_AT_low_pc) for range lists. */
  base: number;
}

/** A value as read, before indexes and unit-relative references are resolved. */
type Raw =
  | { cls: "const" | "addr" | "offset" | "ref" | "refAddr"; value: number }
  | { cls: "addrx" | "strx" | "rnglistx"; index: number }
  | { cls: "string"; value: string }
  | { cls: "none" };

const NONE: Raw = { cls: "none" };

/**
 * The units of `elf` not written by Go, or undefined when the file has no DWARF (built with
 * -ldflags=-w, or stripped). Throws DwarfError on damaged debug information.
 */
export function readForeignUnits(elf: ElfFile): ForeignUnit[] | undefined {
  const info = debugSection(elf, "info");
  if (info === undefined) return undefined;
  return new ForeignUnitReader(elf, info).read();
}

class ForeignUnitReader {
  private readonly abbrevTables = new Map<number, Map<number, Abbrev>>();
  private readonly sections = new Map<string, Uint8Array | undefined>();

  constructor(
    private readonly elf: ElfFile,
    private readonly info: Uint8Array,
  ) {}

  private section(name: string): Uint8Array | undefined {
    if (!this.sections.has(name)) this.sections.set(name, debugSection(this.elf, name));
    return this.sections.get(name);
  }

  private need(name: string, c: Cursor): Uint8Array {
    return this.section(name) ?? c.fail(`an attribute refers to .debug_${name}, which the file lacks`);
  }

  read(): ForeignUnit[] {
    const units: ForeignUnit[] = [];
    const c = new Cursor(this.info, ".debug_info", this.elf.path);
    while (!c.atEnd) {
      const unit = this.unitHeader(c);
      const found = this.readUnit(unit);
      if (found) units.push(found);
      c.pos = unit.end;
    }
    return units;
  }

  private unitHeader(c: Cursor): Unit {
    const start = c.pos;
    let length = c.u32("unit length");
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = c.u64("64-bit unit length");
      offsetSize = 8;
    }
    const end = c.pos + length;
    if (end > c.bytes.length) c.fail(`unit at offset ${start} runs past the end of the section`);
    const version = c.u16("unit version");
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 2 && version <= 4) {
      abbrevOffset = c.offset(offsetSize, "abbreviation offset");
      addressSize = c.u8("address size");
    } else if (version === 5) {
      const unitType = c.u8("unit type");
      addressSize = c.u8("address size");
      abbrevOffset = c.offset(offsetSize, "abbreviation offset");
      if (unitType === 4 || unitType === 5) c.skip(8, "unit id");
      else if (unitType === 2 || unitType === 6) c.skip(8 + offsetSize, "type signature and offset");
    } else {
      return c.fail(`unit at offset ${start} has unsupported DWARF version ${version}`);
    }
    return {
      start,
      diesStart: c.pos,
      end,
      version,
      offsetSize,
      addressSize,
      abbrevs: this.abbrevTable(abbrevOffset),
      strOffsetsBase: 8,
      addrBase: 8,
      rnglistsBase: 12,
      base: 0,
    };
  }

  private abbrevTable(offset: number): Map<number, Abbrev> {
    const cached = this.abbrevTables.get(offset);
    if (cached) return cached;
    const abbrev = this.section("abbrev");
    if (abbrev === undefined) throw new DwarfError(this.elf.path, "the file has .debug_info but no .debug_abbrev");
    const c = new Cursor(abbrev, ".debug_abbrev", this.elf.path, offset);
    const table = new Map<number, Abbrev>();
    for (;;) {
      const code = c.uleb("abbreviation code");
      if (code === 0) break;
      const tag = c.uleb("tag");
      const hasChildren = c.u8("children flag") !== 0;
      const attrs: Abbrev["attrs"] = [];
      for (;;) {
        const at = c.uleb("attribute");
        const form = c.uleb("form");
        if (at === 0 && form === 0) break;
        attrs.push(form === F.implicit_const ? { at, form, implicit: c.sleb("implicit constant") } : { at, form });
      }
      table.set(code, { tag, hasChildren, attrs });
    }
    this.abbrevTables.set(offset, table);
    return table;
  }

  /** Reads the DIE at the cursor into attribute -> raw value; undefined for a null entry. */
  private die(c: Cursor, unit: Unit): { abbrev: Abbrev; attrs: Map<number, Raw> } | undefined {
    const code = c.uleb("abbreviation code");
    if (code === 0) return undefined;
    const abbrev = unit.abbrevs.get(code) ?? c.fail(`DIE at offset ${c.pos} uses undefined abbreviation ${code}`);
    const attrs = new Map<number, Raw>();
    for (const spec of abbrev.attrs) {
      const v = this.raw(c, unit, spec.form, spec.implicit);
      if (v !== NONE) attrs.set(spec.at, v);
    }
    return { abbrev, attrs };
  }

  private raw(c: Cursor, unit: Unit, form: number, implicit: number | undefined): Raw {
    const off = unit.offsetSize;
    switch (form) {
      case F.indirect:
        return this.raw(c, unit, c.uleb("indirect form"), undefined);
      case F.addr:
        return { cls: "addr", value: unit.addressSize === 8 ? c.u64("address") : c.u32("address") };
      case F.data1:
      case F.flag:
        return { cls: "const", value: c.u8("constant") };
      case F.data2:
        return { cls: "const", value: c.u16("constant") };
      case F.data4:
        return { cls: "const", value: c.u32("constant") };
      case F.data8:
        return { cls: "const", value: c.u64("constant") };
      case F.sdata:
        return { cls: "const", value: c.sleb("constant") };
      case F.udata:
        return { cls: "const", value: c.uleb("constant") };
      case F.implicit_const:
        return { cls: "const", value: implicit ?? c.fail("DW_FORM_implicit_const through DW_FORM_indirect") };
      case F.flag_present:
        return { cls: "const", value: 1 };
      case F.string:
        return { cls: "string", value: c.cstring("string") };
      case F.strp:
        return { cls: "string", value: stringAt(this.need("str", c), c.offset(off, "string offset"), ".debug_str", this.elf.path) };
      case F.line_strp:
        return { cls: "string", value: stringAt(this.need("line_str", c), c.offset(off, "string offset"), ".debug_line_str", this.elf.path) };
      case F.strx:
      case F.GNU_str_index:
        return { cls: "strx", index: c.uleb("string index") };
      case F.strx1:
        return { cls: "strx", index: c.u8("string index") };
      case F.strx2:
        return { cls: "strx", index: c.u16("string index") };
      case F.strx3:
        return { cls: "strx", index: c.u24("string index") };
      case F.strx4:
        return { cls: "strx", index: c.u32("string index") };
      case F.addrx:
      case F.GNU_addr_index:
        return { cls: "addrx", index: c.uleb("address index") };
      case F.addrx1:
        return { cls: "addrx", index: c.u8("address index") };
      case F.addrx2:
        return { cls: "addrx", index: c.u16("address index") };
      case F.addrx3:
        return { cls: "addrx", index: c.u24("address index") };
      case F.addrx4:
        return { cls: "addrx", index: c.u32("address index") };
      case F.ref1:
        return { cls: "ref", value: c.u8("reference") };
      case F.ref2:
        return { cls: "ref", value: c.u16("reference") };
      case F.ref4:
        return { cls: "ref", value: c.u32("reference") };
      case F.ref8:
        return { cls: "ref", value: c.u64("reference") };
      case F.ref_udata:
        return { cls: "ref", value: c.uleb("reference") };
      case F.ref_addr:
        return { cls: "refAddr", value: unit.version <= 2 ? c.offset(unit.addressSize as 4 | 8, "reference") : c.offset(off, "reference") };
      case F.sec_offset:
        return { cls: "offset", value: c.offset(off, "section offset") };
      case F.rnglistx:
        return { cls: "rnglistx", index: c.uleb("range list index") };
      case F.loclistx:
        c.skipLeb("location list index");
        return NONE;
      case F.ref_sig8:
      case F.ref_sup8:
        c.skip(8, "reference");
        return NONE;
      case F.ref_sup4:
        c.skip(4, "reference");
        return NONE;
      case F.data16:
        c.skip(16, "constant");
        return NONE;
      case F.strp_sup:
      case F.GNU_ref_alt:
      case F.GNU_strp_alt:
        c.skip(off, "offset in another file");
        return NONE;
      case F.block1:
        c.skip(c.u8("block length"), "block");
        return NONE;
      case F.block2:
        c.skip(c.u16("block length"), "block");
        return NONE;
      case F.block4:
        c.skip(c.u32("block length"), "block");
        return NONE;
      case F.block:
      case F.exprloc:
        c.skip(c.uleb("block length"), "block");
        return NONE;
      default:
        return c.fail(`unknown attribute form 0x${form.toString(16)} at offset ${c.pos}`);
    }
  }

  private readUnit(unit: Unit): ForeignUnit | undefined {
    const c = new Cursor(this.info.subarray(0, unit.end), ".debug_info", this.elf.path, unit.diesStart);
    const root = this.die(c, unit);
    if (!root || root.abbrev.tag !== DW_TAG_compile_unit) return undefined;
    const language = this.constant(root.attrs.get(DW_AT.language));
    if (language === DW_LANG_Go) return undefined;
    const base = (at: number) => this.constant(root.attrs.get(at));
    unit.strOffsetsBase = base(DW_AT.str_offsets_base) ?? unit.strOffsetsBase;
    unit.addrBase = base(DW_AT.addr_base) ?? unit.addrBase;
    unit.rnglistsBase = base(DW_AT.rnglists_base) ?? unit.rnglistsBase;
    const low = this.address(c, unit, root.attrs.get(DW_AT.low_pc));
    unit.base = low ?? 0;
    const compDir = this.string(c, unit, root.attrs.get(DW_AT.comp_dir)) ?? "";
    const name = resolvePath(compDir, this.string(c, unit, root.attrs.get(DW_AT.name)) ?? "");
    const stmtList = this.constant(root.attrs.get(DW_AT.stmt_list));
    const files = stmtList === undefined ? [name] : this.lineFiles(stmtList, compDir, name, unit);
    const ranges = this.rangesOf(c, unit, root.attrs, low);

    const functions: ForeignFunction[] = [];
    if (root.abbrev.hasChildren) {
      for (let depth = 1; depth > 0 && !c.atEnd; ) {
        const d = this.die(c, unit);
        if (!d) {
          depth--;
          continue;
        }
        if (d.abbrev.tag === DW_TAG_subprogram) {
          const fnLow = this.address(c, unit, d.attrs.get(DW_AT.low_pc));
          const fnRanges = this.rangesOf(c, unit, d.attrs, fnLow);
          if (fnRanges.length > 0) {
            const decl = this.declaration(unit, d.attrs, 0);
            const declFile = decl.file === undefined ? undefined : files[decl.file];
            functions.push({ name: decl.name ?? "?", ranges: fnRanges, ...(declFile ? { declFile } : {}), ...(decl.line ? { declLine: decl.line } : {}) });
          }
        }
        if (d.abbrev.hasChildren) depth++;
      }
    }
    return { name, language, ranges, functions, files };
  }

  /**
   * A subprogram's name and declaration (file index, line), taken from the DIE it completes
   * (DW_AT_specification) or instantiates (DW_AT_abstract_origin) where it lacks them itself.
   */
  private declaration(unit: Unit, attrs: Map<number, Raw>, hops: number): { name?: string; file?: number; line?: number } {
    const c = new Cursor(this.info, ".debug_info", this.elf.path);
    const own = {
      name: this.string(c, unit, attrs.get(DW_AT.name)) ?? this.string(c, unit, attrs.get(DW_AT.linkage_name)),
      file: this.constant(attrs.get(DW_AT.decl_file)),
      line: this.constant(attrs.get(DW_AT.decl_line)),
    };
    const ref = attrs.get(DW_AT.specification) ?? attrs.get(DW_AT.abstract_origin);
    if ((own.name !== undefined && own.file !== undefined) || hops > 4 || ref === undefined || (ref.cls !== "ref" && ref.cls !== "refAddr")) return own;
    c.pos = ref.cls === "ref" ? unit.start + ref.value : ref.value;
    // A reference into another unit would need that unit's abbreviations: cgo never makes one.
    if (!(c.pos >= unit.diesStart && c.pos < unit.end)) return own;
    const target = this.die(c, unit);
    if (!target) return own;
    const origin = this.declaration(unit, target.attrs, hops + 1);
    return { name: own.name ?? origin.name, file: own.file ?? origin.file, line: own.line ?? origin.line };
  }

  private constant(v: Raw | undefined): number | undefined {
    return v && (v.cls === "const" || v.cls === "offset") ? v.value : undefined;
  }

  private string(c: Cursor, unit: Unit, v: Raw | undefined): string | undefined {
    if (v === undefined) return undefined;
    if (v.cls === "string") return v.value;
    if (v.cls !== "strx") return undefined;
    const offsets = this.need("str_offsets", c);
    const at = unit.strOffsetsBase + v.index * unit.offsetSize;
    const oc = new Cursor(offsets, ".debug_str_offsets", this.elf.path, at);
    return stringAt(this.need("str", c), oc.offset(unit.offsetSize, "string offset"), ".debug_str", this.elf.path);
  }

  private address(c: Cursor, unit: Unit, v: Raw | undefined): number | undefined {
    if (v === undefined) return undefined;
    if (v.cls === "addr") return v.value;
    if (v.cls !== "addrx") return undefined;
    return this.indexedAddress(c, unit, v.index);
  }

  private indexedAddress(c: Cursor, unit: Unit, index: number): number {
    const ac = new Cursor(this.need("addr", c), ".debug_addr", this.elf.path, unit.addrBase + index * unit.addressSize);
    return unit.addressSize === 8 ? ac.u64("address") : ac.u32("address");
  }

  /** The code ranges of a unit or function: [low, high) or its range list. */
  private rangesOf(c: Cursor, unit: Unit, attrs: Map<number, Raw>, low: number | undefined): AddressRange[] {
    const ranges = attrs.get(DW_AT.ranges);
    if (ranges !== undefined) return this.rangeList(c, unit, ranges);
    const high = attrs.get(DW_AT.high_pc);
    if (low === undefined || high === undefined) return [];
    const end = high.cls === "const" ? low + high.value : this.address(c, unit, high);
    return end !== undefined && end > low ? [[low, end]] : [];
  }

  private rangeList(c: Cursor, unit: Unit, v: Raw): AddressRange[] {
    if (unit.version < 5) {
      if (v.cls !== "offset" && v.cls !== "const") return [];
      return this.debugRanges(c, unit, v.value);
    }
    let offset: number;
    if (v.cls === "rnglistx") {
      const lists = this.need("rnglists", c);
      const oc = new Cursor(lists, ".debug_rnglists", this.elf.path, unit.rnglistsBase + v.index * unit.offsetSize);
      offset = unit.rnglistsBase + oc.offset(unit.offsetSize, "range list offset");
    } else if (v.cls === "offset" || v.cls === "const") {
      offset = v.value;
    } else return [];
    return this.rnglists(c, unit, offset);
  }

  /** DWARF 2-4 .debug_ranges: address pairs relative to the base, (-1, base) to change it, (0, 0) to end. */
  private debugRanges(c: Cursor, unit: Unit, offset: number): AddressRange[] {
    const rc = new Cursor(this.need("ranges", c), ".debug_ranges", this.elf.path, offset);
    const out: AddressRange[] = [];
    const size = unit.addressSize;
    const max = size === 8 ? 2 ** 64 - 1 : 2 ** 32 - 1;
    let base = unit.base;
    for (;;) {
      const lo = size === 8 ? u64Any(rc) : rc.u32("range start");
      const hi = size === 8 ? u64Any(rc) : rc.u32("range end");
      if (lo === 0 && hi === 0) return out;
      if (lo === max) base = hi;
      else if (hi > lo) out.push([base + lo, base + hi]);
    }
  }

  /** DWARF 5 .debug_rnglists entries (DW_RLE_*). */
  private rnglists(c: Cursor, unit: Unit, offset: number): AddressRange[] {
    const rc = new Cursor(this.need("rnglists", c), ".debug_rnglists", this.elf.path, offset);
    const out: AddressRange[] = [];
    const addr = () => (unit.addressSize === 8 ? rc.u64("address") : rc.u32("address"));
    const indexed = () => this.indexedAddress(c, unit, rc.uleb("address index"));
    let base = unit.base;
    const push = (lo: number, hi: number) => {
      if (hi > lo) out.push([lo, hi]);
    };
    for (;;) {
      const kind = rc.u8("range list entry");
      switch (kind) {
        case 0: // end_of_list
          return out;
        case 1: // base_addressx
          base = indexed();
          break;
        case 2: {
          // startx_endx
          const lo = indexed();
          push(lo, indexed());
          break;
        }
        case 3: {
          // startx_length
          const lo = indexed();
          push(lo, lo + rc.uleb("length"));
          break;
        }
        case 4: {
          // offset_pair
          const lo = rc.uleb("offset");
          push(base + lo, base + rc.uleb("offset"));
          break;
        }
        case 5: // base_address
          base = addr();
          break;
        case 6: {
          // start_end
          const lo = addr();
          push(lo, addr());
          break;
        }
        case 7: {
          // start_length
          const lo = addr();
          push(lo, lo + rc.uleb("length"));
          break;
        }
        default:
          rc.fail(`unknown range list entry ${kind} at offset ${rc.pos - 1}`);
      }
    }
  }

  /**
   * The files of the line program at `offset`, indexed as DW_AT_decl_file counts them: from 0 in
   * DWARF 5, from 1 before (where 0 is the unit's own file).
   */
  private lineFiles(offset: number, compDir: string, unitName: string, unit: Unit): string[] {
    const line = this.section("line");
    if (line === undefined) return [unitName];
    const c = new Cursor(line, ".debug_line", this.elf.path, offset);
    let length = c.u32("line program length");
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = c.u64("line program length");
      offsetSize = 8;
    }
    const version = c.u16("line program version");
    if (version >= 5) {
      c.skip(2, "address and segment selector sizes");
    }
    c.offset(offsetSize, "header length");
    c.skip(version >= 4 ? 5 : 4, "line program parameters");
    const opcodeBase = c.u8("opcode base");
    c.skip(Math.max(0, opcodeBase - 1), "standard opcode lengths");
    if (version < 5) {
      const dirs = [compDir];
      for (let d = c.cstring("directory"); d !== ""; d = c.cstring("directory")) dirs.push(resolvePath(compDir, d));
      const files = [unitName];
      for (let f = c.cstring("file name"); f !== ""; f = c.cstring("file name")) {
        const dir = dirs[c.uleb("directory index")] ?? compDir;
        c.skipLeb("modification time");
        c.skipLeb("file length");
        files.push(resolvePath(dir, f));
      }
      return files;
    }
    const lineUnit: Unit = { ...unit, offsetSize };
    const entries = (what: string): Map<number, Raw>[] => {
      const formats: [number, number][] = [];
      const count = c.u8(`${what} entry format count`);
      for (let i = 0; i < count; i++) formats.push([c.uleb("content type"), c.uleb("form")]);
      const n = c.uleb(`${what} count`);
      const out: Map<number, Raw>[] = [];
      for (let i = 0; i < n; i++) {
        const entry = new Map<number, Raw>();
        for (const [type, form] of formats) entry.set(type, this.raw(c, lineUnit, form, undefined));
        out.push(entry);
      }
      return out;
    };
    const DW_LNCT_path = 1;
    const DW_LNCT_directory_index = 2;
    const dirs = entries("directory").map((e) => resolvePath(compDir, this.string(c, unit, e.get(DW_LNCT_path)) ?? ""));
    return entries("file name").map((e) => {
      const dir = dirs[this.constant(e.get(DW_LNCT_directory_index)) ?? 0] ?? compDir;
      return resolvePath(dir, this.string(c, unit, e.get(DW_LNCT_path)) ?? "");
    });
  }
}

/** A 64-bit word that may be all ones (a base address selector), as a number. */
function u64Any(c: Cursor): number {
  const lo = c.u32("address");
  const hi = c.u32("address");
  return hi === 0xffffffff && lo === 0xffffffff ? 2 ** 64 - 1 : hi * 2 ** 32 + lo;
}

/** `name` against `dir` when relative, with "." and ".." resolved. */
function resolvePath(dir: string, name: string): string {
  const joined = name.startsWith("/") || dir === "" ? name : `${dir}/${name}`;
  const out: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "..") out.pop();
    else if (part !== "." && part !== "") out.push(part);
  }
  return `${joined.startsWith("/") ? "/" : ""}${out.join("/")}`;
}
