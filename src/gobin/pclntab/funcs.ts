// Where the fields of a function's record (the runtime's _func) and of an inline tree entry
// (inlinedCall) lie, per table format. Offsets are bytes from the start of the record.
import type { PclntabVersion } from "./header.ts";

export interface FuncLayout {
  nameOff: number;
  pcsp: number;
  pcfile: number;
  pcln: number;
  npcdata: number;
  /** Index of the function's compilation unit in cutab (1.16+). */
  cuOffset: number | undefined;
  /** The funcID byte, absent from tables written before Go 1.12. */
  funcID: number | undefined;
  /** The flag byte (TOPFRAME, SPWRITE...), added in Go 1.17 (zero padding in Go 1.16). */
  flag: number | undefined;
  nfuncdata: number;
  /** The pcdata offsets (uint32 each) start here; funcdata follows them. */
  pcdata: number;
  /** Before 1.18 funcdata are pointers, 8-aligned; from 1.18 on, uint32 offsets from gofunc. */
  funcdataPointers: boolean;
}

export const FUNC_LAYOUTS: Record<PclntabVersion, FuncLayout> = {
  // entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset, startLine, funcID, flag, pad, nfuncdata
  "1.20": { nameOff: 4, pcsp: 16, pcfile: 20, pcln: 24, npcdata: 28, cuOffset: 32, funcID: 40, flag: 41, nfuncdata: 43, pcdata: 44, funcdataPointers: false },
  // as 1.20 without startLine
  "1.18": { nameOff: 4, pcsp: 16, pcfile: 20, pcln: 24, npcdata: 28, cuOffset: 32, funcID: 36, flag: 37, nfuncdata: 39, pcdata: 40, funcdataPointers: false },
  // entry (pointer), nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset, funcID, flag, pad, nfuncdata
  "1.16": { nameOff: 8, pcsp: 20, pcfile: 24, pcln: 28, npcdata: 32, cuOffset: 36, funcID: 40, flag: 41, nfuncdata: 43, pcdata: 44, funcdataPointers: true },
  // Go 1.12-1.15: as 1.16 without cuOffset and flag
  "1.2": { nameOff: 8, pcsp: 20, pcfile: 24, pcln: 28, npcdata: 32, cuOffset: undefined, funcID: 36, flag: undefined, nfuncdata: 39, pcdata: 40, funcdataPointers: true },
};

/** Go 1.2-1.11 records end in an int32 nfuncdata where 1.12 put funcID, padding and a uint8 count. */
export const FUNC_LAYOUT_BEFORE_1_12: FuncLayout = { ...FUNC_LAYOUTS["1.2"], funcID: undefined, nfuncdata: 36 };

/** The pcdata table of inline tree indexes: the same from Go 1.12 on. */
export const PCDATA_INL_TREE_INDEX = 2;
/**
 * The funcdata slot of the inline tree: 3 from Go 1.16 on; 4 in Go 1.14 and 1.15, which had a
 * register pointer map slot before it. Older releases numbered the slots differently again, and
 * nothing in a 1.2-format table tells them apart: the Go release must come from elsewhere.
 */
export const FUNCDATA_INL_TREE = 3;
export const FUNCDATA_INL_TREE_GO_1_14 = 4;

export interface InlinedCallLayout {
  size: number;
  funcID: number;
  nameOff: number;
  parentPc: number;
}

/** Go 1.20+: funcID, pad, nameOff, parentPc, startLine. */
export const INLINED_CALL_1_20: InlinedCallLayout = { size: 16, funcID: 0, nameOff: 4, parentPc: 8 };
/** Go 1.12-1.19: parent (int16), funcID, pad, file, line, nameOff, parentPc. */
export const INLINED_CALL_1_12: InlinedCallLayout = { size: 20, funcID: 2, nameOff: 12, parentPc: 16 };
