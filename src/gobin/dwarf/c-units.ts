// The compilation units of a cgo binary that Go did not write (C, C++, assembler compiled by the
// external toolchain): where their code lies, their functions, and every source file their line
// programs name. That is how `gomodjail analyze` attributes C code to modules: cgo writes the C
// of a package's preamble with `#line` directives to its .go files, and compiles a package's own
// .c files in its directory, so each such unit names a file of its package.
// DWARF 2-5 as GCC and Clang write it: addresses direct or through .debug_addr, ranges through
// .debug_ranges or .debug_rnglists, strings inline or through .debug_str(_offsets)/.debug_line_str.
import type { ElfFile } from "../../elf/elf.ts";
import { Cursor, DwarfError } from "./cursor.ts";
import { debugSection } from "./sections.ts";
import { AbbrevTables, type Abbrev, DW_LANG_Go, dieAbbrev, FormReader, type FormValue, readUnitHeader, type UnitHeader } from "./units.ts";

export type AddressRange = readonly [start: number, end: number];

interface ForeignFunction {
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

interface Unit extends UnitHeader {
  /** Where the unit's DW_FORM_strx*, DW_FORM_addrx* and DW_FORM_rnglistx indexes start. */
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  /** The unit's base address (its DW_AT_low_pc) for range lists. */
  base: number;
}

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
  private readonly sections = new Map<string, Uint8Array | undefined>();
  private readonly forms: FormReader;
  private abbrevTables?: AbbrevTables;

  constructor(
    private readonly elf: ElfFile,
    private readonly info: Uint8Array,
  ) {
    this.forms = new FormReader(elf.path, (name) => this.section(name));
  }

  private section(name: string): Uint8Array | undefined {
    if (!this.sections.has(name)) this.sections.set(name, debugSection(this.elf, name));
    return this.sections.get(name);
  }

  private need(name: string, c: Cursor): Uint8Array {
    return this.section(name) ?? c.fail(`an attribute refers to .debug_${name}, which the file lacks`);
  }

  /** Read on the first unit: a .debug_info without units needs no .debug_abbrev. */
  private abbrevs(): AbbrevTables {
    if (this.abbrevTables === undefined) {
      const abbrev = this.section("abbrev");
      if (abbrev === undefined) throw new DwarfError(this.elf.path, "the file has .debug_info but no .debug_abbrev");
      this.abbrevTables = new AbbrevTables(abbrev, this.elf.path);
    }
    return this.abbrevTables;
  }

  read(): ForeignUnit[] {
    const units: ForeignUnit[] = [];
    const c = new Cursor(this.info, ".debug_info", this.elf.path);
    while (!c.atEnd) {
      const header = readUnitHeader(c, this.abbrevs());
      // Until the root DIE says otherwise, indexes count from just past the first table's header.
      const found = this.readUnit({ ...header, strOffsetsBase: 8, addrBase: 8, rnglistsBase: 12, base: 0 });
      if (found) units.push(found);
      c.pos = header.end;
    }
    return units;
  }

