// amd64: the x86_64 syscall ABI, registers (struct user_regs_struct, NT_PRSTATUS, from
// <sys/user.h>) and Go's conventions on it.
import type { Arch, CallerSlot, HardwareBreakpoint, InjectedCall, SyscallRegs } from "../arch.ts";
import { NT_PRSTATUS, pokeUser, RegSet } from "../../libc/ptrace.ts";
import { scanAmd64 } from "./decode.ts";
import { syscalls } from "./syscalls.ts";

// Word indexes in user_regs_struct.
const R12 = 3;
const R14 = 1;
const R10 = 7;
const R9 = 8;
const R8 = 9;
const RAX = 10;
const RDX = 12;
const RSI = 13;
const RDI = 14;
const ORIG_RAX = 15;
const RIP = 16;
const RSP = 19;
const FS_BASE = 21;
const USER_REGS_SIZE = 27 * 8;

/** EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h) */
const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 syscalls are x86_64's numbers with this bit set, under the same audit arch. */
const X32_SYSCALL_BIT = 0x40000000;

const regs = new RegSet(NT_PRSTATUS, USER_REGS_SIZE);

/** offsetof(struct user, u_debugreg) in <sys/user.h>: DR0..DR7, one word each. */
const U_DEBUGREG = 848;
const DR0 = U_DEBUGREG;
const DR7 = U_DEBUGREG + 7 * 8;
/** DR7: L0 enables DR0 for this thread; R/W0 = 00 (execute) and LEN0 = 00, as instruction breakpoints need. */
const DR7_L0 = 1;
/** CALL rel32: E8 and four bytes; Go emits it without prefixes. */
const CALL_REL32 = 0xe8;
const CALL_REL32_LENGTH = 5;

// The kernel's debug exception handler sets RF for an instruction breakpoint, so the thread
// resumed at a hit runs the instruction once (arch/x86/kernel/hw_breakpoint.c).
const breakpoint: HardwareBreakpoint = {
  arm(tid: number, addr: number): void {
    pokeUser(tid, DR0, addr);
    pokeUser(tid, DR7, DR7_L0);
  },
  readHit(tid: number) {
    regs.get(tid);
    return { pc: regs.word(RIP), result: regs.word(RAX), g: regs.word(R14) };
  },
  returnAddressOfCall(code: Uint8Array, addr: number, pc: number): number | undefined {
    return code[pc - addr] === CALL_REL32 ? pc + CALL_REL32_LENGTH : undefined;
  },
};
/** Where the syscall instruction takes its arguments, in order. */
const ARGS = [RDI, RSI, RDX, R10, R8, R9];

export const amd64: Arch = {
  name: "amd64",
  elfMachine: 62, // EM_X86_64
  relativeRelocation: 8, // R_X86_64_RELATIVE
  auditArch: AUDIT_ARCH_X86_64,
  x32SyscallBit: X32_SYSCALL_BIT,
  // Variable-length instructions: pc deltas count bytes.
  instructionQuantum: 1,
  // Always in TLS: without a PT_TLS segment the runtime sets the thread pointer itself and uses
  // -8(FS); with one (cgo, PIE) g is runtime.tlsg in the executable's block (variant II).
  goTls: { register: "fs_base", symbol: "runtime.tlsg", block: { kind: "below" }, withoutSegment: { offset: -8 } },
  scanCode: scanAmd64,
  // Go puts no data in the text: a sweep decodes only real instructions.
  exactCodeScan: true,
  regs,
  readSyscallRegs(tid: number): SyscallRegs {
    regs.get(tid);
    const w = regs.words;
    const args = [w[2 * RDI]!, w[2 * RSI]!, w[2 * RDX]!, w[2 * R10]!, w[2 * R8]!, w[2 * R9]!];
    return { nr: regs.int32(ORIG_RAX), pc: regs.word(RIP), sp: regs.word(RSP), lr: regs.word(R12), g: regs.word(R14), args };
  },
  threadPointer(): number {
    return regs.word(FS_BASE);
  },
  failSyscall(tid: number, errno: number): void {
    // orig_rax = -1 makes the kernel skip the call and return rax unchanged.
    regs.get(tid);
    regs.setWord(ORIG_RAX, -1);
    regs.setWord(RAX, -errno);
    regs.set(tid);
  },
  syscalls,
  syscallInstruction: new Uint8Array([0x0f, 0x05]),
  setInjectedCall(tid: number, saved: Uint32Array, pc: number, call: InjectedCall): void {
    regs.words.set(saved);
    regs.setWord(RIP, pc);
    regs.setWord(RAX, call.nr);
    call.args.forEach((a, i) => regs.setWord(ARGS[i]!, a));
    regs.set(tid);
  },
  returnValue(tid: number): number {
    regs.get(tid);
    return regs.int32(RAX);
  },
  setSyscallArg(tid: number, index: number, value: number): void {
    regs.get(tid);
    regs.setWord(ARGS[index]!, value);
    regs.set(tid);
  },
  setReturnValue(tid: number, value: number): void {
    regs.get(tid);
    regs.setWord(RAX, value);
    regs.set(tid);
  },
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined {
    // syscall.rawVforkSyscall pops its return address into R12 before the vfork, so that the
    // child cannot clobber it on the shared stack: its SP delta is then -8.
    if (spDelta === -8 && leaf) return { returnAddress: "lr", callerSp: sp };
    if (spDelta < 0) return undefined;
    // CALL pushed the return address just above the frame.
    return { returnAddress: sp + spDelta, callerSp: sp + spDelta + 8 };
  },
  breakpoint,
};
