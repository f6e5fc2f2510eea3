// The architecture this process runs on, as a tracer uses it: its facts, and a register reader
// of the caller's own (its buffers are not shared with another reader).
import { amd64Registers } from "./amd64/registers.ts";
import { arches } from "./arches.ts";
import type { Arch, ThreadRegisters } from "./arch.ts";
import { arm64Registers } from "./arm64/registers.ts";
import { type ArchName, hostArchName } from "./name.ts";

const registers: Readonly<Record<ArchName, () => ThreadRegisters>> = { amd64: amd64Registers, arm64: arm64Registers };

export function hostArch(): Arch {
  const name = hostArchName();
  return { ...arches[name], ...registers[name]() };
}