  /** Reads the DIE at the cursor into attribute -> value; undefined for a null entry. */
  private die(c: Cursor, unit: Unit): { abbrev: Abbrev; attrs: Map<number, FormValue> } | undefined {
    const code = c.uleb("abbreviation code");
    if (code === 0) return undefined;
    const abbrev = dieAbbrev(unit, code, c);
    const attrs = new Map<number, FormValue>();
    for (const spec of abbrev.attrs) {
      const v = this.forms.read(c, unit, spec);
      // No attribute used here is a block or of the other classes: in such a form it counts as absent.
      if (v.cls !== "block" && v.cls !== "other") attrs.set(spec.at, v);
    }
    return { abbrev, attrs };
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
  private declaration(unit: Unit, attrs: Map<number, FormValue>, hops: number): { name?: string; file?: number; line?: number } {
    const c = new Cursor(this.info, ".debug_info", this.elf.path);
    const own = {
      name: this.string(c, unit, attrs.get(DW_AT.name)) ?? this.string(c, unit, attrs.get(DW_AT.linkage_name)),
      file: this.constant(attrs.get(DW_AT.decl_file)),
      line: this.constant(attrs.get(DW_AT.decl_line)),
    };
    const ref = attrs.get(DW_AT.specification) ?? attrs.get(DW_AT.abstract_origin);
    if ((own.name !== undefined && own.file !== undefined) || hops > 4 || ref === undefined || (ref.cls !== "unitRef" && ref.cls !== "infoRef")) return own;
    c.pos = ref.cls === "unitRef" ? unit.start + ref.value : ref.value;
    // A reference into another unit would need that unit's abbreviations: cgo never makes one.
    if (!(c.pos >= unit.diesStart && c.pos < unit.end)) return own;
    const target = this.die(c, unit);
    if (!target) return own;
    const origin = this.declaration(unit, target.attrs, hops + 1);
    return { name: own.name ?? origin.name, file: own.file ?? origin.file, line: own.line ?? origin.line };
  }

  private constant(v: FormValue | undefined): number | undefined {
    return v && (v.cls === "constant" || v.cls === "sectionOffset") ? v.value : undefined;
  }

  private string(c: Cursor, unit: Unit, v: FormValue | undefined): string | undefined {
    if (v === undefined) return undefined;
    if (v.cls === "string") return v.value;
    if (v.cls !== "stringIndex") return undefined;
    return this.forms.indexedString(c, unit, unit.strOffsetsBase, v.value);
  }

  private address(c: Cursor, unit: Unit, v: FormValue | undefined): number | undefined {
    if (v === undefined) return undefined;
    if (v.cls === "address") return v.value;
    if (v.cls !== "addressIndex") return undefined;
    return this.indexedAddress(c, unit, v.value);
  }

  private indexedAddress(c: Cursor, unit: Unit, index: number): number {
    const ac = new Cursor(this.need("addr", c), ".debug_addr", this.elf.path, unit.addrBase + index * unit.addressSize);
    return unit.addressSize === 8 ? ac.u64("address") : ac.u32("address");
  }

  /** The code ranges of a unit or function: [low, high) or its range list. */
  private rangesOf(c: Cursor, unit: Unit, attrs: Map<number, FormValue>, low: number | undefined): AddressRange[] {
    const ranges = attrs.get(DW_AT.ranges);
    if (ranges !== undefined) return this.rangeList(c, unit, ranges);
    const high = attrs.get(DW_AT.high_pc);
    if (low === undefined || high === undefined) return [];
    const end = high.cls === "constant" ? low + high.value : this.address(c, unit, high);
    return end !== undefined && end > low ? [[low, end]] : [];
  }

  private rangeList(c: Cursor, unit: Unit, v: FormValue): AddressRange[] {
    if (unit.version < 5) {
      if (v.cls !== "sectionOffset" && v.cls !== "constant") return [];
      return this.debugRanges(c, unit, v.value);
    }
    let offset: number;
    if (v.cls === "rangeListIndex") {
      const lists = this.need("rnglists", c);
      const oc = new Cursor(lists, ".debug_rnglists", this.elf.path, unit.rnglistsBase + v.value * unit.offsetSize);
      offset = unit.rnglistsBase + oc.offset(unit.offsetSize, "range list offset");
    } else if (v.cls === "sectionOffset" || v.cls === "constant") {
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
    const entries = (what: string): Map<number, FormValue>[] => {
      const formats: [number, number][] = [];
      const count = c.u8(`${what} entry format count`);
      for (let i = 0; i < count; i++) formats.push([c.uleb("content type"), c.uleb("form")]);
      const n = c.uleb(`${what} count`);
      const out: Map<number, FormValue>[] = [];
      for (let i = 0; i < n; i++) {
        const entry = new Map<number, FormValue>();
        for (const [type, form] of formats) entry.set(type, this.forms.read(c, lineUnit, { at: type, form }));
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
