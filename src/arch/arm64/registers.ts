// arm64's registers (struct user_pt_regs, NT_PRSTATUS: x0..x30, sp, pc, pstate; the syscall
// number and the thread pointer in regsets of their own), read and written through ptrace. Each
// reader owns its buffers.
import type { BreakpointRegisters, CoveredLoad, InjectedCall, SyscallRegs, ThreadRegisters } from "../arch.ts";
import { NT_ARM_SYSTEM_CALL, NT_ARM_TLS, NT_PRSTATUS, RegSet } from "../../libc/ptrace.ts";

const X0 = 0;
const X8 = 8;
const X28 = 28;
const LR = 30;
const SP = 31;
const PC = 32;
const USER_PT_REGS_SIZE = 34 * 8;

export function arm64Registers(): ThreadRegisters {
  const regs = new RegSet(NT_PRSTATUS, USER_PT_REGS_SIZE);
  // The syscall number lives in its own regset: x8 is only its source at syscall entry.
  const syscallNr = new RegSet(NT_ARM_SYSTEM_CALL, 4);
  // TPIDR_EL0, the thread pointer, is a regset of its own too.
  const tls = new RegSet(NT_ARM_TLS, 8);
  const breakpoint: BreakpointRegisters = {
    // A BRK stops with the pc at the BRK itself.
    readHit(tid: number) {
      regs.get(tid);
      return { pc: regs.word(PC), result: regs.word(X0), g: regs.word(X28) };
    },
    completeLoad(tid: number, pc: number, load: CoveredLoad, low: number, high: number): void {
      // The buffer still holds the registers readHit read; x0-x30 are words 0-30.
      regs.words[2 * load.register] = low;
      regs.words[2 * load.register + 1] = high;
      regs.setWord(PC, pc + load.length);
      regs.set(tid);
    },
  };
  return {
    regs,
    breakpoint,
    readSyscallRegs(tid: number): SyscallRegs {
      regs.get(tid);
      // x0-x5 as they are at the seccomp stop (orig_x0 only serves restarts).
      const w = regs.words;
      const args = [w[2 * X0]!, w[2 * X0 + 2]!, w[2 * X0 + 4]!, w[2 * X0 + 6]!, w[2 * X0 + 8]!, w[2 * X0 + 10]!];
      return { nr: regs.int32(X8), pc: regs.word(PC), sp: regs.word(SP), lr: regs.word(LR), g: regs.word(X28), args };
    },
    threadPointer(tid: number): number {
      tls.get(tid);
      return tls.word(0);
    },
    failSyscall(tid: number, errno: number): void {
      syscallNr.words[0] = 0xffffffff; // -1: skip the call
      syscallNr.set(tid);
      regs.get(tid);
      regs.setWord(X0, -errno);
      regs.set(tid);
    },
    setInjectedCall(tid: number, saved: Uint32Array, pc: number, call: InjectedCall): void {
      // Back in user space, svc takes the number from x8 and the arguments from x0-x5.
      regs.words.set(saved);
      regs.setWord(PC, pc);
      regs.setWord(X8, call.nr);
      call.args.forEach((a, i) => regs.setWord(X0 + i, a));
      regs.set(tid);
    },
    returnValue(tid: number): number {
      regs.get(tid);
      return regs.int32(X0);
    },
    // The syscall takes its arguments from x0-x5 as they are after the seccomp stop (orig_x0 only
    // serves restarts).
    setSyscallArg(tid: number, index: number, value: number): void {
      regs.get(tid);
      regs.setWord(X0 + index, value);
      regs.set(tid);
    },
    setReturnValue(tid: number, value: number): void {
      regs.get(tid);
      regs.setWord(X0, value);
      regs.set(tid);
    },
  };
}
