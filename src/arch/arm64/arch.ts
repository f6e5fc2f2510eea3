// arm64: the AArch64 syscall ABI and Go's conventions on it. Its registers: registers.ts.
import type { ArchSpec, CallerSlot, CodeBreakpointSpec, CoveredLoad } from "../arch.ts";
import { scanArm64 } from "./decode.ts";
import { syscalls } from "./syscalls.ts";

/** EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h) */
const AUDIT_ARCH_AARCH64 = 0xc00000b7;

/** LDR Xt, [Xn, #imm12*8] (unsigned offset, 64-bit). */
const LDR_X_IMM_MASK = 0xffc00000;
const LDR_X_IMM = 0xf9400000;
/** The kernel's si_code for the SIGTRAP of a BRK (TRAP_BRKPT). */
const TRAP_BRKPT = 1;
const G_REGISTER = 28;
const XZR = 31;

const firstWord = (code: Uint8Array): number | undefined => (code.length >= 4 ? (code[0]! | (code[1]! << 8) | (code[2]! << 16) | (code[3]! << 24)) >>> 0 : undefined);

/**
 * BRK #0 over newproc's first instruction after its BL to newproc1, which every Go release from
 * 1.19 to 1.27 compiles to MOVD 48(R28), Rn (getg().m): an LDR of a word at an unsigned offset
 * from R28. The kernel reports a BRK with the pc at the BRK itself.
 */
const codeBreakpoint: CodeBreakpointSpec = {
  trap: new Uint8Array([0x00, 0x00, 0x20, 0xd4]),
  hitCode: TRAP_BRKPT,
  stopsPastTrap: false,
  callLength: 4,
  coveredLoad(code: Uint8Array): CoveredLoad | undefined {
    const w = firstWord(code);
    if (w === undefined || ((w & LDR_X_IMM_MASK) >>> 0) !== LDR_X_IMM) return undefined;
    const base = (w >>> 5) & 31;
    const register = w & 31;
    if (base !== G_REGISTER || register === XZR) return undefined;
    return { register, displacement: ((w >>> 10) & 0xfff) * 8, length: 4 };
  },
};

export const arm64: ArchSpec = {
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
  syscalls,
  // svc #0, little-endian
  syscallInstruction: new Uint8Array([0x01, 0x00, 0x00, 0xd4]),
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined {
    if (spDelta < 0) return undefined;
    // A Go arm64 prologue stores LR at the new 0(RSP) as it allocates the frame; before that
    // (or in a frameless leaf) the return address is still in LR.
    if (spDelta === 0 && leaf) return { returnAddress: "lr", callerSp: sp };
    return { returnAddress: sp, callerSp: sp + spDelta };
  },
  codeBreakpoint,
};
