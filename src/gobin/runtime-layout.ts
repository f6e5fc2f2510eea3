// Where the Go runtime keeps a goroutine's state in a given binary: byte offsets of the fields of
// runtime.g, runtime.m and runtime.ancestorInfo that goroutine ancestry and cgo attribution read
// from a stopped process, of the records of the deferred calls a panic runs, and where a thread
// keeps its current g in thread-local storage.
//
// The offsets come from the binary's own DWARF when it has it; otherwise (built with -ldflags=-w)
// from a table per Go release, which the tests check against the DWARF of every release they can
// build. amd64 and arm64 share one table: both are 64-bit and no field before the ones read here
// differs between them. A binary without DWARF from a release the table does not know, or one
// with damaged DWARF, is an explicit RuntimeLayoutError: a guessed offset reads the wrong word.
import { arches } from "../arch/arches.ts";
import type { ThreadPointerRegister } from "../arch/arch.ts";
import type { ElfFile } from "../elf/elf.ts";
import { DwarfError } from "./dwarf/cursor.ts";
import { parseGoVersion } from "./go-release.ts";
import type { DwarfStruct } from "./dwarf/structs.ts";

/** Offsets in runtime.g. Pointer and uintptr fields are 8 bytes; atomicstatus is a uint32. */
interface GLayout {
  stackLo: number;
  stackHi: number;
  /** *m: the thread running this g (nil when not running). */
  m: number;
  /**
   * Saved context of a goroutine that is not running, in a syscall, or on the system stack. Before
   * Go 1.23 entersyscall leaves bp stale; during a cgo call asmcgocall overwrites all three (pc in
   * runtime.systemstack_switch), so use syscallsp/syscallpc there.
   */
  sched: { sp: number; pc: number; bp: number };
  /** Set by entersyscall (also for cgo calls, pc then in runtime.cgocall): where the goroutine's own stack resumes. */
  syscallsp: number;
  syscallpc: number;
  /** Go 1.23 and later. */
  syscallbp?: number;
  /** uint32, one of G_STATUS (possibly with the G_STATUS.scan bit). */
  atomicstatus: number;
  goid: number;
  /** Go 1.21 and later: the goid of the creating goroutine. */
  parentGoid?: number;
  /** pc of the go statement that created this goroutine. */
  gopc: number;
  /** *[]ancestorInfo, filled only under GODEBUG=tracebackancestors=N. */
  ancestors: number;
  /** Entry pc of the goroutine's function. */
  startpc: number;
}

/** Offsets in runtime.m. */
interface MLayout {
  /** *g whose stack is the thread's system stack. */
  g0: number;
  /** uint64: the thread's Linux tid (set when the thread starts). */
  procid: number;
  /** *g used while running signal handlers. */
  gsignal: number;
  /** [6]uintptr: in binaries without cgo on amd64 the thread pointer is &m.tls[1], so g sits at m.tls[0]. */
  tls: number;
  /** *g: the user goroutine this thread runs (also while it is on g0 or in C). */
  curg: number;
  /** bool: the thread is inside a cgo call (C code called through runtime.cgocall). */
  incgo: number;
  /** int32: cgo calls in progress on this thread. */
  ncgo: number;
  /** Set while the thread runs vDSO code: the Go caller's sp and pc. */
  vdsoSP: number;
  vdsoPC: number;
}

/** runtime.ancestorInfo, the elements of *g.ancestors. */
interface AncestorInfoLayout {
  size: number;
  /** []uintptr slice header: data pointer, length, capacity. */
  pcs: number;
  /** uint64 */
  goid: number;
  gopc: number;
}

/**
 * Where the runtime keeps the deferred calls it is running while a goroutine panics (or ends with
 * Goexit): each record names the stack pointer of the frame that registered them.
 */
type RunningDefersLayout =
  /** Go 1.22 on: g._panic, a chain of _panic records, newest first; `sp` is the frame whose deferred calls run now. */
  | { kind: "panics"; g: number; sp: number; link: number }
  /** Up to Go 1.21: g._defer, the chain of _defer records, newest first; a `started` one (a bool) is running, registered by the frame at `sp`. */
  | { kind: "defers"; g: number; sp: number; link: number; started: number };

/** Where a thread's current g is in its thread-local storage: g = *(thread pointer + offset). */
type TlsG =
  | { known: true; register: ThreadPointerRegister; offset: number }
  | { known: false; reason: string };

