// Where gomodjail can run: Linux on x86_64 or aarch64. The jail is made of Linux's seccomp and
// ptrace, and the syscall tables and registers of those two architectures (src/arch).

/** The one line to print where gomodjail cannot run, or undefined where it can. */
export function unsupportedPlatform(platform: string, arch: string): string | undefined {
  if (platform === "linux" && (arch === "x64" || arch === "arm64")) return undefined;
  return `gomodjail: runs only on Linux on x86_64 or aarch64 (it is built on Linux's seccomp and ptrace); this system is ${platform}/${arch}`;
}
