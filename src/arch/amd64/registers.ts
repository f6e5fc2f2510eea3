// amd64's registers (struct user_regs_struct, NT_PRSTATUS, from <sys/user.h>), read and written
// through ptrace. Each reader owns its buffer.
import type { BreakpointRegisters, CoveredLoad, InjectedCall, SyscallRegs, ThreadRegisters } from "../arch.ts";
import { NT_PRSTATUS, RegSet } from "../../libc/ptrace.ts";

// Word indexes in user_regs_struct.
const R15 = 0;
const R14 = 1;
const R13 = 2;
const R12 = 3;
const RBP = 4;
const RBX = 5;
const R11 = 6;
const R10 = 7;
const R9 = 8;
const R8 = 9;
const RAX = 10;
const RCX = 11;
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

/** user_regs_struct's word of each register by its number in the instruction set (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15). */
const BY_NUMBER = [RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15];
/** int3 is one byte: at a hit the pc is past it. */
const INT3_LENGTH = 1;

export function amd64Registers(): ThreadRegisters {
  const regs = new RegSet(NT_PRSTATUS, USER_REGS_SIZE);
  const breakpoint: BreakpointRegisters = {
    readHit(tid: number) {
      regs.get(tid);
      return { pc: regs.word(RIP) - INT3_LENGTH, result: regs.word(RAX), g: regs.word(R14) };
    },
    completeLoad(tid: number, pc: number, load: CoveredLoad, low: number, high: number): void {
      // The buffer still holds the registers readHit read.
      const i = BY_NUMBER[load.register]!;
      regs.words[2 * i] = low;
      regs.words[2 * i + 1] = high;
      regs.setWord(RIP, pc + load.length);
      regs.set(tid);
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
