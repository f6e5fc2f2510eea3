// A Go executable opened for the tracer: its ELF headers and its pclntab, read in place.
import { ElfFile, type ElfMachine } from "../elf/elf.ts";
import { Pclntab } from "./pclntab.ts";

export class GoBinary {
  private constructor(
    readonly elf: ElfFile,
    readonly pclntab: Pclntab,
  ) {}

  /** Maps and parses `path`; throws ElfError or PclntabError when it is not a readable Go executable. */
  static open(path: string): GoBinary {
    const elf = ElfFile.open(path);
    return new GoBinary(elf, Pclntab.fromElf(elf));
  }

  get arch(): ElfMachine {
    return this.elf.machine;
  }

  /** A position-independent executable: its run-time pcs are link-time ones plus a load bias. */
  get pie(): boolean {
    return this.elf.type === "dyn";
  }
}
