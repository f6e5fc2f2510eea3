// How the unwinder reads a stopped process: a buffer that fills itself from the process's memory.
// The tracer reads with process_vm_readv (src/libc/memory.ts); a replayed stop serves the
// bytes that were read when it was recorded (src/decision/recorded-stop.ts).

/** A reusable buffer and the read that fills it. */
export interface MemoryBuffer {
  readonly buffer: Uint8Array;
  readonly view: DataView;
  /** Reads up to `length` bytes at `addr` of `pid` into the buffer; returns how many arrived (may throw where nothing can be read). */
  read(pid: number, addr: number, length: number): number;
}

/** Makes a buffer of `capacity` bytes over some process memory. */
export type MemorySource = (capacity: number) => MemoryBuffer;
