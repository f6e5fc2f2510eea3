// amd64's registers (struct user_regs_struct, NT_PRSTATUS, from <sys/user.h>) and its debug
// registers, read and written through ptrace. Each reader owns its buffer.
import type { HardwareBreakpoint, InjectedCall, SyscallRegs, ThreadRegisters } from "../arch.ts";
import { NT_PRSTATUS, pokeUser, RegSet } from "../../libc/ptrace.ts";

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
/** Where the syscall instruction takes its arguments, in order. */
const ARGS = [RDI, RSI, RDX, R10, R8, R9];

/** offsetof(struct user, u_debugreg) in <sys/user.h>: DR0..DR7, one word each. */
const U_DEBUGREG = 848;
const DR0 = U_DEBUGREG;
const DR7 = U_DEBUGREG + 7 * 8;
/** DR7: L0 enables DR0 for this thread; R/W0 = 00 (execute) and LEN0 = 00, as instruction breakpoints need. */
const DR7_L0 = 1;
/** CALL rel32: E8 and four bytes; Go emits it without prefixes. */
const CALL_REL32 = 0xe8;
const CALL_REL32_LENGTH = 5;

export function amd64Registers(): ThreadRegisters {
  const regs = new RegSet(NT_PRSTATUS, USER_REGS_SIZE);
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
  return {
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
    breakpoint,
  };
}
