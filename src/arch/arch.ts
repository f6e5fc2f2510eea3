// What the generic tracer needs from an architecture. Each architecture fills this interface in
// src/arch/<arch>/regs.ts; nothing outside src/arch names a register.
import type { SyscallTable } from "../seccomp/syscall-table.ts";
import type { RegSet } from "../syscalls/ptrace.ts";

export type ArchName = "amd64" | "arm64";

/** The registers of a thread stopped at a syscall, as the tracer uses them. */
export interface SyscallRegs {
  nr: number;
  pc: number;
  sp: number;
  /**
   * Where the leaf's return address is when it is not on the stack: the link register on arm64;
   * on amd64, R12, where Go's vfork stub keeps it while the child shares the stack.
   */
  lr: number;
  /** The register that holds the current goroutine's g while Go code runs (R14 / R28). */
  g: number;
}

/** A syscall for a stopped tracee to make itself (see src/tracer/inject.ts). */
export interface InjectedCall {
  nr: number;
  args: readonly number[];
}

/** Where a frame's caller continues, given the frame's SP and its SP delta (pcsp). */
export interface CallerSlot {
  /** Address of the saved return address on the stack, or "lr" for the link register. */
  returnAddress: number | "lr";
  callerSp: number;
}

export interface Arch {
  readonly name: ArchName;
  /** The NT_PRSTATUS register set of a stopped thread, one reusable buffer. */
  readonly regs: RegSet;
  /** Reads the registers of `tid`, stopped at a seccomp stop. */
  readSyscallRegs(tid: number): SyscallRegs;
  /**
   * The thread pointer of `tid` (amd64 FS base, arm64 TPIDR_EL0), where the runtime keeps g in
   * thread-local storage: the way to g from C code. Call right after readSyscallRegs.
   */
  threadPointer(tid: number): number;
  /** Skips the syscall `tid` is stopped at, making it return -errno (docs/design.md #6). */
  failSyscall(tid: number, errno: number): void;
  /** This architecture's syscall numbers. */
  readonly syscalls: SyscallTable;
  /** The machine code of one syscall instruction (amd64 `syscall`, arm64 `svc #0`). */
  readonly syscallInstruction: Uint8Array;
  /**
   * Sets the registers of `tid`, stopped at a syscall-exit stop, to `saved` (a copy of
   * `regs.words`) with the pc at `pc` and the number and arguments of `call` where the syscall
   * instruction takes them: resumed, the thread makes that call.
   */
  setInjectedCall(tid: number, saved: Uint32Array, pc: number, call: InjectedCall): void;
  /** The return value of the syscall `tid` has just made (at its syscall-exit stop): >= 0, or -errno. */
  returnValue(tid: number): number;
  /**
   * The caller of a frame at `sp` whose SP delta is `spDelta` (negative where a stub popped its
   * own return address); `leaf` for the innermost frame. Undefined when that cannot be.
   */
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined;
}
