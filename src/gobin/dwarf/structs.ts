// Finds named struct types and their member offsets in .debug_info: a minimal DWARF 2-5 reader
// that decodes only what that needs (unit headers, abbreviations, names, sizes, member offsets)
// and skips everything else by its form. Units not written by Go are skipped whole; the unit of
// package runtime is read first, since that is where the Go linker puts the runtime's types.
import { Cursor, DwarfError, stringAt } from "./cursor.ts";
import type { DwarfSections } from "./sections.ts";

export interface DwarfStruct {
  name: string;
  /** DW_AT_byte_size; undefined when the producer left it out. */
  byteSize: number | undefined;
  /** Member name -> byte offset, in declaration order. */
  members: Map<string, number>;
}

const DW_TAG_member = 0x0d;
const DW_TAG_structure_type = 0x13;
const DW_AT_name = 0x03;
const DW_AT_byte_size = 0x0b;
const DW_AT_language = 0x13;
const DW_AT_data_member_location = 0x38;
const DW_LANG_Go = 0x16;
const DW_OP_plus_uconst = 0x23;

const DW_FORM = {
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

interface AttrSpec {
  at: number;
  form: number;
  /** The value of a DW_FORM_implicit_const attribute, which lives in the abbreviation. */
  implicit?: number;
}

interface Abbrev {
  tag: number;
  hasChildren: boolean;
  attrs: AttrSpec[];
}

interface Unit {
  /** Offset of the unit's first DIE in .debug_info, and of the next unit. */
  diesStart: number;
  end: number;
  version: number;
  offsetSize: 4 | 8;
  addressSize: number;
  abbrevs: Map<number, Abbrev>;
}

/** A decoded attribute value: numbers for constants and offsets, strings for names, undefined for what we skip. */
type AttrValue = number | string | Uint8Array | undefined;

export class DwarfStructReader {
  private readonly abbrevTables = new Map<number, Map<number, Abbrev>>();

  constructor(
    private readonly sections: DwarfSections,
    private readonly file: string,
  ) {}

  /**
   * The struct types named in `names` (e.g. "runtime.g"), each as its first definition in the
   * file; names with no definition are absent from the result.
   */
  findStructs(names: readonly string[]): Map<string, DwarfStruct> {
    const wanted = new Set(names);
    const found = new Map<string, DwarfStruct>();
    const goUnits = this.goUnits();
    const ordered = [...goUnits.filter((u) => u.name === "runtime"), ...goUnits.filter((u) => u.name !== "runtime")];
    for (const { unit } of ordered) {
      this.scanUnit(unit, wanted, found);
      if (found.size === wanted.size) break;
    }
    return found;
  }

  /** Every unit whose root DIE says it is Go, with its name. */
  private goUnits(): { unit: Unit; name: string | undefined }[] {
    const out: { unit: Unit; name: string | undefined }[] = [];
    const c = new Cursor(this.sections.info, ".debug_info", this.file);
    while (!c.atEnd) {
      const unit = this.unitHeader(c);
      c.pos = unit.diesStart;
      const code = c.uleb("abbreviation code");
      if (code !== 0) {
        const abbrev = this.abbrev(unit, code, c);
        let language: number | undefined;
        let name: string | undefined;
        for (const spec of abbrev.attrs) {
          const v = this.attrValue(c, unit, spec, spec.at === DW_AT_language || spec.at === DW_AT_name);
          if (spec.at === DW_AT_language && typeof v === "number") language = v;
          else if (spec.at === DW_AT_name && typeof v === "string") name = v;
        }
        if (language === DW_LANG_Go) out.push({ unit, name });
      }
      c.pos = unit.end;
    }
    return out;
  }

  private unitHeader(c: Cursor): Unit {
    const start = c.pos;
    let length = c.u32("unit length");
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = c.u64("64-bit unit length");
      offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      c.fail(`unit at offset ${start} has reserved length ${length}`);
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
      // Skeleton and split units carry an 8-byte id, type units a signature and a type offset.
      if (unitType === 0x04 || unitType === 0x05) c.skip(8, "unit id");
      else if (unitType === 0x02 || unitType === 0x06) {
        c.skip(8, "type signature");
        c.offset(offsetSize, "type offset");
      }
    } else {
      return c.fail(`unit at offset ${start} has unsupported DWARF version ${version}`);
    }
    if (addressSize !== 4 && addressSize !== 8) c.fail(`unit at offset ${start} has address size ${addressSize}`);
    if (c.pos > end) c.fail(`unit at offset ${start} is shorter than its header`);
    return { diesStart: c.pos, end, version, offsetSize, addressSize, abbrevs: this.abbrevTable(abbrevOffset) };
  }

  private abbrevTable(offset: number): Map<number, Abbrev> {
    const cached = this.abbrevTables.get(offset);
    if (cached) return cached;
    const c = new Cursor(this.sections.abbrev, ".debug_abbrev", this.file);
    if (offset >= c.bytes.length) c.fail(`abbreviation table offset ${offset} lies outside the section`);
    c.pos = offset;
    const table = new Map<number, Abbrev>();
    for (;;) {
      const code = c.uleb("abbreviation code");
      if (code === 0) break;
      const tag = c.uleb("tag");
      const hasChildren = c.u8("children flag") !== 0;
      const attrs: AttrSpec[] = [];
      for (;;) {
        const at = c.uleb("attribute");
        const form = c.uleb("form");
        if (at === 0 && form === 0) break;
        attrs.push(form === DW_FORM.implicit_const ? { at, form, implicit: c.sleb("implicit constant") } : { at, form });
      }
      table.set(code, { tag, hasChildren, attrs });
    }
    this.abbrevTables.set(offset, table);
    return table;
  }

  private abbrev(unit: Unit, code: number, c: Cursor): Abbrev {
    const a = unit.abbrevs.get(code);
    if (a === undefined) c.fail(`DIE at offset ${c.pos} uses undefined abbreviation ${code}`);
    return a!;
  }

  /** Walks one unit's DIE tree, recording the wanted structs and their direct members. */
  private scanUnit(unit: Unit, wanted: Set<string>, found: Map<string, DwarfStruct>): void {
    const c = new Cursor(this.sections.info.subarray(0, unit.end), ".debug_info", this.file, unit.diesStart);
    let depth = 0;
    /** The struct being collected and the depth of its members. */
    let current: { struct: DwarfStruct; memberDepth: number } | undefined;
    while (!c.atEnd) {
      const code = c.uleb("abbreviation code");
      if (code === 0) {
        if (depth === 0) continue; // padding after the root DIE
        depth--;
        if (current && depth < current.memberDepth) current = undefined;
        continue;
      }
      const abbrev = this.abbrev(unit, code, c);
      const isStruct = abbrev.tag === DW_TAG_structure_type;
      const isMember = abbrev.tag === DW_TAG_member && current !== undefined && depth === current.memberDepth;
      if (!isStruct && !isMember) {
        for (const spec of abbrev.attrs) this.attrValue(c, unit, spec, false);
      } else {
        let name: string | undefined;
        let size: number | undefined;
        let location: AttrValue;
        for (const spec of abbrev.attrs) {
          const keep = spec.at === DW_AT_name || spec.at === DW_AT_byte_size || spec.at === DW_AT_data_member_location;
          const v = this.attrValue(c, unit, spec, keep);
          if (spec.at === DW_AT_name && typeof v === "string") name = v;
          else if (spec.at === DW_AT_byte_size && typeof v === "number") size = v;
          else if (spec.at === DW_AT_data_member_location) location = v;
        }
        if (isMember && name !== undefined) {
          const offset = memberOffset(location);
          if (offset === undefined) c.fail(`member ${name} of ${current!.struct.name} has no constant offset`);
          current!.struct.members.set(name, offset!);
        } else if (isStruct && name !== undefined && wanted.has(name) && !found.has(name) && abbrev.hasChildren) {
          const struct: DwarfStruct = { name, byteSize: size, members: new Map() };
          found.set(name, struct);
          current = { struct, memberDepth: depth + 1 };
        }
      }
      if (abbrev.hasChildren) depth++;
      else if (depth === 0) break; // a root DIE without children ends the unit
    }
  }

  /** Reads (or, when `keep` is false, only steps over) one attribute value. */
  private attrValue(c: Cursor, unit: Unit, spec: AttrSpec, keep = true): AttrValue {
    let form = spec.form;
    while (form === DW_FORM.indirect) form = c.uleb("indirect form");
    const off = unit.offsetSize;
    switch (form) {
      case DW_FORM.addr:
        c.skip(unit.addressSize, "address");
        return undefined;
      case DW_FORM.data1:
      case DW_FORM.ref1:
      case DW_FORM.flag:
      case DW_FORM.strx1:
      case DW_FORM.addrx1:
        return c.u8("1-byte value");
      case DW_FORM.data2:
      case DW_FORM.ref2:
      case DW_FORM.strx2:
      case DW_FORM.addrx2:
        return c.u16("2-byte value");
      case DW_FORM.strx3:
      case DW_FORM.addrx3:
        return c.u24("3-byte value");
      case DW_FORM.data4:
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
      case DW_FORM.strx4:
      case DW_FORM.addrx4:
        return c.u32("4-byte value");
      case DW_FORM.data8:
      case DW_FORM.ref8:
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        if (!keep) {
          c.skip(8, "8-byte value");
          return undefined;
        }
        return c.u64("8-byte value");
      case DW_FORM.data16:
        c.skip(16, "16-byte value");
        return undefined;
      case DW_FORM.sdata:
        if (keep) return c.sleb("signed constant");
        c.skipLeb("signed constant");
        return undefined;
      case DW_FORM.udata:
      case DW_FORM.ref_udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        if (keep) return c.uleb("unsigned constant");
        c.skipLeb("unsigned constant");
        return undefined;
      case DW_FORM.string: {
        if (keep) return c.cstring("string");
        const end = c.bytes.indexOf(0, c.pos);
        if (end < 0) c.fail(`string at offset ${c.pos} is not terminated`);
        c.pos = end + 1;
        return undefined;
      }
      case DW_FORM.strp:
      case DW_FORM.line_strp: {
        const at = c.offset(off, "string offset");
        if (!keep || spec.at !== DW_AT_name) return undefined;
        const section = form === DW_FORM.strp ? this.sections.str : this.sections.lineStr;
        const where = form === DW_FORM.strp ? ".debug_str" : ".debug_line_str";
        if (section === undefined) c.fail(`a name refers to ${where}, which the file lacks`);
        return stringAt(section!, at, where, this.file);
      }
      case DW_FORM.ref_addr:
        c.skip(unit.version <= 2 ? unit.addressSize : off, "reference");
        return undefined;
      case DW_FORM.sec_offset:
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        c.skip(off, "section offset");
        return undefined;
      case DW_FORM.flag_present:
        return 1;
      case DW_FORM.implicit_const:
        return spec.implicit;
      case DW_FORM.block1:
        return this.block(c, c.u8("block length"), keep);
      case DW_FORM.block2:
        return this.block(c, c.u16("block length"), keep);
      case DW_FORM.block4:
        return this.block(c, c.u32("block length"), keep);
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return this.block(c, c.uleb("block length"), keep);
      default:
        return c.fail(`attribute ${spec.at} at offset ${c.pos} has unknown form ${form}`);
    }
  }

  private block(c: Cursor, length: number, keep: boolean): Uint8Array | undefined {
    const start = c.pos;
    c.skip(length, "block");
    return keep ? c.bytes.subarray(start, start + length) : undefined;
  }
}

/** A member's offset: a constant, or (DWARF 2 style) an expression that is one DW_OP_plus_uconst. */
function memberOffset(location: AttrValue): number | undefined {
  if (typeof location === "number") return location;
  if (location instanceof Uint8Array && location.length >= 2 && location[0] === DW_OP_plus_uconst) {
    const c = new Cursor(location, "member location", "");
    c.u8("operator");
    try {
      const value = c.uleb("operand");
      return c.atEnd ? value : undefined;
    } catch (e) {
      if (e instanceof DwarfError) return undefined;
      throw e;
    }
  }
  return undefined;
}
