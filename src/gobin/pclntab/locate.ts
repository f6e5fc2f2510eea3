// Finding the pclntab in an ELF file: by its section (`.gopclntab`, or `.data.rel.ro.gopclntab`
// in PIE builds), or, when the sections are missing or unusable (external linking puts the
// table inside `.data.rel.ro`; a stripped section table has nothing), by scanning the loadable
// segments for a valid header that a moduledata record points at.
import type { ElfFile } from "../../elf/elf.ts";
import { PclntabError, TableBytes } from "./bytes.ts";
import { type PclnHeader, PCLNTAB_MAGICS, parseHeader } from "./header.ts";
import { hex, type SegmentMemory } from "./memory.ts";
import { findModuledata, moduledataText } from "./moduledata.ts";

interface LocatedPclntab {
  table: TableBytes;
  /** Link-time address of the table's first byte. */
  addr: number;
  header: PclnHeader;
  /** Address of the runtime's moduledata for this table, when found. */
  moduledata: number | undefined;
  /** Base of 32-bit function entries (1.18+ tables): the header's, or from Go 1.26 on the moduledata's. */
  textStart: number | undefined;
  /** Where the table was found: a section name, or "segment scan". */
  source: string;
}

const SECTION_NAMES = [".gopclntab", ".data.rel.ro.gopclntab"];

/**
 * The base of the table's 32-bit function entries: the header's text start, or where the header
 * leaves it 0 (Go 1.26 on) the moduledata's text. Undefined for tables with absolute entries.
 */
function textStartOf(mem: SegmentMemory, t: TableBytes, h: PclnHeader, moduledata: number | undefined): number | undefined {
  if (h.functabFieldSize !== 4 || h.textStart !== undefined) return h.textStart;
  const text = moduledata === undefined ? undefined : moduledataText(mem, moduledata);
  if (text === undefined) t.fail("the header's text start is 0 and no moduledata record gives it");
  return text;
}

/** Checks that the table's functions lie in bytes the file maps, as every real table's do. */
function checkCodeRange(mem: SegmentMemory, t: TableBytes, h: PclnHeader, textStart: number | undefined): void {
  const field = (i: number): number => {
    const off = h.functab + i * h.functabFieldSize;
    return h.functabFieldSize === 4 ? (textStart ?? 0) + t.u32(off, "function entry") : t.u64(off, "function entry");
  };
  const first = field(0);
  const end = field(2 * h.nfunc);
  if (end < first) t.fail(`the function table ends (${hex(end)}) before it starts (${hex(first)})`);
  if (!mem.find(first, Math.max(1, end - first))) {
    t.fail(`the functions (${hex(first)}-${hex(end)}) do not lie in a loadable segment of the file`);
  }
}

/** Completes a table whose header parsed: its text start, its code range checked. Throws PclntabError. */
function located(mem: SegmentMemory, table: TableBytes, header: PclnHeader, addr: number, moduledata: number | undefined, source: string): LocatedPclntab {
  const textStart = textStartOf(mem, table, header, moduledata);
  checkCodeRange(mem, table, header, textStart);
  return { table, addr, header, moduledata, textStart, source };
}

function fromSection(elf: ElfFile, mem: SegmentMemory): LocatedPclntab | string | undefined {
  for (const name of SECTION_NAMES) {
    const s = elf.section(name);
    if (!s || s.type === "nobits") continue;
    try {
      const table = new TableBytes(elf.sectionData(s), elf.path);
      const header = parseHeader(table);
      return located(mem, table, header, s.addr, findModuledata(mem, [{ header, addr: s.addr }]).get(s.addr), name);
    } catch (e) {
      if (e instanceof PclntabError && !e.newerFormat) return `section ${name} is unusable (${e.reason})`;
      throw e;
    }
  }
  return undefined;
}

function fromSegments(elf: ElfFile, mem: SegmentMemory): LocatedPclntab[] {
  const candidates: { table: TableBytes; addr: number; header: PclnHeader }[] = [];
  for (const segment of mem.segments) {
    const { words, vaddr } = mem.words(segment);
    const skip = vaddr - segment.vaddr;
    for (const magic of PCLNTAB_MAGICS) {
      // The linker aligns the table to at least 8 bytes.
      for (let k = words.indexOf(magic); k >= 0; k = words.indexOf(magic, k + 2 - (k % 2))) {
        if (k % 2 !== 0) continue;
        const table = new TableBytes(segment.bytes.bytes.subarray(skip + 4 * k), elf.path);
        try {
          const header = parseHeader(table);
          // A header whose text start is 0 can only be checked once its moduledata is found.
          if (header.functabFieldSize !== 4 || header.textStart !== undefined) checkCodeRange(mem, table, header, header.textStart);
          candidates.push({ table, addr: vaddr + 4 * k, header });
        } catch (e) {
          if (!(e instanceof PclntabError)) throw e;
        }
      }
    }
  }
  // Only a table that a moduledata record describes is the program's.
  const moduledata = findModuledata(mem, candidates);
  return candidates.flatMap((c) => {
    const at = moduledata.get(c.addr);
    if (at === undefined) return [];
    try {
      return [located(mem, c.table, c.header, c.addr, at, "segment scan")];
    } catch (e) {
      if (e instanceof PclntabError) return [];
      throw e;
    }
  });
}

export function locatePclntab(elf: ElfFile, mem: SegmentMemory): LocatedPclntab {
  const bySection = fromSection(elf, mem);
  if (typeof bySection === "object") return bySection;
  const found = fromSegments(elf, mem);
  if (found.length === 1) return found[0];
  const why = bySection ? `${bySection}, and ` : "";
  if (found.length === 0) {
    throw new PclntabError(elf.path, `${why}no Go function table found in the file (not a Go program, or a damaged one)`);
  }
  throw new PclntabError(
    elf.path,
    `${why}${found.length} candidate Go function tables found (at ${found.map((f) => hex(f.addr)).join(", ")}); cannot tell which one the program uses`,
  );
}
