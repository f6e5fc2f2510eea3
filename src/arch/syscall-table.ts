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
  /** Built at the first lookup by name: a tracer's start-up goes by number. */
  private numbers: Map<string, number> | undefined;

  /** `names` is indexed by number, and its last entry is a name. */
  constructor(
    readonly arch: ArchName,
    names: readonly (string | undefined)[],
  ) {
    this.names = names;
    this.maxNumber = names.length - 1;
  }

  /**
   * The table of a generated listing (src/arch/<arch>/syscalls.ts): a line per ten numbers, the
   * first of them and then their names, `-` for a number the kernel assigns to no syscall. Read
   * with a split per line: evaluated while the tracer thread starts, an array of [number, name]
   * pairs cost it half a millisecond.
   */
  static fromListing(arch: ArchName, listing: string): SyscallTable {
    const names: (string | undefined)[] = [];
    for (const line of listing.trim().split("\n")) {
      const words = line.split(" ");
      for (let k = 1; k < words.length; k++) names.push(words[k] === "-" ? undefined : words[k]);
    }
    return new SyscallTable(arch, names);
  }

  has(name: string): boolean {
    return this.byName().has(name);
  }

  number(name: string): number {
    const nr = this.byName().get(name);
    if (nr === undefined) throw new UnknownSyscallError(this.arch, name);
    return nr;
  }

  /** The syscall's name, or undefined for a number this table does not know. */
  name(nr: number): string | undefined {
    return Number.isInteger(nr) && nr >= 0 ? this.names[nr] : undefined;
  }

  private byName(): Map<string, number> {
    if (!this.numbers) {
      this.numbers = new Map();
      for (let nr = 0; nr < this.names.length; nr++) {
        const name = this.names[nr];
        if (name !== undefined) this.numbers.set(name, nr);
      }
    }
    return this.numbers;
  }
}
