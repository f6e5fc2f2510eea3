// The pclntab header: which of the four table formats this is and where its parts lie. Every
// offset is taken from the table's own header (the magic number decides the layout), never
// from a guess about the Go version.
import { PclntabError, type TableBytes } from "./bytes.ts";

/** The oldest Go release that writes each table format. */
export type PclntabVersion = "1.2" | "1.16" | "1.18" | "1.20";

const MAGIC: ReadonlyMap<number, PclntabVersion> = new Map([
  [0xfffffffb, "1.2"],
  [0xfffffffa, "1.16"],
  [0xfffffff0, "1.18"],
  [0xfffffff1, "1.20"],
]);

export const PCLNTAB_MAGICS: readonly number[] = [...MAGIC.keys()];

/**
 * Magic numbers a later Go's table would carry: Go counted down from 0xfffffffb, then up from
 * 0xfffffff0. Such a table is refused as newer than known, never parsed with an old layout.
 */
function isLaterMagic(magic: number): boolean {
  return magic >= 0xfffffff2 && magic <= 0xfffffff9;
}

export interface PclnHeader {
  version: PclntabVersion;
  /** Instruction size unit of pc deltas: 1 on amd64, 4 on arm64. */
  quantum: number;
  ptrSize: number;
  nfunc: number;
  /**
   * 1.18+: the address function entries are offsets from (runtime.text, as linked). Undefined in
   * older tables (absolute entries) and from Go 1.26 on, whose linker writes 0 there: the text
   * start is then read from the moduledata (see moduledata.ts).
   */
  textStart: number | undefined;
  /** Offsets in the table. Function names (1.2: offsets from the table start, so 0). */
  funcnametab: number;
  /** 1.16+: per-compilation-unit file indexes; undefined in 1.2 tables. */
  cutab: number | undefined;
  /** 1.16+: the file name bytes; 1.2: an array of uint32 string offsets, element 0 being the count. */
  filetab: number;
  nfiles: number;
  /** pc-value tables (1.2: offsets from the table start, so 0). */
  pctab: number;
  /** The function table: nfunc (entry, func offset) pairs and a final end entry. */
  functab: number;
  /** Bytes per functab field: 4 (offsets from textStart) in 1.18+, a pointer before. */
  functabFieldSize: number;
  /** What functab's func offsets are relative to: the functab itself (1.16+) or the table start. */
  funcBase: number;
}

/** Parses and checks the header at the start of `t`; throws PclntabError when it is not a valid one. */
export function parseHeader(t: TableBytes): PclnHeader {
  const magic = t.u32(0, "magic number");
  const version = MAGIC.get(magic);
  if (!version && isLaterMagic(magic)) {
    throw new PclntabError(t.file, `the function table's format (magic 0x${magic.toString(16)}) is newer than this reader knows`, true);
  }
  if (!version) t.fail(`unknown magic number 0x${magic.toString(16)}`);
  if (t.u8(4, "header") !== 0 || t.u8(5, "header") !== 0) t.fail("header padding is not zero");
  const quantum = t.u8(6, "instruction quantum");
  if (quantum !== 1 && quantum !== 2 && quantum !== 4) t.fail(`bad instruction quantum ${quantum}`);
  const ptrSize = t.u8(7, "pointer size");
  if (ptrSize !== 8) t.fail(`pointer size ${ptrSize} (only 64-bit tables are supported)`);
  const word = (i: number, what: string): number => t.u64(8 + i * ptrSize, what);

  const nfunc = word(0, "function count");
  let header: PclnHeader;
  if (version === "1.2") {
    const functab = 8 + ptrSize;
    const functabEnd = functab + (2 * nfunc + 1) * ptrSize;
    const filetab = t.u32(functabEnd, "file table offset");
    header = {
      version,
      quantum,
      ptrSize,
      nfunc,
      textStart: undefined,
      funcnametab: 0,
      cutab: undefined,
      filetab,
      nfiles: t.u32(filetab, "file count"),
      pctab: 0,
      functab,
      functabFieldSize: ptrSize,
      funcBase: 0,
    };
  } else {
    // 1.18 inserted textStart after the file count; the five offsets follow.
    const first = version === "1.16" ? 2 : 3;
    const functab = word(first + 4, "function table offset");
    header = {
      version,
      quantum,
      ptrSize,
      nfunc,
      textStart: version === "1.16" ? undefined : word(2, "text start") || undefined,
      funcnametab: word(first, "function name table offset"),
      cutab: word(first + 1, "compilation unit table offset"),
      filetab: word(first + 2, "file table offset"),
      nfiles: word(1, "file count"),
      pctab: word(first + 3, "pc-value table offset"),
      functab,
      functabFieldSize: version === "1.16" ? ptrSize : 4,
      funcBase: functab,
    };
  }

  if (nfunc === 0) t.fail("the function table is empty");
  const functabEnd = header.functab + (2 * nfunc + 1) * header.functabFieldSize;
  if (functabEnd > t.length) t.fail(`the function table (${nfunc} functions) extends past the end of the table`);
  for (const [name, off] of [
    ["function name table", header.funcnametab],
    ["compilation unit table", header.cutab ?? 0],
    ["file table", header.filetab],
    ["pc-value table", header.pctab],
  ] as const) {
    if (off >= t.length) t.fail(`the ${name} offset ${off} lies outside the table`);
  }
  return header;
}
