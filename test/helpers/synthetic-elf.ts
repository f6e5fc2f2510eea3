// Small ELF executables that are not Go programs, built by elf-tools (npm, MIT): a stub that
// exits 0 in .text, an empty .data and the section name table, loaded at 0x400000. elf-tools
// writes amd64 headers only (it does not know AArch64's e_machine); the arm64 file is the same
// layout with e_machine set to EM_AARCH64 and arm64 code.
import { build } from "elf-tools";
import type { ArchName } from "../../src/arch/name.ts";

const EM_AARCH64 = 183;
const E_MACHINE_OFFSET = 18;

const exitCode: Record<ArchName, number[]> = {
  // xor edi, edi; mov eax, 60 (exit); syscall
  amd64: [0x31, 0xff, 0xb8, 0x3c, 0x00, 0x00, 0x00, 0x0f, 0x05],
  // mov x0, #0; mov x8, #93 (exit); svc #0
  arm64: [0x00, 0x00, 0x80, 0xd2, 0xa8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4],
};

export function syntheticElf(machine: ArchName): Uint8Array {
  const image = build({ code: Buffer.from(exitCode[machine]) });
  if (machine === "arm64") image.writeUInt16LE(EM_AARCH64, E_MACHINE_OFFSET);
  return new Uint8Array(image);
}
