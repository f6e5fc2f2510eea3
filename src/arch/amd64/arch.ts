// amd64: the x86_64 syscall ABI and Go's conventions on it. Its registers: registers.ts.
import type { ArchSpec, CallerSlot } from "../arch.ts";
import { scanAmd64 } from "./decode.ts";
import { syscalls } from "./syscalls.ts";

/** EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h) */
const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 syscalls are x86_64's numbers with this bit set, under the same audit arch. */
const X32_SYSCALL_BIT = 0x40000000;

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
};
