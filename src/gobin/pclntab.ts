// A reader for the Go runtime's symbol table (pclntab) over the memory-mapped bytes of an ELF
// executable: function lookup by pc, names, file:line, SP deltas and inline expansion, as the
// runtime itself computes them. Nothing is decoded up front: lookups binary-search the table in
// place and decode only what they touch; frames are cached per pc.
//
// All addresses are link-time (file) addresses. For a PIE process the caller subtracts the load
// bias first. Function entries are textStart plus a 32-bit offset in 1.18+ tables; linux/amd64
// and linux/arm64 never split the text section, so the runtime's textsectmap does not apply.
import { parseGoVersion } from "./go-release.ts";
import { arches } from "../arch/arches.ts";
import type { ElfFile } from "../elf/elf.ts";
import { PclntabError, type TableBytes } from "./pclntab/bytes.ts";
import {
  FUNC_LAYOUT_BEFORE_1_12,
  FUNC_LAYOUTS,
  FUNCDATA_INL_TREE,
  FUNCDATA_INL_TREE_GO_1_14,
  type FuncLayout,
  INLINED_CALL_1_12,
  INLINED_CALL_1_20,
  type InlinedCallLayout,
  PCDATA_INL_TREE_INDEX,
} from "./pclntab/funcs.ts";
import type { PclnHeader, PclntabVersion } from "./pclntab/header.ts";
import { locatePclntab } from "./pclntab/locate.ts";
import { hex, SegmentMemory } from "./pclntab/memory.ts";
import { gofuncAddress } from "./pclntab/moduledata.ts";
import { pcvalue, pcvalueRuns } from "./pclntab/pcvalue.ts";

export { PclntabError } from "./pclntab/bytes.ts";
export type { PclntabVersion } from "./pclntab/header.ts";

/** One function activation as the runtime reports it, inlined or not. */
export interface LogicalFrame {
  /** The function's symbol name, e.g. `example.com/m.(*T).M` or `main.F[go.shape.int]`. */
  func: string;
  /** Source position; "?" and 0 when the table has none (as the runtime reports it). */
  file: string;
  line: number;
  /** The pc this frame's position is taken at: the looked-up pc, or for a caller of an inlined call the pc of its call site. */
  pc: number;
  /** Entry of the physical function that holds the code (for an inlined frame: its outermost caller). */
  entry: number;
  /** The runtime's funcID of the function (its numbering depends on the Go release); undefined before Go 1.12. */
  funcID: number | undefined;
  /** True when the compiler inlined this function into its caller (no physical frame of its own). */
  inlined: boolean;
}

const utf8Decoder = new TextDecoder("utf-8");

/** Bounds any walk up an inline tree: a corrupted tree may loop. */
const MAX_INLINE_DEPTH = 1024;

export class Pclntab {
  readonly version: PclntabVersion;
  readonly ptrSize: number;
  readonly quantum: number;
  /** Link-time address of runtime.text (1.18+ header), or of the first function in older tables. */
  readonly textStart: number;
  /** Link-time address of the table itself, and how it was found (section name or "segment scan"). */
  readonly addr: number;
  readonly source: string;

  private readonly file: string;
  private readonly table: TableBytes;
  private readonly header: PclnHeader;
  private readonly memory: SegmentMemory;
  private readonly functab: DataView;
  /** 1.18+ tables: the function table as 32-bit words (entry offset, record offset pairs), for fast search. */
  private readonly functabWords: Uint32Array | undefined;
  private readonly layout: FuncLayout;
  /** Where inline trees are read from (funcdata slot, then gofunc-relative or pointers); a string says why they cannot be. */
  private readonly inlineTrees: ({ slot: number; entry: InlinedCallLayout } & ({ base: number } | { pointers: true })) | string;
  /** The first function's entry and the end of the last function. */
  private readonly minPC: number;
  private readonly maxPC: number;
  private readonly fileNames = new Map<number, string>();
  private readonly frameCache = new Map<number, readonly LogicalFrame[]>();
  private readonly spDeltaCache = new Map<number, number>();

