// amd64: the x86_64 syscall ABI and Go's conventions on it. Its registers: registers.ts.
import type { ArchSpec, CallerSlot, CodeBreakpointSpec, CoveredLoad } from "../arch.ts";
import { scanAmd64 } from "./decode.ts";
import { syscalls } from "./syscalls.ts";

/** EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h) */
const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 syscalls are x86_64's numbers with this bit set, under the same audit arch. */
const X32_SYSCALL_BIT = 0x40000000;

/** The kernel's si_code for the SIGTRAP of an int3 (SI_KERNEL). */
const SI_KERNEL = 0x80;
const R14 = 14;
const RSP = 4;

/**
 * int3 over newproc's first instruction after its call to newproc1, which every Go release from
 * 1.19 to 1.27 compiles to MOVQ 0x30(R14), DX (getg().m): REX.W with B (and R for R8-R15), 8B,
 * a ModRM of a disp8 from R14, the disp8.
 */
const codeBreakpoint: CodeBreakpointSpec = {
  trap: new Uint8Array([0xcc]),
  hitCode: SI_KERNEL,
  stopsPastTrap: true,
  // E8 and four bytes: the only call scanAmd64 reports (Go emits it without prefixes).
  callLength: 5,
  coveredLoad(code: Uint8Array): CoveredLoad | undefined {
    const [rex, opcode, modrm, disp] = code;
    if (rex === undefined || opcode !== 0x8b || modrm === undefined || disp === undefined) return undefined;
    // REX is 0100WRXB: W set, X clear (no index), B set (the base is R8-R15).
    if ((rex & 0xfb) !== 0x49) return undefined;
    const mod = modrm >> 6;
    const base = (modrm & 7) | 8;
    const register = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
    if (mod !== 1 || base !== R14 || register === RSP) return undefined;
    return { register, displacement: (disp << 24) >> 24, length: 4 };
  },
};

export const amd64: ArchSpec = {
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
  syscalls,
  syscallInstruction: new Uint8Array([0x0f, 0x05]),
  callerOf(sp: number, spDelta: number, leaf: boolean): CallerSlot | undefined {
    // syscall.rawVforkSyscall pops its return address into R12 before the vfork, so that the
    // child cannot clobber it on the shared stack: its SP delta is then -8.
    if (spDelta === -8 && leaf) return { returnAddress: "lr", callerSp: sp };
    if (spDelta < 0) return undefined;
    // CALL pushed the return address just above the frame.
    return { returnAddress: sp + spDelta, callerSp: sp + spDelta + 8 };
  },
  codeBreakpoint,
};
