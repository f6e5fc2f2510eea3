// The architectures gomodjail runs on, by name: their facts (a tracer's registers: host.ts).
import { amd64 } from "./amd64/arch.ts";
import type { ArchSpec } from "./arch.ts";
import type { ArchName } from "./name.ts";
import { arm64 } from "./arm64/arch.ts";

export const arches: Readonly<Record<ArchName, ArchSpec>> = { amd64, arm64 };

/** A syscall's name for logs, or syscall_N for a number the architecture's table does not know. */
export function syscallName(arch: ArchName, nr: number): string {
  return arches[arch].syscalls.name(nr) ?? `syscall_${nr}`;
}
