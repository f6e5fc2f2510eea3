// Reads a stopped thread's memory at several known addresses in one call, for readers that would
// each make a call of their own: a goroutine's creation stop needs the word its covered
// instruction loads, the new g, the thread's m, the creator's g and its stack (src/tracer/
// creations.ts), and each process_vm_readv costs a few microseconds, about what judging the stop
// does. The bytes serve only while the thread stays stopped and the tracer writes none of its
// memory: clear() when the stop is handled.
import type { MemorySource } from "./memory.ts";

/** Reads spans (address and length pairs) one after another into its buffer in one call; returns how many bytes arrived (may throw where nothing can be read). */
interface SpanReader {
  readonly buffer: Uint8Array;
  readonly maxSpans: number;
  readSpans(pid: number, spans: readonly number[]): number;
}

export class ReadAhead {
  private pid = 0;
  /** Spans that arrived whole: address, offset in the buffer and length, three numbers each. */
  private readonly spans: Float64Array;
  private count = 0;

  /** `inner` reads whatever was not read ahead. */
  constructor(
    private readonly inner: MemorySource,
    private readonly reader: SpanReader,
  ) {
    this.spans = new Float64Array(3 * reader.maxSpans);
  }

  /** Buffers that take a read's bytes from a span read ahead at its address, and read the rest themselves. */
  readonly source: MemorySource = (capacity) => {
    const own = this.inner(capacity);
    return {
      buffer: own.buffer,
      view: own.view,
      read: (pid, addr, length) => (this.copy(pid, addr, length, own.buffer) ? length : own.read(pid, addr, length)),
    };
  };

  /**
   * Reads the spans (address and length pairs) of `pid`. Where the call fails or stops short (the
   * kernel stops at the first page it cannot read), the spans that did not arrive whole are read
   * one by one as they are asked for, as they would be without it; so are all of them where they
   * are more than the reader takes (a runtime layout read from a binary's DWARF can be anything).
   */
  fill(pid: number, spans: readonly number[]): void {
    this.pid = pid;
    this.count = 0;
    let total = 0;
    for (let i = 1; i < spans.length; i += 2) total += spans[i]!;
    if (spans.length > 2 * this.reader.maxSpans || total > this.reader.buffer.length) return;
    let arrived: number;
    try {
      arrived = this.reader.readSpans(pid, spans);
    } catch {
      return;
    }
    const s = this.spans;
    for (let i = 0, offset = 0; i < spans.length; i += 2) {
      const length = spans[i + 1]!;
      if (offset + length > arrived) return;
      const at = 3 * this.count++;
      s[at] = spans[i]!;
      s[at + 1] = offset;
      s[at + 2] = length;
      offset += length;
    }
  }

  clear(): void {
    this.count = 0;
  }

  /** Copies the first `length` bytes of the span read ahead at `addr` into `to`, if there is one and they fit. */
  private copy(pid: number, addr: number, length: number, to: Uint8Array): boolean {
    if (pid !== this.pid || length > to.length) return false;
    const s = this.spans;
    for (let i = 0; i < 3 * this.count; i += 3) {
      if (s[i] !== addr || length > s[i + 2]!) continue;
      const offset = s[i + 1]!;
      to.set(this.reader.buffer.subarray(offset, offset + length));
      return true;
    }
    return false;
  }
}