  private constructor(elf: ElfFile, goVersion: string | undefined) {
    this.file = elf.path;
    this.memory = new SegmentMemory(elf);
    const found = locatePclntab(elf, this.memory);
    const h = found.header;
    this.table = found.table;
    this.header = h;
    this.addr = found.addr;
    this.source = found.source;
    this.version = h.version;
    this.ptrSize = h.ptrSize;
    this.quantum = h.quantum;
    const expectedQuantum = arches[elf.machine].instructionQuantum;
    if (h.quantum !== expectedQuantum) {
      this.table.fail(`instruction quantum ${h.quantum} does not match the ${elf.machine} machine of the ELF header`);
    }
    const t = this.table.bytes;
    const functabStart = t.byteOffset + h.functab;
    const functabLength = (2 * h.nfunc + 1) * h.functabFieldSize;
    this.functab = new DataView(t.buffer, functabStart, functabLength);
    this.functabWords = h.functabFieldSize === 4 && functabStart % 4 === 0 ? new Uint32Array(t.buffer, functabStart, functabLength / 4) : undefined;
    this.textStart = found.textStart ?? this.functabField(0);
    this.minPC = this.entryAt(0);
    this.maxPC = this.entryAt(h.nfunc);

    if (h.version === "1.2") {
      // The same magic covers Go 1.2-1.15; the record layout changed in 1.12, the funcdata slots in 1.14.
      this.layout = this.hasGo112FuncLayout() ? FUNC_LAYOUTS["1.2"] : FUNC_LAYOUT_BEFORE_1_12;
      const minor = parseGoVersion(goVersion ?? "")?.minor;
      this.inlineTrees = minor === 14 || minor === 15
        ? { slot: FUNCDATA_INL_TREE_GO_1_14, pointers: true, entry: INLINED_CALL_1_12 }
        : `inline trees of a Go 1.2-1.15 table are read only for Go 1.14 and 1.15, and this binary's Go release is ${goVersion ?? "unknown"}`;
    } else {
      this.layout = FUNC_LAYOUTS[h.version];
      if (h.version === "1.16") {
        this.inlineTrees = { slot: FUNCDATA_INL_TREE, pointers: true, entry: INLINED_CALL_1_12 };
      } else {
        const gofunc = found.moduledata === undefined ? undefined : gofuncAddress(this.memory, h, found.moduledata);
        this.inlineTrees =
          gofunc === undefined
            ? "the runtime's moduledata (which locates inline trees) was not found"
            : { slot: FUNCDATA_INL_TREE, base: gofunc, entry: h.version === "1.20" ? INLINED_CALL_1_20 : INLINED_CALL_1_12 };
      }
    }
  }

  /**
   * Reads the pclntab of `elf`; throws PclntabError when it has none or it is unusable.
   * `goVersion` (from the build information, e.g. "go1.15.2") is needed only for tables of
   * Go 1.2-1.15, whose inline trees moved between releases; without it frames() of an inlined
   * pc in such a table throws PclntabError rather than guess.
   */
  static fromElf(elf: ElfFile, options: { goVersion?: string } = {}): Pclntab {
    return new Pclntab(elf, options.goVersion);
  }

  get funcCount(): number {
    return this.header.nfunc;
  }

  /** Field `i` of the function table: an entry (even i) or a func record offset (odd i). */
  private functabField(i: number): number {
    const size = this.header.functabFieldSize;
    if (size === 4) return this.functab.getUint32(i * 4, true);
    const hi = this.functab.getUint32(i * 8 + 4, true);
    return hi * 2 ** 32 + this.functab.getUint32(i * 8, true);
  }

  private entryAt(i: number): number {
    const v = this.functabField(2 * i);
    return this.header.functabFieldSize === 4 ? this.textStart + v : v;
  }

  /** The first function's entry: in an externally linked binary, the C runtime's start-up code lies right below it. */
  get codeStart(): number {
    return this.minPC;
  }

  /** The index of the function whose code holds `pc`, or undefined when no Go function does. */
  findFunc(pc: number): number | undefined {
    if (!(pc >= this.minPC && pc < this.maxPC)) return undefined;
    const n = this.header.nfunc;
    const words = this.functabWords;
    if (words) {
      const off = pc - this.textStart;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (words[2 * mid] <= off) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }
    // The last function whose entry is <= pc.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.entryAt(mid) <= pc) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private checkIndex(fn: number): void {
    if (!(Number.isInteger(fn) && fn >= 0 && fn < this.header.nfunc)) {
      throw new PclntabError(this.file, `function index ${fn} is out of range (${this.header.nfunc} functions)`);
    }
  }

