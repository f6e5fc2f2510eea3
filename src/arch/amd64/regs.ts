// amd64 registers: struct user_regs_struct (NT_PRSTATUS) from <sys/user.h>.
import type { Arch, CallerSlot, InjectedCall, SyscallRegs } from "../arch.ts";
import { NT_PRSTATUS, RegSet } from "../../syscalls/ptrace.ts";
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

const regs = new RegSet(NT_PRSTATUS, USER_REGS_SIZE);
/** Where the syscall instruction takes its arguments, in order. */
const ARGS = [RDI, RSI, RDX, R10, R8, R9];

export const amd64: Arch = {
  name: "amd64",
  regs,
  readSyscallRegs(tid: number): SyscallRegs {
    regs.get(tid);
    return { nr: regs.int32(ORIG_RAX), pc: regs.word(RIP), sp: regs.word(RSP), lr: regs.word(R12), g: regs.word(R14) };
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
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined {
    // syscall.rawVforkSyscall pops its return address into R12 before the vfork, so that the
    // child cannot clobber it on the shared stack: its SP delta is then -8.
    if (spDelta === -8 && leaf) return { returnAddress: "lr", callerSp: sp };
    if (spDelta < 0) return undefined;
    // CALL pushed the return address just above the frame.
    return { returnAddress: sp + spDelta, callerSp: sp + spDelta + 8 };
  },
};
