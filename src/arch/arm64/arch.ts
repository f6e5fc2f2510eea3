// arm64: the AArch64 syscall ABI, registers (struct user_pt_regs, NT_PRSTATUS: x0..x30, sp,
// pc, pstate) and Go's conventions on it.
import type { Arch, CallerSlot, InjectedCall, SyscallRegs } from "../arch.ts";
import { NT_ARM_SYSTEM_CALL, NT_ARM_TLS, NT_PRSTATUS, RegSet } from "../../libc/ptrace.ts";
import { scanArm64 } from "./decode.ts";
import { syscalls } from "./syscalls.ts";

const X0 = 0;
const X8 = 8;
const X28 = 28;
const LR = 30;
const SP = 31;
const PC = 32;
const USER_PT_REGS_SIZE = 34 * 8;

/** EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h) */
const AUDIT_ARCH_AARCH64 = 0xc00000b7;

const regs = new RegSet(NT_PRSTATUS, USER_PT_REGS_SIZE);
// The syscall number lives in its own regset: x8 is only its source at syscall entry.
const syscallNr = new RegSet(NT_ARM_SYSTEM_CALL, 4);
// TPIDR_EL0, the thread pointer, is a regset of its own too.
const tls = new RegSet(NT_ARM_TLS, 8);

export const arm64: Arch = {
  name: "arm64",
  elfMachine: 183, // EM_AARCH64
  relativeRelocation: 1027, // R_AARCH64_RELATIVE
  auditArch: AUDIT_ARCH_AARCH64,
  x32SyscallBit: undefined,
  // Every instruction is 4 bytes: pc deltas count instructions.
  instructionQuantum: 4,
  // In TLS only in cgo binaries, as runtime.tls_g after the two-pointer TCB (variant I).
  goTls: {
    register: "tpidr_el0",
    symbol: "runtime.tls_g",
    block: { kind: "above", tcbSize: 16 },
    withoutSegment: { reason: "arm64 binaries keep g in TLS only when they use cgo; otherwise only in R28" },
  },
  scanCode: scanArm64,
  // Literal pools sit among the instructions and decode as whatever they spell.
  exactCodeScan: false,
  regs,
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
  syscalls,
  // svc #0, little-endian
  syscallInstruction: new Uint8Array([0x01, 0x00, 0x00, 0xd4]),
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
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined {
    if (spDelta < 0) return undefined;
    // A Go arm64 prologue stores LR at the new 0(RSP) as it allocates the frame; before that
    // (or in a frameless leaf) the return address is still in LR.
    if (spDelta === 0 && leaf) return { returnAddress: "lr", callerSp: sp };
    return { returnAddress: sp, callerSp: sp + spDelta };
  },
};
