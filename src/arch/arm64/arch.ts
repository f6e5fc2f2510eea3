// arm64: the AArch64 syscall ABI and Go's conventions on it. Its registers: registers.ts.
import type { ArchSpec, CallerSlot } from "../arch.ts";
import { scanArm64 } from "./decode.ts";
import { syscalls } from "./syscalls.ts";

/** EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h) */
const AUDIT_ARCH_AARCH64 = 0xc00000b7;

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
};
