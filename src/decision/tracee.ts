// What a decision reads of the process it judges, besides the registers of the stop: its memory,
// the thread pointer, and three facts from /proc. The tracer answers from the live process
// (src/tracer/live-tracee.ts); a replayed stop from what was recorded (recorded-stop.ts).
import type { MemorySource } from "../unwind/memory.ts";

export interface Tracee {
  readonly memory: MemorySource;
  /** The thread pointer of `tid` (where the runtime keeps g for C code); read right after the stop's registers. */
  threadPointer(tid: number): number;
  /** True when the thread's process has released its memory (it is exiting) or is gone. */
  hasNoMemory(tid: number): boolean;
  /** The address the kernel started the process's stack at; 0 where unknown. */
  stackStart(tid: number): number;
  /** Whether the instruction at `pc` is code a file holds (src/tracer/live-tracee.ts), or else the mapping it is in. */
  codeMapping(tid: number, pc: number): CodeMapping;
}

/** Code of a file (the program, a library, the vDSO), or the maps line of the memory it is in ("no mapping"). */
export type CodeMapping = { fileBacked: true } | { fileBacked: false; mapping: string };