  funcEntry(fn: number): number {
    this.checkIndex(fn);
    return this.entryAt(fn);
  }

  /** The end of the function's code: the next function's entry (or the end of the text). */
  funcEnd(fn: number): number {
    this.checkIndex(fn);
    return this.entryAt(fn + 1);
  }

  /** Offset of the function's record in the table. */
  private record(fn: number): number {
    this.checkIndex(fn);
    return this.header.funcBase + this.functabField(2 * fn + 1);
  }

  funcName(fn: number): string {
    return this.nameAt(this.table.i32(this.record(fn) + this.layout.nameOff, "function name offset"));
  }

  private nameAt(nameOff: number): string {
    return this.table.cstring(this.header.funcnametab + nameOff, "function name");
  }

  /**
   * The function name table as one block of NUL-terminated names (1.16+ tables, where it lies
   * before the compilation-unit table), for searching its bytes natively instead of decoding
   * every name: on a 20 MB binary decoding them all takes tens of milliseconds, which a stop or
   * the start of a program cannot afford. Undefined for older tables, whose names are scattered.
   */
  private nameTable(): Uint8Array | undefined {
    const { funcnametab, cutab } = this.header;
    if (cutab === undefined || !(cutab > funcnametab)) return undefined;
    return this.table.bytes.subarray(funcnametab, cutab);
  }

  /**
   * Every distinct name in the function name table that contains `needle`: the names of
   * functions, and of functions only ever inlined (the inline trees name those from the same
   * table). Older tables: the names of the functions.
   */
  namesContaining(needle: string): string[] {
    const names = this.nameTable();
    if (!names) {
      const found = new Set<string>();
      for (let fn = 0; fn < this.funcCount; fn++) {
        const name = this.funcName(fn);
        if (name.includes(needle)) found.add(name);
      }
      return [...found];
    }
    const found = new Set<string>();
    const bytes = Buffer.from(names.buffer, names.byteOffset, names.byteLength);
    const pattern = Buffer.from(needle);
    for (let at = bytes.indexOf(pattern); at >= 0; ) {
      const start = bytes.lastIndexOf(0, at) + 1;
      let end = bytes.indexOf(0, at);
      if (end < 0) end = bytes.length;
      found.add(utf8Decoder.decode(bytes.subarray(start, end)));
      at = bytes.indexOf(pattern, end);
    }
    return [...found];
  }

  /**
   * The function named exactly `name`, found by searching the name table's bytes from its start
   * (from its end with `fromEnd`: the linker lays the main package out last). A Go function's
   * name is unique in a binary (only file-local assembly symbols, `name<>`, may repeat: then it
   * is one of them), so the search stops at the first match: a name near one end of a large
   * binary's table is found without reading the rest of it (the file is mapped: each page read
   * the first time is a page fault).
   */
  functionNamed(name: string, fromEnd = false): number | undefined {
    const names = this.nameTable();
    if (!names) {
      for (let i = 0; i < this.funcCount; i++) {
        const fn = fromEnd ? this.funcCount - 1 - i : i;
        if (this.funcName(fn) === name) return fn;
      }
      return undefined;
    }
    const bytes = Buffer.from(names.buffer, names.byteOffset, names.byteLength);
    const exact = Buffer.from(`\0${name}\0`);
    const atStart = bytes.subarray(0, exact.length - 1).equals(exact.subarray(1));
    let offset: number;
    if (atStart && !fromEnd) offset = 0;
    else {
      const at = fromEnd ? bytes.lastIndexOf(exact) : bytes.indexOf(exact);
      if (at < 0 && !atStart) return undefined;
      offset = at < 0 ? 0 : at + 1;
    }
    // Each record's name offset, read straight from the table (a call per function would cost
    // milliseconds on a large binary with the JIT held back).
    const words = this.functabWords;
    const view = new DataView(this.table.bytes.buffer, this.table.bytes.byteOffset, this.table.bytes.byteLength);
    const base = this.header.funcBase + this.layout.nameOff;
    const last = view.byteLength - 4;
    const n = this.header.nfunc;
    for (let i = 0; i < n; i++) {
      const fn = fromEnd ? n - 1 - i : i;
      const at = base + (words ? words[2 * fn + 1]! : this.functabField(2 * fn + 1));
      if (at > last) continue;
      if (view.getInt32(at, true) === offset) return fn;
    }
    return undefined;
  }

