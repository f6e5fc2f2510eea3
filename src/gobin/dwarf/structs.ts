// Finds named struct types and their member offsets in .debug_info: a minimal DWARF 2-5 reader
// that decodes only what that needs (unit headers, abbreviations, names, sizes, member offsets)
// and skips everything else by its form. Units not written by Go are skipped whole; the unit of
// package runtime is read first, since that is where the Go linker puts the runtime's types.
// Go writes DWARF 4 up to 1.24 and DWARF 5 from 1.25 (names inline, addresses as DW_FORM_addrx);
// C compilers' units in cgo binaries may name things through .debug_str_offsets (DW_FORM_strx*).
// A value is used only when its form is of the class the attribute needs: a name that is not a
// string, or a member offset that is not a constant, is a DwarfError, never a guess.
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
const DW_AT_str_offsets_base = 0x72;
const DW_LANG_Go = 0x16;
const DW_OP_plus_uconst = 0x23;
/** DWARF 5 unit types (DW_UT_*) whose headers this reader knows. */
const DW_UT = { compile: 0x01, type: 0x02, partial: 0x03, skeleton: 0x04, split_compile: 0x05, split_type: 0x06 } as const;

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
  /** DW_AT_str_offsets_base of the root DIE: where the unit's DW_FORM_strx* indexes start. */
  strOffsetsBase?: number;
}

