// The runtime's moduledata record (runtime.firstmoduledata) for a pclntab. It is the only place
// that holds gofunc, the base of 1.18+ funcdata offsets (inline trees), and it proves that a
// table found by scanning is the one the program itself uses. Found without symbols: its first
// word points at the table and the slices after it point into the table at the header's offsets.
import type { PclnHeader } from "./header.ts";
import type { SegmentMemory } from "./memory.ts";

const TWO_32 = 2 ** 32;

/** Word index of moduledata.text: after pcHeader, six slices, findfunctab, minpc and maxpc (1.18+). */
const TEXT_WORD = 22;

/**
 * Where moduledata.gofunc may stand, tried in order, with the word before it (rodata) no higher.
 * Go 1.18 and 1.19: after the section bounds (text...enoptrbss), end, gcdata, gcbss, types,
 * etypes and rodata, word 38. Go 1.20 added covctrs/ecovctrs: word 40, up to Go 1.26. Go 1.27
 * added typedesclen, itaboffset and itabsize: word 43, followed by epclntab. From Go 1.26 the
 * go:func.* data lies inside the table, so a 1.27 record is told by a gofunc between the table's
 * start and epclntab: in the older layouts words 42-44 are textsectmap's length and capacity (small
 * counts, which a PIE's segments starting at address 0 would map) and the next field.
 */
const GOFUNC_WORDS: Partial<Record<PclnHeader["version"], readonly { index: number; insideTable: boolean }[]>> = {
  "1.18": [{ index: 38, insideTable: false }],
  "1.20": [
    { index: 43, insideTable: true },
    { index: 40, insideTable: false },
  ],
};

/** The words a moduledata for `h` at `addr` must hold, by index. */
function expectedWords(h: PclnHeader, addr: number): [number, number][] {
  if (h.version === "1.2") {
    // pclntable []byte, then ftab []functab.
    return [
      [0, addr],
      [3, addr + h.functab],
    ];
  }
  // pcHeader, then funcnametab, cutab, filetab, pctab, pclntable and ftab slices (pointer, len, cap).
  return [
    [0, addr],
    [1, addr + h.funcnametab],
    [4, addr + (h.cutab ?? 0)],
    [7, addr + h.filetab],
    [10, addr + h.pctab],
    [13, addr + h.functab],
    [16, addr + h.functab],
    [17, h.nfunc + 1],
  ];
}

/** A table whose moduledata is searched for: its header and link-time address. */
interface TableAt {
  header: PclnHeader;
  addr: number;
}

/**
 * The address of the moduledata that describes each table (by the table's address), for the
 * tables the file holds one for. One pass over the segments, however many tables: a file can
 * hold any number of copies of a table header, and each must not cost a pass of its own.
 */
export function findModuledata(mem: SegmentMemory, tables: readonly TableAt[]): Map<number, number> {
  const byLow = new Map<number, { addr: number; hi: number; expected: [number, number][]; lastWord: number }[]>();
  for (const { header, addr } of tables) {
    const expected = expectedWords(header, addr);
    const lo = addr % TWO_32;
    const list = byLow.get(lo) ?? [];
    list.push({ addr, hi: Math.floor(addr / TWO_32), expected, lastWord: Math.max(...expected.map(([i]) => i)) });
    byLow.set(lo, list);
  }
  const found = new Map<number, number>();
  if (byLow.size === 0) return found;
  // moduledata is data, after the code and read-only data: searching from the last segment
  // finds it without paging in the rest of the file. Each table's address is looked for by the
  // array's own search: a loop over every word costs milliseconds on a large binary.
  for (const segment of [...mem.segments].reverse()) {
    const { words, vaddr } = mem.words(segment);
    for (const [low, list] of byLow) {
      // Its first word points at the table; records are 8-aligned, so word pairs start at even k.
      for (let k = words.indexOf(low); k >= 0 && k + 1 < words.length; k = words.indexOf(low, k + 1)) {
        if (k % 2 !== 0) continue;
        for (const t of list) {
          if (found.has(t.addr) || words[k + 1] !== t.hi || k + 2 * t.lastWord + 1 >= words.length) continue;
          if (t.expected.every(([i, v]) => words[k + 2 * i] + words[k + 2 * i + 1] * TWO_32 === v)) found.set(t.addr, vaddr + 4 * k);
        }
        if (list.every((t) => found.has(t.addr))) break;
      }
    }
    if (found.size === tables.length) return found;
  }
  return found;
}

/** moduledata.text, the base of 1.18+ function entries (the only record of it from Go 1.26 on). */
export function moduledataText(mem: SegmentMemory, moduledata: number): number | undefined {
  return mem.word(moduledata + 8 * TEXT_WORD);
}

/** moduledata.gofunc for a 1.18+ table: funcdata offsets count from it. Undefined if unreadable. */
export function gofuncAddress(mem: SegmentMemory, h: PclnHeader, moduledata: number): number | undefined {
  const word = (i: number) => mem.word(moduledata + 8 * i);
  const table = word(0);
  for (const { index, insideTable } of GOFUNC_WORDS[h.version] ?? []) {
    const gofunc = word(index);
    const rodata = word(index - 1);
    if (gofunc === undefined || rodata === undefined || rodata > gofunc || !mem.find(gofunc, 1)) continue;
    if (insideTable) {
      const end = word(index + 1);
      if (table === undefined || end === undefined || !(table < gofunc && gofunc < end)) continue;
    }
    // gofunc is a region of read-only data the file holds (go:func.*), at or after rodata.
    return gofunc;
  }
  return undefined;
}
