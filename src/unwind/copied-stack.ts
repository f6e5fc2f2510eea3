// A goroutine's stack copied out of a stopped thread, read back later as the memory it was copied
// from: a walk over it finds what a walk of the live stack would have found then, with no process
// behind it (src/tracer/creations.ts puts off judging a creator's stack this way). Nothing outside
// the copy can be read: a walk that would leave it (only a corrupt or forged frame does) stops
// short there, and is judged as not fully walked, where the live walk might have read on.
import type { MemorySource } from "./memory.ts";

/** The bytes of [base, base + bytes.length) as they were when copied. */
export interface StackCopy {
  base: number;
  bytes: Uint8Array;
}

const NONE: StackCopy = { base: 0, bytes: new Uint8Array(0) };

/** Serves reads from one copy at a time (none: nothing can be read); anything outside it cannot be read, as unmapped memory. */
export class CopiedMemory {
  private copy = NONE;

  use(copy: StackCopy | undefined): void {
    this.copy = copy ?? NONE;
  }

  readonly source: MemorySource = (capacity) => {
    const buffer = new Uint8Array(capacity);
    return {
      buffer,
      view: new DataView(buffer.buffer),
      read: (_pid, addr, length) => {
        const { base, bytes } = this.copy;
        const from = addr - base;
        if (!(from >= 0 && from < bytes.length)) return 0;
        const n = Math.min(length, capacity, bytes.length - from);
        buffer.set(bytes.subarray(from, from + n));
        return n;
      },
    };
  };
}