  /**
   * The functions whose flags have a bit of `mask` set, read straight from the records (a call
   * per function costs milliseconds on a large binary); undefined before Go 1.16, which keeps no flags.
   */
  functionsFlagged(mask: number): number[] | undefined {
    const at = this.layout.flag;
    if (at === undefined) return undefined;
    const found: number[] = [];
    const bytes = this.table.bytes;
    const words = this.functabWords;
    const base = this.header.funcBase + at;
    for (let fn = 0; fn < this.header.nfunc; fn++) {
      const flag = bytes[base + (words ? words[2 * fn + 1]! : this.functabField(2 * fn + 1))];
      if (flag !== undefined && (flag & mask) !== 0) found.push(fn);
    }
    return found;
  }

  /**
   * The functions whose names contain one of `needles`, in table order, found by searching the
   * name table's bytes: only the matches are decoded. Undefined for older tables, whose names
   * are scattered.
   */
  functionsNamedWith(needles: readonly string[]): number[] | undefined {
    const names = this.nameTable();
    if (!names) return undefined;
    const bytes = Buffer.from(names.buffer, names.byteOffset, names.byteLength);
    const starts = new Set<number>();
    for (const needle of needles) {
      const pattern = Buffer.from(needle);
      for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + pattern.length)) {
        starts.add(bytes.lastIndexOf(0, at) + 1);
      }
    }
    const found: number[] = [];
    if (starts.size === 0) return found;
    const view = new DataView(this.table.bytes.buffer, this.table.bytes.byteOffset, this.table.bytes.byteLength);
    const words = this.functabWords;
    const base = this.header.funcBase + this.layout.nameOff;
    const last = view.byteLength - 4;
    for (let fn = 0; fn < this.header.nfunc; fn++) {
      const at = base + (words ? words[2 * fn + 1]! : this.functabField(2 * fn + 1));
      if (at <= last && starts.has(view.getInt32(at, true))) found.push(fn);
    }
    return found;
  }
  /** The runtime's funcID of the function (numbering depends on the Go release); undefined before Go 1.12. */
  funcID(fn: number): number | undefined {
    const at = this.layout.funcID;
    return at === undefined ? undefined : this.table.u8(this.record(fn) + at, "funcID");
  }

  /** The runtime's function flags (TOPFRAME, SPWRITE...; Go 1.17+, zero in 1.16); undefined before Go 1.16. */
  funcFlag(fn: number): number | undefined {
    const at = this.layout.flag;
    return at === undefined ? undefined : this.table.u8(this.record(fn) + at, "function flags");
  }

  private pcvalueAt(fn: number, field: number, pc: number): number {
    const rec = this.record(fn);
    const off = this.table.u32(rec + field, "pc-value table offset");
    if (off === 0) return -1;
    return pcvalue(this.table, this.header.pctab + off, this.entryAt(fn), pc, this.header.quantum);
  }

  /**
   * The SP delta at `pc` in function `fn`: how far SP is below its value at the function's entry
   * (on amd64 the return address pushed by CALL is not counted). Undefined when the table has no value.
   */
  spDelta(fn: number, pc: number): number | undefined {
    // Remembered per pc: a stack walk asks for the same return addresses stop after stop, and
    // decoding a large function's table up to a late pc is most of a frame's cost.
    this.checkIndex(fn);
    let v = this.spDeltaCache.get(pc);
    if (v === undefined) {
      v = this.pcvalueAt(fn, this.layout.pcsp, pc);
      this.spDeltaCache.set(pc, v);
    }
    return v === -1 ? undefined : v;
  }

  /** Source position of `pc` in function `fn` (for inlined code: the innermost function's position). */
  fileLine(fn: number, pc: number): { file: string; line: number } | undefined {
    const fileno = this.pcvalueAt(fn, this.layout.pcfile, pc);
    const line = this.pcvalueAt(fn, this.layout.pcln, pc);
    if (fileno < 0 || line === -1) return undefined;
    const file = this.fileName(fn, fileno);
    return file === undefined ? undefined : { file, line };
  }

  private fileName(fn: number, fileno: number): string | undefined {
    const h = this.header;
    let nameOff: number;
    if (h.cutab === undefined) {
      // 1.2 tables: one global array of string offsets whose element 0 is its length.
      if (fileno === 0 || fileno >= h.nfiles) return undefined;
      nameOff = this.table.u32(h.filetab + 4 * fileno, "file name offset");
    } else {
      const cu = this.table.u32(this.record(fn) + (this.layout.cuOffset ?? 0), "compilation unit index");
      const off = this.table.u32(h.cutab + 4 * (cu + fileno), "file index");
      if (off === 0xffffffff) return undefined;
      nameOff = h.filetab + off;
    }
    let name = this.fileNames.get(nameOff);
    if (name === undefined) {
      name = this.table.cstring(nameOff, "file name");
      this.fileNames.set(nameOff, name);
    }
    return name;
  }

  /** The inline tree of `fn` as a reader of entries, or undefined when the function has none. */
  private inlineTree(fn: number): ((index: number) => { funcID: number; nameOff: number; parentPc: number }) | undefined {
    const rec = this.record(fn);
    const layout = this.layout;
    const t = this.table;
    const npcdata = t.u32(rec + layout.npcdata, "pcdata count");
    const trees = this.inlineTrees;
    if (typeof trees === "string") return t.fail(`cannot expand inlined calls of ${this.funcName(fn)}: ${trees}`);
    if (trees.slot >= t.u8(rec + layout.nfuncdata, "funcdata count")) return undefined;
    const funcdata = rec + layout.pcdata + 4 * npcdata;
    let tree: number;
    if ("base" in trees) {
      const off = t.u32(funcdata + 4 * trees.slot, "funcdata offset");
      if (off === 0xffffffff) return undefined;
      tree = trees.base + off;
    } else {
      // Pointers, aligned to 8 bytes in memory.
      const aligned = funcdata + ((8 - ((this.addr + funcdata) % 8)) % 8);
      tree = t.u64(aligned + 8 * trees.slot, "funcdata pointer");
      if (tree === 0) return undefined;
    }
    const entry = trees.entry;
    return (index) => {
      const at = this.memory.find(tree + index * entry.size, entry.size);
      if (!at) return t.fail(`inline tree entry ${index} of ${this.funcName(fn)} at ${hex(tree)} is not in the file`);
      return {
        funcID: at.bytes.u8(at.off + entry.funcID, "inlined funcID"),
        nameOff: at.bytes.i32(at.off + entry.nameOff, "inlined function name offset"),
        parentPc: at.bytes.i32(at.off + entry.parentPc, "inlined call site"),
      };
    };
  }

  /**
   * The logical frames at `pc`, innermost first: the inlined calls that hold it, then the
   * physical function, as the runtime's inline unwinder reports them. For a caller's frame pass
   * the return address minus one (the call instruction), like runtime.CallersFrames does.
   * Empty when no Go function holds `pc`. Wrapper frames are included (the runtime elides some
   * from tracebacks depending on their callee); the result is cached per pc.
   */
  frames(pc: number): readonly LogicalFrame[] {
    let frames = this.frameCache.get(pc);
    if (frames === undefined) {
      const fn = this.findFunc(pc);
      frames = fn === undefined ? [] : this.expand(fn, pc);
      this.frameCache.set(pc, frames);
    }
    return frames;
  }

  private expand(fn: number, pc: number): LogicalFrame[] {
    const entry = this.entryAt(fn);
    const end = this.entryAt(fn + 1);
    const hasIndex = this.table.u32(this.record(fn) + this.layout.npcdata, "pcdata count") > PCDATA_INL_TREE_INDEX;
    let tree: ReturnType<Pclntab["inlineTree"]>;
    const frames: LogicalFrame[] = [];
    const seen = new Set<number>();
    let at = pc;
    for (let depth = 0; depth < MAX_INLINE_DEPTH; depth++) {
      let index = hasIndex ? this.pcvalueAt(fn, this.layout.pcdata + 4 * PCDATA_INL_TREE_INDEX, at) : -1;
      // A function made of inlined code alone (a generated init that only stores the results of
      // inlined calls) has no instruction of its own for the calls' parentPc to name: the
      // compiler gives them its entry, which is inlined code again. Its own frame ends the chain.
      if (seen.has(index)) index = -1;
      seen.add(index);
      const pos = this.fileLine(fn, at) ?? { file: "?", line: 0 };
      if (index < 0) {
        frames.push({ func: this.funcName(fn), ...pos, pc: at, entry, funcID: this.funcID(fn), inlined: false });
        return frames;
      }
      // Only a pc inside inlined code needs the tree (and fails if it cannot be read).
      tree ??= this.inlineTree(fn);
      if (!tree) return this.table.fail(`${this.funcName(fn)} has inlined code at ${hex(at)} but no inline tree`);
      const call = tree(index);
      frames.push({ func: this.nameAt(call.nameOff), ...pos, pc: at, entry, funcID: call.funcID, inlined: true });
      at = entry + call.parentPc;
      if (!(at >= entry && at < end)) {
        this.table.fail(`inlined call site ${hex(at)} lies outside ${this.funcName(fn)} (${hex(entry)}-${hex(end)})`);
      }
    }
    return this.table.fail(`the inline tree of ${this.funcName(fn)} is deeper than ${MAX_INLINE_DEPTH} calls (corrupted)`);
  }

  /**
   * The calls the compiler inlined into function `fn`, one per inline tree entry its code uses:
   * the inlined function's name, the pc of its call site and the first pc of its body (where
   * frames() and fileLine() tell the inlined function's own position).
   */
  inlinedCalls(fn: number): { func: string; callPc: number; bodyPc: number }[] {
    const rec = this.record(fn);
    if (this.table.u32(rec + this.layout.npcdata, "pcdata count") <= PCDATA_INL_TREE_INDEX) return [];
    const off = this.table.u32(rec + this.layout.pcdata + 4 * PCDATA_INL_TREE_INDEX, "pc-value table offset");
    const entry = this.entryAt(fn);
    const firstPc = new Map<number, number>();
    pcvalueRuns(this.table, off === 0 ? 0 : this.header.pctab + off, entry, this.header.quantum, (index, start) => {
      if (index >= 0 && !firstPc.has(index)) firstPc.set(index, start);
    });
    if (firstPc.size === 0) return [];
    const tree = this.inlineTree(fn);
    if (!tree) return this.table.fail(`${this.funcName(fn)} has inlined code but no inline tree`);
    return [...firstPc].map(([index, bodyPc]) => {
      const call = tree(index);
      return { func: this.nameAt(call.nameOff), callPc: entry + call.parentPc, bodyPc };
    });
  }

  /** Every function in the table, in address order. */
  *funcs(): Iterable<{ name: string; entry: number }> {
    for (let fn = 0; fn < this.header.nfunc; fn++) yield { name: this.funcName(fn), entry: this.entryAt(fn) };
  }

  /**
   * Go 1.12 replaced the int32 nfuncdata at the end of a function record with funcID, two pad
   * bytes and a uint8 nfuncdata. main.main decides: it is an ordinary function (funcID 0) with
   * pointer-map funcdata, so its last four bytes read (0, 0, 0, n) from 1.12 on and (n, 0, 0, 0) before.
   */
  private hasGo112FuncLayout(): boolean {
    for (let fn = 0; fn < this.header.nfunc; fn++) {
      const rec = this.header.funcBase + this.functabField(2 * fn + 1);
      if (this.nameAt(this.table.i32(rec + FUNC_LAYOUTS["1.2"].nameOff, "function name offset")) !== "main.main") continue;
      const tail = this.table.u32(rec + 36, "function record");
      return (tail & 0xff) === 0 && tail >>> 24 !== 0;
    }
    return false;
  }
}