/** A kept attribute's value, by the class of its form. */
type AttrValue =
  | { kind: "constant"; form: number; value: number }
  | { kind: "string"; form: number; value: string }
  | { kind: "block"; form: number; value: Uint8Array }
  /** DW_FORM_sec_offset: a base such as DW_AT_str_offsets_base, or a location or range list. */
  | { kind: "offset"; form: number; value: number }
  /** Addresses, references, list indexes, 16-byte constants, strings in other files: never used here. */
  | { kind: "other"; form: number };

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
        const attrsStart = c.pos;
        let language: number | undefined;
        for (const spec of abbrev.attrs) {
          const v = this.attrValue(c, unit, spec, spec.at === DW_AT_language || spec.at === DW_AT_str_offsets_base);
          if (spec.at === DW_AT_language && v?.kind === "constant") language = v.value;
          else if (spec.at === DW_AT_str_offsets_base && v?.kind === "offset") unit.strOffsetsBase = v.value;
        }
        if (language === DW_LANG_Go) {
          // Read the name only now: a strx name may come before the base it is relative to.
          c.pos = attrsStart;
          let name: string | undefined;
          for (const spec of abbrev.attrs) {
            const v = this.attrValue(c, unit, spec, spec.at === DW_AT_name);
            if (spec.at === DW_AT_name) name = this.name(c, v);
          }
          out.push({ unit, name });
        }
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
      // Skeleton and split units carry an 8-byte id, type units a signature and a type offset;
      // the header of any other type is unknown, so where its DIEs start is too.
      if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) c.skip(8, "unit id");
      else if (unitType === DW_UT.type || unitType === DW_UT.split_type) {
        c.skip(8, "type signature");
        c.offset(offsetSize, "type offset");
      } else if (unitType !== DW_UT.compile && unitType !== DW_UT.partial) {
        c.fail(`unit at offset ${start} has unknown unit type ${unitType}`);
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
        let location: AttrValue | undefined;
        for (const spec of abbrev.attrs) {
          const keep = spec.at === DW_AT_name || spec.at === DW_AT_byte_size || spec.at === DW_AT_data_member_location;
          const v = this.attrValue(c, unit, spec, keep);
          if (spec.at === DW_AT_name) name = this.name(c, v);
          // A size given by reference or expression is not known statically.
          else if (spec.at === DW_AT_byte_size && v?.kind === "constant") size = v.value;
          else if (spec.at === DW_AT_data_member_location) location = v;
        }
        if (isMember && name !== undefined) {
          const offset = memberOffset(location, unit.version);
          if (offset === undefined) {
            const form = location === undefined ? "none" : `form 0x${location.form.toString(16)}`;
            c.fail(`member ${name} of ${current!.struct.name} has no constant offset (${form})`);
          }
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

  /** A name attribute's string; any other form of name is damage, not a nameless entry. */
  private name(c: Cursor, v: AttrValue | undefined): string | undefined {
    if (v === undefined || v.kind === "string") return v?.value;
    return c.fail(`a name at offset ${c.pos} has form 0x${v.form.toString(16)}, not a string this file holds`);
  }

  /**
   * Reads one attribute value, or, when `keep` is false, only steps over it (and returns
   * undefined): skipping allocates nothing, and most attributes are skipped.
   */
  private attrValue(c: Cursor, unit: Unit, spec: AttrSpec, keep: boolean): AttrValue | undefined {
    let form = spec.form;
    while (form === DW_FORM.indirect) form = c.uleb("indirect form");
    const off = unit.offsetSize;
    switch (form) {
      case DW_FORM.data1:
      case DW_FORM.flag:
        return constant(keep, form, c.u8("1-byte constant"));
      case DW_FORM.data2:
        return constant(keep, form, c.u16("2-byte constant"));
      case DW_FORM.data4:
        return constant(keep, form, c.u32("4-byte constant"));
      case DW_FORM.data8:
        if (keep) return constant(keep, form, c.u64("8-byte constant"));
        c.skip(8, "8-byte constant");
        return undefined;
      case DW_FORM.sdata:
        if (keep) return constant(keep, form, c.sleb("signed constant"));
        c.skipLeb("signed constant");
        return undefined;
      case DW_FORM.udata:
        if (keep) return constant(keep, form, c.uleb("unsigned constant"));
        c.skipLeb("unsigned constant");
        return undefined;
      case DW_FORM.flag_present:
        return constant(keep, form, 1);
      case DW_FORM.implicit_const:
        // The value lives in the abbreviation, which an indirect form has none of.
        if (spec.implicit === undefined) c.fail(`attribute ${spec.at} at offset ${c.pos} is DW_FORM_implicit_const through DW_FORM_indirect`);
        return constant(keep, form, spec.implicit!);
      case DW_FORM.string: {
        if (keep) return { kind: "string", form, value: c.cstring("string") };
        const end = c.bytes.indexOf(0, c.pos);
        if (end < 0) c.fail(`string at offset ${c.pos} is not terminated`);
        c.pos = end + 1;
        return undefined;
      }
      case DW_FORM.strp:
      case DW_FORM.line_strp: {
        const at = c.offset(off, "string offset");
        if (!keep) return undefined;
        const section = form === DW_FORM.strp ? this.sections.str : this.sections.lineStr;
        const where = form === DW_FORM.strp ? ".debug_str" : ".debug_line_str";
        if (section === undefined) c.fail(`a string refers to ${where}, which the file lacks`);
        return { kind: "string", form, value: stringAt(section!, at, where, this.file) };
      }
      case DW_FORM.strx1:
        return this.indexedString(c, unit, form, c.u8("string index"), keep);
      case DW_FORM.strx2:
        return this.indexedString(c, unit, form, c.u16("string index"), keep);
      case DW_FORM.strx3:
        return this.indexedString(c, unit, form, c.u24("string index"), keep);
      case DW_FORM.strx4:
        return this.indexedString(c, unit, form, c.u32("string index"), keep);
      case DW_FORM.strx:
        if (keep) return this.indexedString(c, unit, form, c.uleb("string index"), keep);
        c.skipLeb("string index");
        return undefined;
      case DW_FORM.addr:
        c.skip(unit.addressSize, "address");
        return other(keep, form);
      case DW_FORM.ref1:
      case DW_FORM.addrx1:
        c.skip(1, "1-byte reference or index");
        return other(keep, form);
      case DW_FORM.ref2:
      case DW_FORM.addrx2:
        c.skip(2, "2-byte reference or index");
        return other(keep, form);
      case DW_FORM.addrx3:
        c.skip(3, "3-byte index");
        return other(keep, form);
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
      case DW_FORM.addrx4:
        c.skip(4, "4-byte reference or index");
        return other(keep, form);
      case DW_FORM.ref8:
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        c.skip(8, "8-byte reference");
        return other(keep, form);
      case DW_FORM.data16:
        c.skip(16, "16-byte constant");
        return other(keep, form);
      case DW_FORM.ref_udata:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      // An index into a split unit's (.dwo) strings, which are not in this file.
      case DW_FORM.GNU_str_index:
        c.skipLeb("reference or index");
        return other(keep, form);
      case DW_FORM.ref_addr:
        c.skip(unit.version <= 2 ? unit.addressSize : off, "reference");
        return other(keep, form);
      case DW_FORM.sec_offset: {
        const at = c.offset(off, "section offset");
        return keep ? { kind: "offset", form, value: at } : undefined;
      }
      // Offsets into a supplementary or alternate file's sections.
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        c.skip(off, "offset in another file");
        return other(keep, form);
      case DW_FORM.block1:
        return this.block(c, form, c.u8("block length"), keep);
      case DW_FORM.block2:
        return this.block(c, form, c.u16("block length"), keep);
      case DW_FORM.block4:
        return this.block(c, form, c.u32("block length"), keep);
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return this.block(c, form, c.uleb("block length"), keep);
      default:
        return c.fail(`attribute ${spec.at} at offset ${c.pos} has unknown form 0x${form.toString(16)}`);
    }
  }

  /** A DW_FORM_strx* string: entry `index` of the unit's slice of .debug_str_offsets, into .debug_str. */
  private indexedString(c: Cursor, unit: Unit, form: number, index: number, keep: boolean): AttrValue | undefined {
    if (!keep) return undefined;
    const { strOffsets, str } = this.sections;
    if (strOffsets === undefined || str === undefined) c.fail("a string index needs .debug_str_offsets and .debug_str, which the file lacks");
    if (unit.strOffsetsBase === undefined) c.fail(`a string index at offset ${c.pos} is in a unit without DW_AT_str_offsets_base`);
    const entry = new Cursor(strOffsets!, ".debug_str_offsets", this.file, unit.strOffsetsBase! + index * unit.offsetSize);
    const at = entry.offset(unit.offsetSize, `string offset ${index}`);
    return { kind: "string", form, value: stringAt(str!, at, ".debug_str", this.file) };
  }

  private block(c: Cursor, form: number, length: number, keep: boolean): AttrValue | undefined {
    const start = c.pos;
    c.skip(length, "block");
    return keep ? { kind: "block", form, value: c.bytes.subarray(start, start + length) } : undefined;
  }
}

function constant(keep: boolean, form: number, value: number): AttrValue | undefined {
  return keep ? { kind: "constant", form, value } : undefined;
}

function other(keep: boolean, form: number): AttrValue | undefined {
  return keep ? { kind: "other", form } : undefined;
}

/**
 * A member's offset: a constant, or (DWARF 2 style) an expression that is one DW_OP_plus_uconst.
 * In DWARF 2 and 3 a data4 or data8 location is a location list's offset, not a constant.
 */
function memberOffset(location: AttrValue | undefined, version: number): number | undefined {
  if (location?.kind === "constant") {
    const listOffset = version <= 3 && (location.form === DW_FORM.data4 || location.form === DW_FORM.data8);
    return listOffset || location.value < 0 ? undefined : location.value;
  }
  if (location?.kind === "block" && location.value.length >= 2 && location.value[0] === DW_OP_plus_uconst) {
    const c = new Cursor(location.value, "member location", "");
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