export interface RuntimeLayout {
  source: "dwarf" | "table";
  /** The Go release as given by the caller (from build information), if any. */
  goVersion: string | undefined;
  g: GLayout;
  m: MLayout;
  ancestorInfo: AncestorInfoLayout;
  runningDefers: RunningDefersLayout;
  /**
   * The most pcs the runtime records of an ancestor's stack (the innermost ones): an ancestor
   * whose pcs are this many may have lost its outer frames. 100 up to Go 1.20, 50 from 1.21;
   * undefined when the release is unknown or newer than the table's.
   */
  ancestorPcsLimit: number | undefined;
  tlsG: TlsG;
}

/**
 * Values of g.atomicstatus, the same in Go 1.19-1.27 (1.26 added states 10 and 11, leaked and
 * dead extra-M goroutines, which nothing here reads); `scan` is a flag or-ed into the others while
 * the GC scans the stack.
 */
export const G_STATUS = { idle: 0, runnable: 1, running: 2, syscall: 3, waiting: 4, dead: 6, scan: 0x1000 } as const;

/** The offsets cannot be known for this binary; the message says why. */
export class RuntimeLayoutError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: the Go runtime's goroutine layout is unknown: ${reason}`);
    this.name = "RuntimeLayoutError";
  }
}

type TableLayout = Pick<RuntimeLayout, "g" | "m" | "ancestorInfo" | "runningDefers">;

const ANCESTOR_INFO: AncestorInfoLayout = { size: 40, pcs: 0, goid: 24, gopc: 32 };
const DEFERS_1_19: RunningDefersLayout = { kind: "defers", g: 40, sp: 8, link: 40, started: 0 };
const PANICS_1_22: RunningDefersLayout = { kind: "panics", g: 32, sp: 48, link: 24 };

// Go 1.19 and 1.20 agree on every offset read here (1.20 was checked on a Go 1.20.6 toolchain
// built from source, since Debian ships none; the tests check the rest on every toolchain here).
const GO_1_19: TableLayout = {
  g: {
    stackLo: 0,
    stackHi: 8,
    m: 48,
    sched: { sp: 56, pc: 64, bp: 104 },
    syscallsp: 112,
    syscallpc: 120,
    atomicstatus: 144,
    goid: 152,
    gopc: 296,
    ancestors: 304,
    startpc: 312,
  },
  m: { g0: 0, procid: 72, gsignal: 80, tls: 136, curg: 192, incgo: 280, ncgo: 312, vdsoSP: 800, vdsoPC: 808 },
  ancestorInfo: ANCESTOR_INFO,
  runningDefers: DEFERS_1_19,
};

// Go 1.26 and 1.27 agree on every offset of g and m read here. Fields added in 1.26 move
// g.parentGoid and m.incgo, and what follows them, 8 bytes on from 1.25. _panic lost its argp in
// 1.26 (its sp moved 8 bytes back) and gained a pc before sp in 1.27.
const GO_1_26: TableLayout = {
  g: {
    stackLo: 0,
    stackHi: 8,
    m: 48,
    sched: { sp: 56, pc: 64, bp: 96 },
    syscallsp: 104,
    syscallpc: 112,
    syscallbp: 120,
    atomicstatus: 144,
    goid: 152,
    parentGoid: 280,
    gopc: 288,
    ancestors: 296,
    startpc: 304,
  },
  m: { g0: 0, procid: 64, gsignal: 72, tls: 128, curg: 184, incgo: 280, ncgo: 328, vdsoSP: 896, vdsoPC: 904 },
  ancestorInfo: ANCESTOR_INFO,
  runningDefers: { kind: "panics", g: 32, sp: 40, link: 16 },
};

