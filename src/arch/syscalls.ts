// Syscall names for logs, whatever the architecture.
import type { ArchName } from "./arch.ts";
import { syscalls as amd64Syscalls } from "./amd64/syscalls.ts";
import { syscalls as arm64Syscalls } from "./arm64/syscalls.ts";

export function syscallName(arch: ArchName, nr: number): string {
  return (arch === "amd64" ? amd64Syscalls : arm64Syscalls).name(nr) ?? `syscall_${nr}`;
}
