// Reads a tracee's memory with process_vm_readv into one reusable buffer: one call per window,
// or per group of spans read together, no allocation per read (docs/design.md #11).
import { ptr, type Pointer } from "bun:ffi";
import { processVmReadv, processVmWritev } from "./libc.ts";

const TWO32 = 2 ** 32;

/** The most spans one readSpans call takes. */
const MAX_SPANS = 8;

export class RemoteMemory {
  readonly maxSpans = MAX_SPANS;
  readonly buffer: Uint8Array;
  readonly view: DataView;
  /** One local iovec (the buffer), then the remote ones: base and length, 64 bits each. */
  private readonly iovecs = new Uint32Array(4 * (1 + MAX_SPANS));
  private readonly localIov: Pointer;
  private readonly remoteIov: Pointer;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
    this.view = new DataView(this.buffer.buffer);
    const base = ptr(this.iovecs);
    this.localIov = base;
    this.remoteIov = (base + 16) as Pointer;
    setWord(this.iovecs, 0, ptr(this.buffer));
  }

  /** Reads up to `length` bytes at `addr` of `pid` into the buffer; returns how many arrived. */
  read(pid: number, addr: number, length: number): number {
    const n = Math.min(length, this.buffer.length);
    setWord(this.iovecs, 2, n);
    setWord(this.iovecs, 4, addr);
    setWord(this.iovecs, 6, n);
    return processVmReadv(pid, this.localIov, this.remoteIov);
  }

  /**
   * Reads the spans (address and length pairs, at most maxSpans) one after another into the
   * buffer, in one call; returns how many bytes arrived. The kernel stops at the first page it
   * cannot read, so every span the count covers arrived whole.
   */
  readSpans(pid: number, spans: readonly number[]): number {
    const count = spans.length >>> 1;
    if (count > MAX_SPANS) throw new RangeError(`readSpans: ${count} spans, at most ${MAX_SPANS}`);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const length = spans[2 * i + 1]!;
      setWord(this.iovecs, 4 + 4 * i, spans[2 * i]!);
      setWord(this.iovecs, 6 + 4 * i, length);
      total += length;
    }
    if (total > this.buffer.length) throw new RangeError(`readSpans: ${total} bytes, the buffer holds ${this.buffer.length}`);
    setWord(this.iovecs, 2, total);
    return processVmReadv(pid, this.localIov, this.remoteIov, count);
  }
}

/** Writes `bytes` at `addr` of `pid` (writable memory only); returns how many were written. */
export function writeRemote(pid: number, addr: number, bytes: Uint8Array): number {
  const iovecs = new Uint32Array(8);
  setWord(iovecs, 0, ptr(bytes));
  setWord(iovecs, 2, bytes.length);
  setWord(iovecs, 4, addr);
  setWord(iovecs, 6, bytes.length);
  const base = ptr(iovecs);
  return processVmWritev(pid, base, (base + 16) as Pointer);
}

function setWord(a: Uint32Array, i: number, value: number): void {
  a[i] = value >>> 0;
  a[i + 1] = Math.floor(value / TWO32);
}