// Offsets per Go release, for binaries without DWARF.
const TABLE: Record<string, TableLayout> = {
  "1.19": GO_1_19,
  "1.20": GO_1_19,
  "1.21": {
    g: {
      stackLo: 0,
      stackHi: 8,
      m: 48,
      sched: { sp: 56, pc: 64, bp: 104 },
      syscallsp: 112,
      syscallpc: 120,
      atomicstatus: 144,
      goid: 152,
      parentGoid: 272,
      gopc: 280,
      ancestors: 288,
      startpc: 296,
    },
    m: { g0: 0, procid: 72, gsignal: 80, tls: 136, curg: 192, incgo: 280, ncgo: 312, vdsoSP: 808, vdsoPC: 816 },
    ancestorInfo: ANCESTOR_INFO,
    runningDefers: DEFERS_1_19,
  },
  "1.22": {
    g: {
      stackLo: 0,
      stackHi: 8,
      m: 48,
      sched: { sp: 56, pc: 64, bp: 104 },
      syscallsp: 112,
      syscallpc: 120,
      atomicstatus: 144,
      goid: 152,
      parentGoid: 272,
      gopc: 280,
      ancestors: 288,
      startpc: 296,
    },
    m: { g0: 0, procid: 72, gsignal: 80, tls: 136, curg: 192, incgo: 280, ncgo: 304, vdsoSP: 1120, vdsoPC: 1128 },
    ancestorInfo: ANCESTOR_INFO,
    runningDefers: PANICS_1_22,
  },
  "1.23": {
    g: {
      stackLo: 0,
      stackHi: 8,
      m: 48,
      sched: { sp: 56, pc: 64, bp: 104 },
      syscallsp: 112,
      syscallpc: 120,
      syscallbp: 128,
      atomicstatus: 152,
      goid: 160,
      parentGoid: 280,
      gopc: 288,
      ancestors: 296,
      startpc: 304,
    },
    m: { g0: 0, procid: 72, gsignal: 80, tls: 136, curg: 192, incgo: 280, ncgo: 304, vdsoSP: 856, vdsoPC: 864 },
    ancestorInfo: ANCESTOR_INFO,
    runningDefers: PANICS_1_22,
  },
  // 1.24 differs from 1.23 only past m.trace, which grew: m.vdsoSP and m.vdsoPC.
  "1.24": {
    g: {
      stackLo: 0,
      stackHi: 8,
      m: 48,
      sched: { sp: 56, pc: 64, bp: 104 },
      syscallsp: 112,
      syscallpc: 120,
      syscallbp: 128,
      atomicstatus: 152,
      goid: 160,
      parentGoid: 280,
      gopc: 288,
      ancestors: 296,
      startpc: 304,
    },
    m: { g0: 0, procid: 72, gsignal: 80, tls: 136, curg: 192, incgo: 280, ncgo: 304, vdsoSP: 880, vdsoPC: 888 },
    ancestorInfo: ANCESTOR_INFO,
    runningDefers: PANICS_1_22,
  },
  // 1.25 dropped gobuf.ret: g's fields from sched.bp on, and m's after its gobuf morebuf, move
  // 8 bytes back (m grew again before ncgo).
  "1.25": {
    g: {
      stackLo: 0,
      stackHi: 8,
      m: 48,
      sched: { sp: 56, pc: 64, bp: 96 },
      syscallsp: 104,
      syscallpc: 112,
      syscallbp: 120,
      atomicstatus: 144,
      goid: 152,
      parentGoid: 272,
      gopc: 280,
      ancestors: 288,
      startpc: 296,
    },
    m: { g0: 0, procid: 64, gsignal: 72, tls: 128, curg: 184, incgo: 272, ncgo: 320, vdsoSP: 896, vdsoPC: 904 },
    ancestorInfo: ANCESTOR_INFO,
    runningDefers: PANICS_1_22,
  },
  "1.26": GO_1_26,
  "1.27": { ...GO_1_26, runningDefers: { kind: "panics", g: 32, sp: 48, link: 16 } },
};

/** The Go releases the table covers, e.g. ["1.19", "1.20", ...]. */
export const TABLE_RELEASES: readonly string[] = Object.keys(TABLE).sort((a, b) => minor(a) - minor(b));

function minor(release: string): number {
  return Number(release.split(".")[1]);
}

/**
 * The runtime layout of the Go executable `elf`, whose build information reports `goVersion`.
 * Throws RuntimeLayoutError when it cannot be known: damaged DWARF, or no DWARF and a release
 * the table does not cover.
 */
export function runtimeLayout(elf: ElfFile, goVersion: string | undefined, options: { preferTable?: boolean } = {}): RuntimeLayout {
  const tlsG = tlsGLocation(elf);
  const ancestorPcsLimit = ancestorPcsLimitOf(goVersion);
  const release = goVersion === undefined ? undefined : parseGoVersion(goVersion)?.release;
  const table = release === undefined ? undefined : TABLE[release];
  // The tracer prefers the table for the releases it holds: the tests prove it equal to those
  // releases' DWARF, and inflating DWARF costs 100-200 ms at start-up.
  if (table !== undefined && options.preferTable) return { source: "table", goVersion, ...table, ancestorPcsLimit, tlsG };
  const fromDwarf = layoutFromDwarf(elf);
  if (fromDwarf) return { source: "dwarf", goVersion, ...fromDwarf, ancestorPcsLimit, tlsG };
  if (goVersion === undefined) {
    throw new RuntimeLayoutError(elf.path, "the binary has neither DWARF nor build information naming its Go release");
  }
  if (table === undefined) {
    throw new RuntimeLayoutError(
      elf.path,
      `the binary has no DWARF and its Go release ${goVersion} is not in the table (${TABLE_RELEASES.join(", ")})`,
    );
  }
  return { source: "table", goVersion, ...table, ancestorPcsLimit, tlsG };
}

