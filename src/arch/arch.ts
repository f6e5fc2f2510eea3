// Everything that differs between the architectures gomodjail runs on: the facts of each as one
// object (src/arch/<arch>/arch.ts: syscall numbers and the filter's view of the ABI, the Go
// toolchain's conventions, the decoder), and its registers as a reader that owns its buffers
// (src/arch/<arch>/registers.ts). Nothing outside src/arch names a register or an architecture's
// constant.
import type { RegSet } from "../libc/ptrace.ts";
import type { CodeRef } from "./code.ts";
import type { ArchName } from "./name.ts";
import type { SyscallTable } from "./syscall-table.ts";

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
  /**
   * The low 32 bits of the syscall's six arguments, as the syscall instruction takes them: what
   * classifies a call (flags, protections, families and commands are ints, whose high half the
   * kernel ignores; a whole 64-bit register would not fit a JavaScript number exactly).
   */
  args: readonly number[];
}

/** A syscall for a stopped tracee to make itself (see src/launch/inject.ts). */
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

/** The register that holds a thread's thread pointer: amd64's FS base, arm64's TPIDR_EL0. */
export type ThreadPointerRegister = "fs_base" | "tpidr_el0";

/** Where Go's runtime keeps the current g in thread-local storage (docs/design.md #5). */
interface GoTlsRule {
  readonly register: ThreadPointerRegister;
  /** The runtime's TLS variable that holds g in an executable with a PT_TLS segment (cgo, PIE). */
  readonly symbol: string;
  /**
   * The ELF TLS variant: "below" (II) puts the executable's block just below the thread pointer;
   * "above" (I) puts it after a thread control block of `tcbSize` bytes.
   */
  readonly block: { kind: "below" } | { kind: "above"; tcbSize: number };
  /** Without a PT_TLS segment: g's offset from the thread pointer, or why no TLS holds it. */
  readonly withoutSegment: { offset: number } | { reason: string };
}

/** Where a thread stands at a code breakpoint on a call's return address. */
export interface BreakpointHit {
  /** The breakpoint's address (the trap instruction's, not the pc after it). */
  pc: number;
  /** The call's first result: ABIInternal's first integer result register (RAX / X0). */
  result: number;
  /** The register that holds the current g while Go code runs (R14 / R28). */
  g: number;
}

/**
 * A breakpoint written into the code (docs/design.md #5): a trap instruction over one instruction
 * that the tracer runs itself for the thread at each hit. The trap stays in place, so no thread
 * passes it unseen while another is at it, and no thread is stepped. The covered instruction must
 * be one the tracer can run: a load of a word at a displacement from the g register.
 */
export interface CodeBreakpointSpec {
  /** The trap instruction's bytes. */
  readonly trap: Uint8Array;
  /** The si_code of the SIGTRAP the trap raises. */
  readonly hitCode: number;
  /**
   * Whether the thread stops with its pc past the trap (amd64: the int3 has run) rather than at it
   * (arm64: the BRK has not). A SIGTRAP of the program's own, pending when the trap runs, makes
   * one stop with the trap's (a signal is pending once): past the trap it is a hit all the same;
   * at it, a signal that came before the trap ran.
   */
  readonly stopsPastTrap: boolean;
  /** The length of the direct call scanCode reports as a "call" (amd64 CALL rel32, arm64 BL): a call at pc returns to pc + callLength. */
  readonly callLength: number;
  /** The instruction at the start of `code` as a load the tracer can run at a hit; undefined where it is anything else. */
  coveredLoad(code: Uint8Array): CoveredLoad | undefined;
}

/** The instruction a code breakpoint covers: a register loaded with the word at g + displacement. */
export interface CoveredLoad {
  /** The destination register's number in the instruction set (amd64: 0 RAX ... 15 R15; arm64: 0 X0 ... 30 X30). */
  register: number;
  displacement: number;
  /** The instruction's length in bytes, what the pc moves past it. */
  length: number;
}

