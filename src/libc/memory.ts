// Reads a tracee's memory with process_vm_readv into one reusable buffer: one call per window,
// no allocation per read (docs/design.md #11).
import { ptr, type Pointer } from "bun:ffi";
import { processVmReadv, processVmWritev } from "./libc.ts";

const TWO32 = 2 ** 32;

export class RemoteMemory {
  readonly buffer: Uint8Array;
  readonly view: DataView;
  private readonly iovecs = new Uint32Array(8);
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