/**
 * The runtime's cap on an ancestor's pcs (saveAncestors' buffer): _TracebackMaxFrames (100) until
 * Go 1.20, tracebackInnerFrames (50) since (still 50 in 1.27). A release past the table may change it.
 */
function ancestorPcsLimitOf(goVersion: string | undefined): number | undefined {
  const release = goVersion === undefined ? undefined : parseGoVersion(goVersion)?.release;
  if (release === undefined || !TABLE_RELEASES.includes(release)) return undefined;
  return minor(release) <= 20 ? 100 : 50;
}

const STRUCTS = ["runtime.g", "runtime.m", "runtime.gobuf", "runtime.stack", "runtime.ancestorInfo", "runtime._panic", "runtime._defer"];

function layoutFromDwarf(elf: ElfFile): TableLayout | undefined {
  let found: Map<string, DwarfStruct>;
  try {
    // The DWARF reader loads only where the table does not know the release.
    const { readDwarfSections } = require("./dwarf/sections.ts") as typeof import("./dwarf/sections.ts");
    const { DwarfStructReader } = require("./dwarf/structs.ts") as typeof import("./dwarf/structs.ts");
    const sections = readDwarfSections(elf);
    if (sections === undefined) return undefined;
    found = new DwarfStructReader(sections, elf.path).findStructs(STRUCTS);
  } catch (e) {
    if (e instanceof DwarfError) throw new RuntimeLayoutError(elf.path, e.message);
    throw e;
  }
  const struct = (name: string): DwarfStruct => {
    const s = found.get(name);
    if (s === undefined) throw new RuntimeLayoutError(elf.path, `its DWARF has no type ${name}`);
    return s;
  };
  const field = (s: DwarfStruct, member: string, size: number): number => {
    const offset = s.members.get(member);
    if (offset === undefined) throw new RuntimeLayoutError(elf.path, `its DWARF type ${s.name} has no field ${member}`);
    if (s.byteSize !== undefined && offset + size > s.byteSize) {
      throw new RuntimeLayoutError(elf.path, `its DWARF puts ${s.name}.${member} at ${offset}, past the type's ${s.byteSize} bytes`);
    }
    return offset;
  };
  const optional = (s: DwarfStruct, member: string, size: number): number | undefined =>
    s.members.has(member) ? field(s, member, size) : undefined;

  const g = struct("runtime.g");
  const m = struct("runtime.m");
  const gobuf = struct("runtime.gobuf");
  const stack = struct("runtime.stack");
  const ancestor = struct("runtime.ancestorInfo");
  const sched = field(g, "sched", gobuf.byteSize ?? 0);
  const stackAt = field(g, "stack", stack.byteSize ?? 0);
  const syscallbp = optional(g, "syscallbp", 8);
  const parentGoid = optional(g, "parentGoid", 8);
  if (ancestor.byteSize === undefined) throw new RuntimeLayoutError(elf.path, "its DWARF type runtime.ancestorInfo has no size");
  // From Go 1.22 a _panic record walks the frames whose deferred calls it runs (startSP, sp).
  const panic = struct("runtime._panic");
  const defer = struct("runtime._defer");
  const runningDefers: RunningDefersLayout = panic.members.has("startSP")
    ? { kind: "panics", g: field(g, "_panic", 8), sp: field(panic, "sp", 8), link: field(panic, "link", 8) }
    : { kind: "defers", g: field(g, "_defer", 8), sp: field(defer, "sp", 8), link: field(defer, "link", 8), started: field(defer, "started", 1) };
  return {
    g: {
      stackLo: stackAt + field(stack, "lo", 8),
      stackHi: stackAt + field(stack, "hi", 8),
      m: field(g, "m", 8),
      sched: { sp: sched + field(gobuf, "sp", 8), pc: sched + field(gobuf, "pc", 8), bp: sched + field(gobuf, "bp", 8) },
      syscallsp: field(g, "syscallsp", 8),
      syscallpc: field(g, "syscallpc", 8),
      ...(syscallbp === undefined ? {} : { syscallbp }),
      atomicstatus: field(g, "atomicstatus", 4),
      goid: field(g, "goid", 8),
      ...(parentGoid === undefined ? {} : { parentGoid }),
      gopc: field(g, "gopc", 8),
      ancestors: field(g, "ancestors", 8),
      startpc: field(g, "startpc", 8),
    },
    m: {
      g0: field(m, "g0", 8),
      procid: field(m, "procid", 8),
      gsignal: field(m, "gsignal", 8),
      tls: field(m, "tls", 8),
      curg: field(m, "curg", 8),
      incgo: field(m, "incgo", 1),
      ncgo: field(m, "ncgo", 4),
      vdsoSP: field(m, "vdsoSP", 8),
      vdsoPC: field(m, "vdsoPC", 8),
    },
    ancestorInfo: {
      size: ancestor.byteSize,
      pcs: field(ancestor, "pcs", 24),
      goid: field(ancestor, "goid", 8),
      gopc: field(ancestor, "gopc", 8),
    },
    runningDefers,
  };
}

