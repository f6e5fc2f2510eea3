// Finds named struct types and their member offsets in .debug_info, decoding only what that needs
// (names, sizes, member offsets) and stepping over everything else by its form (units.ts walks the
// units, abbreviations and forms). Units not written by Go are skipped whole; the unit of
// package runtime is read first, since that is where the Go linker puts the runtime's types.
// Go writes DWARF 4 up to 1.24 and DWARF 5 from 1.25 (names inline, addresses as DW_FORM_addrx);
// C compilers' units in cgo binaries may name things through .debug_str_offsets (DW_FORM_strx*).
// A value is used only when its form is of the class the attribute needs: a name that is not a
// string, or a member offset that is not a constant, is a DwarfError, never a guess.
import { Cursor, DwarfError } from "./cursor.ts";
import type { DwarfSections } from "./sections.ts";
import { AbbrevTables, actualForm, DW_FORM, DW_LANG_Go, dieAbbrev, FormReader, type AttrSpec, type FormValue, type UnitHeader, readUnitHeader } from "./units.ts";

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
const DW_OP_plus_uconst = 0x23;

/**
 * The forms of the classes this reader uses (constants, strings, blocks, section offsets). A kept
 * attribute in any other form is stepped over unread: its value is of no use, so it cannot be wrong.
 * DW_FORM_GNU_str_index is not here: it indexes a split unit's (.dwo) strings, not this file's.
 */
const USED_FORMS: ReadonlySet<number> = new Set([
  DW_FORM.data1,
  DW_FORM.data2,
  DW_FORM.data4,
  DW_FORM.data8,
  DW_FORM.sdata,
  DW_FORM.udata,
  DW_FORM.flag,
  DW_FORM.flag_present,
  DW_FORM.implicit_const,
  DW_FORM.string,
  DW_FORM.strp,
  DW_FORM.line_strp,
  DW_FORM.strx,
  DW_FORM.strx1,
  DW_FORM.strx2,
  DW_FORM.strx3,
  DW_FORM.strx4,
  DW_FORM.block,
  DW_FORM.block1,
  DW_FORM.block2,
  DW_FORM.block4,
  DW_FORM.exprloc,
  DW_FORM.sec_offset,
]);

interface Unit extends UnitHeader {
  /** DW_AT_str_offsets_base of the root DIE: where the unit's DW_FORM_strx* indexes start. */
  strOffsetsBase?: number;
}

export class DwarfStructReader {
  private readonly abbrevTables: AbbrevTables;
  private readonly forms: FormReader;

  constructor(
    private readonly sections: DwarfSections,
    private readonly file: string,
  ) {
    this.abbrevTables = new AbbrevTables(sections.abbrev, file);
    const strings = { str: sections.str, line_str: sections.lineStr, str_offsets: sections.strOffsets };
    this.forms = new FormReader(file, (name) => strings[name]);
  }

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
      const unit: Unit = readUnitHeader(c, this.abbrevTables);
      const code = c.uleb("abbreviation code");
      if (code !== 0) {
        const abbrev = dieAbbrev(unit, code, c);
        const attrsStart = c.pos;
        let language: number | undefined;
        for (const spec of abbrev.attrs) {
          const v = this.attrValue(c, unit, spec, spec.at === DW_AT_language || spec.at === DW_AT_str_offsets_base);
          if (spec.at === DW_AT_language && v?.cls === "constant") language = v.value;
          else if (spec.at === DW_AT_str_offsets_base && v?.cls === "sectionOffset") unit.strOffsetsBase = v.value;
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
      const abbrev = dieAbbrev(unit, code, c);
      const isStruct = abbrev.tag === DW_TAG_structure_type;
      const isMember = abbrev.tag === DW_TAG_member && current !== undefined && depth === current.memberDepth;
      if (!isStruct && !isMember) {
        for (const spec of abbrev.attrs) this.attrValue(c, unit, spec, false);
      } else {
        let name: string | undefined;
        let size: number | undefined;
        let location: FormValue | undefined;
        for (const spec of abbrev.attrs) {
          const keep = spec.at === DW_AT_name || spec.at === DW_AT_byte_size || spec.at === DW_AT_data_member_location;
          const v = this.attrValue(c, unit, spec, keep);
          if (spec.at === DW_AT_name) name = this.name(c, v);
          // A size given by reference or expression is not known statically.
          else if (spec.at === DW_AT_byte_size && v?.cls === "constant") size = v.value;
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
  private name(c: Cursor, v: FormValue | undefined): string | undefined {
    if (v === undefined || v.cls === "string") return v?.value;
    return c.fail(`a name at offset ${c.pos} has form 0x${v.form.toString(16)}, not a string this file holds`);
  }

  /**
   * Reads one attribute value, or, when `keep` is false, only steps over it (and returns
   * undefined): skipping allocates nothing, and most attributes are skipped. A kept string index
   * is resolved at once, so that a name is a string or a DwarfError.
   */
  private attrValue(c: Cursor, unit: Unit, spec: AttrSpec, keep: boolean): FormValue | undefined {
    const attr = actualForm(c, spec);
    if (!keep || !USED_FORMS.has(attr.form)) {
      this.forms.skip(c, unit, attr);
      return keep ? { cls: "other", form: attr.form } : undefined;
    }
    const v = this.forms.read(c, unit, attr);
    if (v.cls !== "stringIndex") return v;
    if (unit.strOffsetsBase === undefined) c.fail(`a string index at offset ${c.pos} is in a unit without DW_AT_str_offsets_base`);
    return { cls: "string", form: v.form, value: this.forms.indexedString(c, unit, unit.strOffsetsBase, v.value) };
  }
}

/**
 * A member's offset: a constant, or (DWARF 2 style) an expression that is one DW_OP_plus_uconst.
 * In DWARF 2 and 3 a data4 or data8 location is a location list's offset, not a constant.
 */
function memberOffset(location: FormValue | undefined, version: number): number | undefined {
  if (location?.cls === "constant") {
    const listOffset = version <= 3 && (location.form === DW_FORM.data4 || location.form === DW_FORM.data8);
    return listOffset || location.value < 0 ? undefined : location.value;
  }
  if (location?.cls === "block" && location.value.length >= 2 && location.value[0] === DW_OP_plus_uconst) {
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
