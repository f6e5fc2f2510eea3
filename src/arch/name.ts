// The architectures' names, apart from what each one is (arch.ts), so that the files arch.ts
// names (the syscall tables) can name them without importing it back.
export type ArchName = "amd64" | "arm64";

/** The architecture this process runs on (Node's process.arch names it otherwise). */
export function hostArchName(): ArchName {
  if (process.arch === "x64") return "amd64";
  if (process.arch === "arm64") return "arm64";
  throw new Error(`unsupported architecture ${process.arch} (gomodjail runs on x86_64 and aarch64)`);
}
