// arm64: the AArch64 syscall ABI, registers (struct user_pt_regs, NT_PRSTATUS: x0..x30, sp,
// pc, pstate) and Go's conventions on it.
import type { Arch, CallerSlot, HardwareBreakpoint, InjectedCall, SyscallRegs } from "../arch.ts";
import { NT_ARM_HW_BREAK, NT_ARM_SYSTEM_CALL, NT_ARM_TLS, NT_PRSTATUS, RegSet } from "../../libc/ptrace.ts";
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

// struct user_hwdebug_state up to its first slot: dbg_info and pad (ignored when set), then
// dbg_regs[0] = { u64 addr; u32 ctrl; u32 pad; }. Setting a regset this short sets slot 0 only.
const hwBreak = new RegSet(NT_ARM_HW_BREAK, 8 + 16);
const HW_BREAK_ADDR = 1; // 64-bit word index
const HW_BREAK_CTRL = 4; // 32-bit word index
/**
 * The slot's control word as the kernel decodes it (decode_ctrl_reg): enabled (bit 0), privilege
 * EL0 (2, bits 1-2), type execute (0, bits 3-4), byte-address-select all four bytes (0xf, bits 5-12).
 */
const BCR_EXECUTE_EL0 = 1 | (2 << 1) | (0 << 3) | (0xf << 5);
/** BL imm26: the top six bits. */
const BL = 0x94000000;
const IMM26_OPCODE = 0xfc000000;

const breakpoint: HardwareBreakpoint = {
  arm(tid: number, addr: number): void {
    hwBreak.words.fill(0);
    hwBreak.setWord(HW_BREAK_ADDR, addr);
    hwBreak.words[HW_BREAK_CTRL] = BCR_EXECUTE_EL0;
    hwBreak.set(tid);
  },
  disarm(tid: number): void {
    // Without the enable bit the kernel disables the slot and reads nothing else of it.
    hwBreak.words[HW_BREAK_CTRL] = BCR_EXECUTE_EL0 & ~1;
    hwBreak.set(tid);
  },
  // do_breakpoint steps over a breakpoint only for perf's default handler; ptrace's
  // (ptrace_hbptriggered) leaves the thread at the instruction, as GDB expects.
  reHitsOnResume: true,
  readHit(tid: number) {
    regs.get(tid);
    return { pc: regs.word(PC), result: regs.word(X0), g: regs.word(X28) };
  },
  returnAddressOfCall(code: Uint8Array, addr: number, pc: number): number | undefined {
    const at = pc - addr;
    if (at < 0 || at + 4 > code.length) return undefined;
    const word = new DataView(code.buffer, code.byteOffset + at, 4).getUint32(0, true);
    return ((word & IMM26_OPCODE) >>> 0) === BL ? pc + 4 : undefined;
  },
};

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
  syscallArg(tid: number, index: number): number {
    regs.get(tid);
    return regs.word(X0 + index);
  },
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
  breakpoint,
};
