// A window of a stopped thread's stack, read with one process_vm_readv and widened only when a
// walk reaches past it.
import type { MemoryBuffer, MemorySource } from "./memory.ts";

const TWO32 = 2 ** 32;

export class StackWindow {
  private readonly memory: MemoryBuffer;
  private pid = 0;
  private base = 0;
  private length = 0;
  /** The window as 32-bit words: stack slots are 8-byte aligned, and DataView reads are not inlined here. */
  private readonly words: Uint32Array;

  constructor(
    private readonly windowSize: number,
    memory: MemorySource,
  ) {
    this.memory = memory(windowSize);
    this.words = new Uint32Array(this.memory.buffer.buffer, this.memory.buffer.byteOffset, windowSize >>> 2);
  }

  /** Starts a new walk of `pid`'s memory from `sp` upwards. */
  reset(pid: number, sp: number): void {
    this.pid = pid;
    this.load(sp);
  }

  /** The 64-bit word at `addr`, or undefined where memory cannot be read. */
  word(addr: number): number | undefined {
    if (addr < this.base || addr + 8 > this.base + this.length) {
      this.load(addr);
      if (this.length < 8) return undefined;
    }
    const off = addr - this.base;
    if ((off & 3) === 0) return this.words[off >>> 2]! + this.words[(off >>> 2) + 1]! * TWO32;
    const view = this.memory.view;
    return view.getUint32(off, true) + view.getUint32(off + 4, true) * TWO32;
  }

  private load(addr: number): void {
    this.base = addr;
    try {
      this.length = this.memory.read(this.pid, addr, this.windowSize);
    } catch {
      this.length = 0;
    }
  }
}
