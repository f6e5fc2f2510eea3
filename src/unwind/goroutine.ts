// Reads a stopped process's goroutine state (runtime.g, runtime.m, g.ancestors) with the field
// offsets of its binary's runtime layout: how the tracer finds who created a goroutine, and the
// Go caller of C code.
import type { RuntimeLayout } from "../gobin/runtime-layout.ts";
import type { MemoryBuffer, MemorySource } from "./memory.ts";

const TWO32 = 2 ** 32;
/** More ancestors or pcs than this is not a list the runtime wrote. */
const MAX_LIST = 4096;

export interface Goroutine {
  addr: number;
  goid: number;
  gopc: number;
  stackLo: number;
  stackHi: number;
  m: number;
  ancestors: number;
  syscallsp: number;
  syscallpc: number;
  schedsp: number;
  schedpc: number;
}

export interface ThreadM {
  g0: number;
  curg: number;
  incgo: boolean;
}

export interface Ancestor {
  goid: number;
  gopc: number;
  /** Return addresses of the ancestor's stack when it created its child, innermost first. */
  pcs: number[];
}

export class GoroutineReader {
  private readonly memory: MemoryBuffer;
  /** How many bytes of a g, and of an m, readG and readM read. */
  readonly gSpan: number;
  readonly mSpan: number;
  /** The buffer as 32-bit words: every field read here is 8-byte aligned, and DataView reads are not inlined. */
  private readonly words: Uint32Array;

  constructor(
    readonly layout: RuntimeLayout,
    memory: MemorySource,
  ) {
    this.memory = memory(64 * 1024);
    this.words = new Uint32Array(this.memory.buffer.buffer, this.memory.buffer.byteOffset, this.memory.buffer.length >>> 2);
    const g = layout.g;
    this.gSpan = Math.max(g.stackLo, g.stackHi, g.m, g.sched.sp, g.sched.pc, g.syscallsp, g.syscallpc, g.goid, g.gopc, g.ancestors) + 8;
    const m = layout.m;
    this.mSpan = Math.max(m.g0, m.curg, m.incgo) + 8;
  }

  private word(off: number): number {
    if ((off & 3) === 0) return this.words[off >>> 2]! + this.words[(off >>> 2) + 1]! * TWO32;
    const v = this.memory.view;
    return v.getUint32(off, true) + v.getUint32(off + 4, true) * TWO32;
  }

  private readExactly(pid: number, addr: number, length: number): boolean {
    if (addr === 0 || length > this.memory.buffer.length) return false;
    try {
      return this.memory.read(pid, addr, length) === length;
    } catch {
      return false;
    }
  }

  /** The g at `addr`, or undefined where it cannot be read. */
  readG(pid: number, addr: number): Goroutine | undefined {
    if (!this.readExactly(pid, addr, this.gSpan)) return undefined;
    const g = this.layout.g;
    return {
      addr,
      goid: this.word(g.goid),
      gopc: this.word(g.gopc),
      stackLo: this.word(g.stackLo),
      stackHi: this.word(g.stackHi),
      m: this.word(g.m),
      ancestors: this.word(g.ancestors),
      syscallsp: this.word(g.syscallsp),
      syscallpc: this.word(g.syscallpc),
      schedsp: this.word(g.sched.sp),
      schedpc: this.word(g.sched.pc),
    };
  }

  readM(pid: number, addr: number): ThreadM | undefined {
    if (!this.readExactly(pid, addr, this.mSpan)) return undefined;
    const m = this.layout.m;
    return { g0: this.word(m.g0), curg: this.word(m.curg), incgo: this.memory.buffer[m.incgo] !== 0 };
  }

  /** The word at `addr` (a TLS slot), or undefined. */
  readWord(pid: number, addr: number): number | undefined {
    return this.readExactly(pid, addr, 8) ? this.word(0) : undefined;
  }

  /**
   * The stack pointers of the frames whose deferred calls the goroutine's panics (or Goexit) are
   * running, newest first; undefined where the records cannot be read.
   */
  runningDeferSps(pid: number, g: Goroutine): number[] | undefined {
    const r = this.layout.runningDefers;
    const sps: number[] = [];
    let at = this.readWord(pid, g.addr + r.g);
    for (let n = 0; at !== 0; n++) {
      if (at === undefined || n >= MAX_LIST) return undefined;
      const span = Math.max(r.sp, r.link, r.kind === "defers" ? r.started : 0) + 8;
      if (!this.readExactly(pid, at, span)) return undefined;
      if (r.kind === "panics" || this.memory.buffer[r.started] !== 0) sps.push(this.word(r.sp));
      at = this.word(r.link);
    }
    return sps;
  }

  /** g.ancestors (GODEBUG=tracebackancestors), newest first; undefined where unreadable. */
  readAncestors(pid: number, g: Goroutine): Ancestor[] | undefined {
    if (g.ancestors === 0) return [];
    // *[]ancestorInfo: a pointer to a slice header.
    if (!this.readExactly(pid, g.ancestors, 24)) return undefined;
    const data = this.word(0);
    const count = this.word(8);
    if (count > MAX_LIST) return undefined;
    const info = this.layout.ancestorInfo;
    if (!this.readExactly(pid, data, count * info.size)) return count === 0 ? [] : undefined;
    const headers = Array.from({ length: count }, (_, i) => {
      const base = i * info.size;
      return { goid: this.word(base + info.goid), gopc: this.word(base + info.gopc), pcsData: this.word(base + info.pcs), pcsLen: this.word(base + info.pcs + 8) };
    });
    const ancestors: Ancestor[] = [];
    for (const h of headers) {
      if (h.pcsLen === 0) {
        ancestors.push({ goid: h.goid, gopc: h.gopc, pcs: [] });
        continue;
      }
      if (h.pcsLen > MAX_LIST || !this.readExactly(pid, h.pcsData, h.pcsLen * 8)) return undefined;
      ancestors.push({ goid: h.goid, gopc: h.gopc, pcs: Array.from({ length: h.pcsLen }, (_, i) => this.word(i * 8)) });
    }
    return ancestors;
  }
}
