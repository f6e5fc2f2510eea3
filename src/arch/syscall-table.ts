// One architecture's syscall numbers, both ways: number -> name for logs, name -> number for
// compiling the filter. The data lives in src/arch/<arch>/syscalls.ts (generated).
import type { ArchName } from "./name.ts";

/** A syscall name the architecture does not have (a typo in a table, or an arch difference). */
export class UnknownSyscallError extends Error {
  constructor(
    readonly arch: ArchName,
    readonly syscall: string,
  ) {
    super(`${arch} has no syscall named "${syscall}"`);
    this.name = "UnknownSyscallError";
  }
}

export class SyscallTable {
  /** Indexed by syscall number; undefined where the kernel assigns no syscall. */
  readonly names: readonly (string | undefined)[];
  /** The highest number the table knows; higher numbers are newer syscalls or invalid. */
  readonly maxNumber: number;
  private readonly numbers: ReadonlyMap<string, number>;

  constructor(
    readonly arch: ArchName,
    entries: readonly (readonly [number, string])[],
  ) {
    const names: (string | undefined)[] = [];
    const numbers = new Map<string, number>();
    for (const [nr, name] of entries) {
      names[nr] = name;
      numbers.set(name, nr);
    }
    this.names = Array.from(names);
    this.maxNumber = names.length - 1;
    this.numbers = numbers;
  }

  has(name: string): boolean {
    return this.numbers.has(name);
  }

  number(name: string): number {
    const nr = this.numbers.get(name);
    if (nr === undefined) throw new UnknownSyscallError(this.arch, name);
    return nr;
  }

  /** The syscall's name, or undefined for a number this table does not know. */
  name(nr: number): string | undefined {
    return Number.isInteger(nr) && nr >= 0 ? this.names[nr] : undefined;
  }
}
