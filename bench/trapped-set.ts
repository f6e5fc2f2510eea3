// The syscalls gomodjail's filter always stops on, as a strace `-e trace=` list: strace then
// stops on the same calls, so its column and its call counts compare with gomodjail's. Rules
// that allow a call only for some arguments (clone for threads, tgkill to the process itself,
// fcntl, ioctl...) are left out: a Go program mostly makes the allowed form, which strace could
// not tell apart from the traced one.
import { arches } from "../src/arch/arches.ts";
import { rulesFor } from "../src/seccomp/filter.ts";

export function trappedSyscalls(): string[] {
  const arch = process.arch === "arm64" ? arches.arm64 : arches.amd64;
  const rules = rulesFor(arch);
  const notStopped = new Set([...rules.allow.map((r) => r.name), ...rules.fail.map((r) => r.name)]);
  return arch.syscalls.names.filter((n): n is string => n !== undefined && !notStopped.has(n));
}

/** `-e trace=...` for strace; "?" lets an older strace skip names it does not know. */
export function straceTraceExpression(): string {
  return `trace=${trappedSyscalls()
    .map((n) => `?${n}`)
    .join(",")}`;
}