const PT_TLS = 7;
const ELF64_PHDR_SIZE = 56;
const ELF64_SYM_SIZE = 24;
const STT_TLS = 6;

/**
 * Where a thread keeps its current g, for stops in code where the g register cannot be trusted
 * (C code, vDSO): the architecture's rule (src/arch) applied to this executable's TLS segment.
 */
function tlsGLocation(elf: ElfFile): TlsG {
  const rule = arches[elf.machine].goTls;
  const without = rule.withoutSegment;
  const tls = tlsSegment(elf);
  if (tls === undefined) {
    return "offset" in without ? { known: true, register: rule.register, offset: without.offset } : { known: false, reason: without.reason };
  }
  const at = tlsSymbolOffset(elf, rule.symbol, tls);
  // Where g may be in no TLS at all, say so first.
  if (typeof at === "string") return { known: false, reason: "reason" in without ? `${without.reason}, and ${at}` : at };
  if (rule.block.kind === "below") {
    const blockSize = tls.memsz + (((-tls.vaddr - tls.memsz) % tls.align) + tls.align) % tls.align;
    return { known: true, register: rule.register, offset: at - blockSize };
  }
  const firstBlock = Math.ceil(rule.block.tcbSize / tls.align) * tls.align;
  return { known: true, register: rule.register, offset: firstBlock + at };
}

interface TlsSegment {
  vaddr: number;
  memsz: number;
  align: number;
}

/** The PT_TLS program header (ElfSegment does not carry p_align, which the TLS layout needs). */
function tlsSegment(elf: ElfFile): TlsSegment | undefined {
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const phoff = Number(view.getBigUint64(32, true));
  const phnum = view.getUint16(56, true);
  // ElfFile.parse has checked that the program headers lie inside the file.
  for (let i = 0; i < phnum; i++) {
    const h = phoff + i * ELF64_PHDR_SIZE;
    if (view.getUint32(h, true) !== PT_TLS) continue;
    const align = Math.max(1, Number(view.getBigUint64(h + 48, true)));
    return { vaddr: Number(view.getBigUint64(h + 16, true)), memsz: Number(view.getBigUint64(h + 40, true)), align };
  }
  return undefined;
}

/**
 * The offset of the runtime's g slot in the executable's TLS block: from the symbol table, or,
 * when the block holds nothing but that one pointer, 0. A string says why it cannot be known.
 */
function tlsSymbolOffset(elf: ElfFile, name: string, tls: TlsSegment): number | string {
  const found = findTlsSymbol(elf, name);
  if (found !== undefined) {
    if (found + 8 > tls.memsz) return `${name} at ${found} lies outside the ${tls.memsz}-byte TLS segment`;
    return found;
  }
  if (tls.memsz === 8) return 0;
  return `the TLS segment holds ${tls.memsz} bytes and the binary has no symbol table locating ${name} in it`;
}

function findTlsSymbol(elf: ElfFile, name: string): number | undefined {
  const symtab = elf.section(".symtab");
  const strtab = elf.section(".strtab");
  if (symtab === undefined || strtab === undefined) return undefined;
  const syms = elf.sectionData(symtab);
  const strs = elf.sectionData(strtab);
  const view = new DataView(syms.buffer, syms.byteOffset, syms.byteLength);
  const want = new TextEncoder().encode(name);
  for (let at = 0; at + ELF64_SYM_SIZE <= syms.length; at += ELF64_SYM_SIZE) {
    if ((syms[at + 4] & 0xf) !== STT_TLS) continue;
    const nameAt = view.getUint32(at, true);
    if (nameAt + want.length >= strs.length || strs[nameAt + want.length] !== 0) continue;
    if (want.every((b, i) => strs[nameAt + i] === b)) return Number(view.getBigUint64(at + 8, true));
  }
  return undefined;
}
