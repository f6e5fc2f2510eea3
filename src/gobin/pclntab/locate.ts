// Finding the pclntab in an ELF file: by its section (`.gopclntab`, or `.data.rel.ro.gopclntab`
// in PIE builds), or, when the sections are missing or unusable (external linking puts the
// table inside `.data.rel.ro`; a stripped section table has nothing), by scanning the loadable
// segments for a valid header that a moduledata record points at.
import type { ElfFile } from "../../elf/elf.ts";
import { PclntabError, TableBytes } from "./bytes.ts";
import { type PclnHeader, PCLNTAB_MAGICS, parseHeader } from "./header.ts";
import { hex, type SegmentMemory } from "./memory.ts";
import { findModuledata } from "./moduledata.ts";

export interface LocatedPclntab {
  table: TableBytes;
  /** Link-time address of the table's first byte. */
  addr: number;
  header: PclnHeader;
  /** Address of the runtime's moduledata for this table, when found. */
  moduledata: number | undefined;
  /** Where the table was found: a section name, or "segment scan". */
  source: string;
}

const SECTION_NAMES = [".gopclntab", ".data.rel.ro.gopclntab"];

/** Checks that the table's functions lie in bytes the file maps, as every real table's do. */
function checkCodeRange(mem: SegmentMemory, t: TableBytes, h: PclnHeader): void {
  const field = (i: number): number => {
    const off = h.functab + i * h.functabFieldSize;
    return h.functabFieldSize === 4 ? (h.textStart ?? 0) + t.u32(off, "function entry") : t.u64(off, "function entry");
  };
  const first = field(0);
  const end = field(2 * h.nfunc);
  if (end < first) t.fail(`the function table ends (${hex(end)}) before it starts (${hex(first)})`);
  if (!mem.find(first, Math.max(1, end - first))) {
    t.fail(`the functions (${hex(first)}-${hex(end)}) do not lie in a loadable segment of the file`);
  }
}

function fromSection(elf: ElfFile, mem: SegmentMemory): LocatedPclntab | string | undefined {
  for (const name of SECTION_NAMES) {
    const s = elf.section(name);
    if (!s || s.type === "nobits") continue;
    try {
      const table = new TableBytes(elf.sectionData(s), elf.path);
      const header = parseHeader(table);
      checkCodeRange(mem, table, header);
      return { table, addr: s.addr, header, moduledata: findModuledata(mem, [{ header, addr: s.addr }]).get(s.addr), source: name };
    } catch (e) {
      if (e instanceof PclntabError) return `section ${name} is unusable (${e.reason})`;
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
          checkCodeRange(mem, table, header);
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
    return at === undefined ? [] : [{ ...c, moduledata: at, source: "segment scan" }];
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
