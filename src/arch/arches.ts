// The architectures gomodjail runs on, by name.
import { amd64 } from "./amd64/arch.ts";
import type { Arch } from "./arch.ts";
import { type ArchName, hostArchName } from "./name.ts";
import { arm64 } from "./arm64/arch.ts";

export const arches: Readonly<Record<ArchName, Arch>> = { amd64, arm64 };

/** The architecture this process runs on. */
export function hostArch(): Arch {
  return arches[hostArchName()];
}

/** A syscall's name for logs, or syscall_N for a number the architecture's table does not know. */
export function syscallName(arch: ArchName, nr: number): string {
  return arches[arch].syscalls.name(nr) ?? `syscall_${nr}`;
}
