// The structure every .debug_info reader walks: unit headers (DWARF 2-5, 32- and 64-bit),
// abbreviation tables, and attribute values by their form. What a reader makes of the values is
// its own business (structs.ts, c-units.ts); here a value is only decoded or stepped over.
import { Cursor, stringAt } from "./cursor.ts";

export const DW_FORM = {
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

export const DW_LANG_Go = 0x16;

/** DWARF 5 unit types (DW_UT_*) whose headers this reader knows. */
const DW_UT = { compile: 0x01, type: 0x02, partial: 0x03, skeleton: 0x04, split_compile: 0x05, split_type: 0x06 } as const;

export interface AttrSpec {
  at: number;
  form: number;
  /** The value of a DW_FORM_implicit_const attribute, which lives in the abbreviation. */
  implicit?: number;
}

export interface Abbrev {
  tag: number;
  hasChildren: boolean;
  attrs: AttrSpec[];
}

export interface UnitHeader {
  /** Offset of the unit in .debug_info: unit-relative references count from here. */
  start: number;
  /** Offset of the unit's first DIE, and of the next unit. */
  diesStart: number;
  end: number;
  version: number;
  offsetSize: 4 | 8;
  addressSize: 4 | 8;
  abbrevs: Map<number, Abbrev>;
}

/** The abbreviation tables of .debug_abbrev, each parsed once however many units share it. */
export class AbbrevTables {
  private readonly tables = new Map<number, Map<number, Abbrev>>();

  constructor(
    private readonly section: Uint8Array,
    private readonly file: string,
  ) {}

  at(offset: number): Map<number, Abbrev> {
    const cached = this.tables.get(offset);
    if (cached) return cached;
    const c = new Cursor(this.section, ".debug_abbrev", this.file);
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
    this.tables.set(offset, table);
    return table;
  }
}

/** Reads the header of the unit at the cursor, leaving the cursor at its first DIE. */
export function readUnitHeader(c: Cursor, abbrevTables: AbbrevTables): UnitHeader {
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
  return { start, diesStart: c.pos, end, version, offsetSize, addressSize: addressSize as 4 | 8, abbrevs: abbrevTables.at(abbrevOffset) };
}

/** The abbreviation a DIE's code names in its unit's table. */
export function dieAbbrev(unit: UnitHeader, code: number, c: Cursor): Abbrev {
  return unit.abbrevs.get(code) ?? c.fail(`DIE at offset ${c.pos} uses undefined abbreviation ${code}`);
}

/**
 * An attribute value by the class of its form; indexes and references are left unresolved.
 * sectionOffset: DW_FORM_sec_offset (a base such as DW_AT_str_offsets_base, or a line, location or
 * range list). unitRef: a DIE's offset from the start of its unit; infoRef (DW_FORM_ref_addr): from
 * the start of .debug_info. stringIndex, addressIndex, rangeListIndex: an entry of
 * .debug_str_offsets, .debug_addr or .debug_rnglists, counted from the unit's base. other: location
 * list indexes, type signatures, 16-byte constants and offsets into other files, which no reader uses.
 */
export type FormValue =
  | {
      cls: "constant" | "address" | "sectionOffset" | "unitRef" | "infoRef" | "stringIndex" | "addressIndex" | "rangeListIndex";
      form: number;
      value: number;
    }
  | { cls: "string"; form: number; value: string }
  | { cls: "block"; form: number; value: Uint8Array }
  | { cls: "other"; form: number };

/** The sections that DW_FORM_strp, DW_FORM_line_strp and DW_FORM_strx* strings live in. */
type StringSection = "str" | "line_str" | "str_offsets";

/** Decodes attribute values, or steps over them unread (which allocates nothing). */
export class FormReader {
  constructor(
    private readonly file: string,
    /** Called only for a value that needs the section; undefined when the file lacks it. */
    private readonly section: (name: StringSection) => Uint8Array | undefined,
  ) {}

  read(c: Cursor, unit: UnitHeader, attr: AttrSpec): FormValue {
    const { form, implicit } = actualForm(c, attr);
    const off = unit.offsetSize;
    switch (form) {
      case DW_FORM.data1:
      case DW_FORM.flag:
        return { cls: "constant", form, value: c.u8("1-byte constant") };
      case DW_FORM.data2:
        return { cls: "constant", form, value: c.u16("2-byte constant") };
      case DW_FORM.data4:
        return { cls: "constant", form, value: c.u32("4-byte constant") };
      case DW_FORM.data8:
        return { cls: "constant", form, value: c.u64("8-byte constant") };
      case DW_FORM.sdata:
        return { cls: "constant", form, value: c.sleb("signed constant") };
      case DW_FORM.udata:
        return { cls: "constant", form, value: c.uleb("unsigned constant") };
      case DW_FORM.flag_present:
        return { cls: "constant", form, value: 1 };
      case DW_FORM.implicit_const:
        return { cls: "constant", form, value: implicitConstant(c, attr.at, implicit) };
      case DW_FORM.string:
        return { cls: "string", form, value: c.cstring("string") };
      case DW_FORM.strp:
      case DW_FORM.line_strp: {
        const at = c.offset(off, "string offset");
        const [name, where] = form === DW_FORM.strp ? (["str", ".debug_str"] as const) : (["line_str", ".debug_line_str"] as const);
        const section = this.section(name) ?? c.fail(`a string refers to ${where}, which the file lacks`);
        return { cls: "string", form, value: stringAt(section, at, where, this.file) };
      }
      case DW_FORM.strx1:
        return { cls: "stringIndex", form, value: c.u8("string index") };
      case DW_FORM.strx2:
        return { cls: "stringIndex", form, value: c.u16("string index") };
      case DW_FORM.strx3:
        return { cls: "stringIndex", form, value: c.u24("string index") };
      case DW_FORM.strx4:
        return { cls: "stringIndex", form, value: c.u32("string index") };
      case DW_FORM.strx:
      case DW_FORM.GNU_str_index:
        return { cls: "stringIndex", form, value: c.uleb("string index") };
      case DW_FORM.addr:
        return { cls: "address", form, value: unit.addressSize === 8 ? c.u64("address") : c.u32("address") };
      case DW_FORM.addrx1:
        return { cls: "addressIndex", form, value: c.u8("address index") };
      case DW_FORM.addrx2:
        return { cls: "addressIndex", form, value: c.u16("address index") };
      case DW_FORM.addrx3:
        return { cls: "addressIndex", form, value: c.u24("address index") };
      case DW_FORM.addrx4:
        return { cls: "addressIndex", form, value: c.u32("address index") };
      case DW_FORM.addrx:
      case DW_FORM.GNU_addr_index:
        return { cls: "addressIndex", form, value: c.uleb("address index") };
      case DW_FORM.ref1:
        return { cls: "unitRef", form, value: c.u8("reference") };
      case DW_FORM.ref2:
        return { cls: "unitRef", form, value: c.u16("reference") };
      case DW_FORM.ref4:
        return { cls: "unitRef", form, value: c.u32("reference") };
      case DW_FORM.ref8:
        return { cls: "unitRef", form, value: c.u64("reference") };
      case DW_FORM.ref_udata:
        return { cls: "unitRef", form, value: c.uleb("reference") };
      case DW_FORM.ref_addr:
        return { cls: "infoRef", form, value: c.offset(refAddrSize(unit), "reference") };
      case DW_FORM.sec_offset:
        return { cls: "sectionOffset", form, value: c.offset(off, "section offset") };
      case DW_FORM.rnglistx:
        return { cls: "rangeListIndex", form, value: c.uleb("range list index") };
      case DW_FORM.block1:
        return this.block(c, form, c.u8("block length"));
      case DW_FORM.block2:
        return this.block(c, form, c.u16("block length"));
      case DW_FORM.block4:
        return this.block(c, form, c.u32("block length"));
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return this.block(c, form, c.uleb("block length"));
      // The other class, and unknown forms, which skip refuses.
      default:
        this.skip(c, unit, { at: attr.at, form });
        return { cls: "other", form };
    }
  }

  skip(c: Cursor, unit: UnitHeader, attr: AttrSpec): void {
    const { form, implicit } = actualForm(c, attr);
    const off = unit.offsetSize;
    switch (form) {
      case DW_FORM.flag_present:
        return;
      case DW_FORM.implicit_const:
        implicitConstant(c, attr.at, implicit);
        return;
      case DW_FORM.data1:
      case DW_FORM.flag:
      case DW_FORM.strx1:
      case DW_FORM.addrx1:
      case DW_FORM.ref1:
        return c.skip(1, "1-byte value");
      case DW_FORM.data2:
      case DW_FORM.strx2:
      case DW_FORM.addrx2:
      case DW_FORM.ref2:
        return c.skip(2, "2-byte value");
      case DW_FORM.strx3:
      case DW_FORM.addrx3:
        return c.skip(3, "3-byte index");
      case DW_FORM.data4:
      case DW_FORM.strx4:
      case DW_FORM.addrx4:
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
        return c.skip(4, "4-byte value");
      case DW_FORM.data8:
      case DW_FORM.ref8:
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        return c.skip(8, "8-byte value");
      case DW_FORM.data16:
        return c.skip(16, "16-byte constant");
      case DW_FORM.addr:
        return c.skip(unit.addressSize, "address");
      case DW_FORM.ref_addr:
        return c.skip(refAddrSize(unit), "reference");
      // Offsets into a supplementary or alternate file's sections.
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        return c.skip(off, "offset in another file");
      case DW_FORM.strp:
      case DW_FORM.line_strp:
      case DW_FORM.sec_offset:
        c.offset(off, "section offset");
        return;
      case DW_FORM.sdata:
      case DW_FORM.udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.ref_udata:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        return c.skipLeb("LEB128 value");
      case DW_FORM.string: {
        const end = c.bytes.indexOf(0, c.pos);
        if (end < 0) c.fail(`string at offset ${c.pos} is not terminated`);
        c.pos = end + 1;
        return;
      }
      case DW_FORM.block1:
        return c.skip(c.u8("block length"), "block");
      case DW_FORM.block2:
        return c.skip(c.u16("block length"), "block");
      case DW_FORM.block4:
        return c.skip(c.u32("block length"), "block");
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return c.skip(c.uleb("block length"), "block");
      default:
        c.fail(`attribute ${attr.at} at offset ${c.pos} has unknown form 0x${form.toString(16)}`);
    }
  }

  /** Entry `index` of a unit's slice of .debug_str_offsets (from `base`), resolved into .debug_str. */
  indexedString(c: Cursor, unit: UnitHeader, base: number, index: number): string {
    const offsets = this.section("str_offsets");
    const str = this.section("str");
    if (offsets === undefined || str === undefined) c.fail("a string index needs .debug_str_offsets and .debug_str, which the file lacks");
    const entry = new Cursor(offsets, ".debug_str_offsets", this.file, base + index * unit.offsetSize);
    return stringAt(str, entry.offset(unit.offsetSize, `string offset ${index}`), ".debug_str", this.file);
  }

  private block(c: Cursor, form: number, length: number): FormValue {
    const start = c.pos;
    c.skip(length, "block");
    return { cls: "block", form, value: c.bytes.subarray(start, start + length) };
  }
}

/**
 * The form an attribute's value is written in: for DW_FORM_indirect, the one the DIE names. The
 * abbreviation's implicit constant goes only with the form the abbreviation itself names.
 */
export function actualForm(c: Cursor, attr: AttrSpec): AttrSpec {
  if (attr.form !== DW_FORM.indirect) return attr;
  let form: number;
  do form = c.uleb("indirect form");
  while (form === DW_FORM.indirect);
  return { at: attr.at, form };
}

/** DW_FORM_implicit_const's value, which an indirect form has none of. */
function implicitConstant(c: Cursor, at: number, implicit: number | undefined): number {
  return implicit ?? c.fail(`attribute ${at} at offset ${c.pos} is DW_FORM_implicit_const through DW_FORM_indirect`);
}

/** DWARF 2 wrote DW_FORM_ref_addr as an address; later versions as a section offset. */
function refAddrSize(unit: UnitHeader): 4 | 8 {
  return unit.version <= 2 ? unit.addressSize : unit.offsetSize;
}