/** A code breakpoint's register work at a hit (src/arch/<arch>/registers.ts). */
export interface BreakpointRegisters {
  /** The registers of `tid`, stopped at a hit. */
  readHit(tid: number): BreakpointHit;
  /**
   * Finishes for `tid`, stopped at the hit at `pc`, the covered instruction `load`: its register
   * gets the word (`low` and `high` 32-bit halves) the tracer read at g + displacement, and the
   * pc moves past it. Call right after readHit: the other registers are written back as it read them.
   */
  completeLoad(tid: number, pc: number, load: CoveredLoad, low: number, high: number): void;
}

/**
 * What an architecture is, as data and pure functions: numbers, conventions, the decoder. Nothing
 * here touches a process (the ELF, pclntab and analysis readers use it without loading libc).
 */
export interface ArchSpec {
  readonly name: ArchName;
  /** The ELF header's e_machine (EM_*). */
  readonly elfMachine: number;
  /** The ELF relocation type R_*_RELATIVE: base + addend, what a PIE's pointers are filled with. */
  readonly relativeRelocation: number;
  /** What seccomp_data.arch holds for this architecture's native syscalls (AUDIT_ARCH_*). */
  readonly auditArch: number;
  /**
   * The bit that marks a second syscall ABI the same process may use with the same audit arch
   * (amd64's x32); undefined where there is none.
   */
  readonly x32SyscallBit: number | undefined;
  /** pclntab's instruction quantum: the unit of its pc deltas, the smallest instruction size. */
  readonly instructionQuantum: number;
  readonly goTls: GoTlsRule;
  /** Decodes `code`, the bytes at link-time address `addr`, and reports what it refers to, in order. */
  scanCode(code: Uint8Array, addr: number, visit: (ref: CodeRef) => void): void;
  /**
   * Whether every reference scanCode reports in Go's code is a real one: true where Go puts no
   * data among the instructions (amd64); arm64's literal pools can spell any branch.
   */
  readonly exactCodeScan: boolean;
  /** This architecture's syscall numbers. */
  readonly syscalls: SyscallTable;
  /** The machine code of one syscall instruction (amd64 `syscall`, arm64 `svc #0`). */
  readonly syscallInstruction: Uint8Array;
  /**
   * The caller of a frame at `sp` whose SP delta is `spDelta` (negative where a stub popped its
   * own return address); `leaf` for the innermost frame. Undefined when that cannot be.
   */
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined;
  /** The code breakpoint that watches goroutine creation (src/tracer/creations.ts): amd64's int3, arm64's BRK. */
  readonly codeBreakpoint: CodeBreakpointSpec;
}

/**
 * A stopped thread's registers, read and written through ptrace: each instance owns its buffers
 * (src/arch/<arch>/registers.ts; one per tracer, src/arch/host.ts).
 */
export interface ThreadRegisters {
  /** The NT_PRSTATUS register set of a stopped thread, this instance's reusable buffer. */
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
  /**
   * Sets the registers of `tid`, stopped at a syscall-exit stop, to `saved` (a copy of
   * `regs.words`) with the pc at `pc` and the number and arguments of `call` where the syscall
   * instruction takes them: resumed, the thread makes that call.
   */
  setInjectedCall(tid: number, saved: Uint32Array, pc: number, call: InjectedCall): void;
  /** The return value of the syscall `tid` has just made (at its syscall-exit stop): >= 0, or -errno. */
  returnValue(tid: number): number;
  /** Sets argument `index` of the syscall `tid` is stopped at, before the kernel runs it (its seccomp stop). */
  setSyscallArg(tid: number, index: number, value: number): void;
  /** Sets what the syscall `tid` has just made returns (at its syscall-exit stop). */
  setReturnValue(tid: number, value: number): void;
  /** The register work of the architecture's code breakpoint (ArchSpec.codeBreakpoint). */
  readonly breakpoint: BreakpointRegisters;
}

/** An architecture as the tracer uses it: its facts and a thread-register reader of its own. */
export type Arch = ArchSpec & ThreadRegisters;
