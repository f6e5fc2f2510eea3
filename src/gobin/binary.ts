// A Go executable opened for the tracer and the CLI: its ELF headers, its build information and
// its pclntab, read in place, from a Go release gomodjail knows.
import { ElfFile, type ElfMachine } from "../elf/elf.ts";
import { type BuildInfo, readBuildInfo } from "./buildinfo.ts";
import { isNewerGo, NewerGoError } from "./go-release.ts";
import { Pclntab, PclntabError } from "./pclntab.ts";

export class GoBinary {
  private constructor(
    readonly elf: ElfFile,
    readonly pclntab: Pclntab,
    /** Undefined when the binary has no build information (it is optional). */
    readonly buildInfo: BuildInfo | undefined,
  ) {}

  /**
   * Maps and parses `path`. Throws ElfError, BuildInfoError or PclntabError when it is not a
   * readable Go executable, and NewerGoError when a newer Go release than gomodjail knows built it.
   */
  static open(path: string): GoBinary {
    const elf = ElfFile.open(path);
    const info = readBuildInfo(elf);
    const goVersion = info?.goVersion;
    if (isNewerGo(goVersion)) throw new NewerGoError(path, goVersion!);
    try {
      return new GoBinary(elf, Pclntab.fromElf(elf, { goVersion }), info);
    } catch (e) {
      if (e instanceof PclntabError && e.newerFormat) throw new NewerGoError(path, `${goVersion ?? "an unknown Go release"} (${e.reason})`);
      throw e;
    }
  }

  get arch(): ElfMachine {
    return this.elf.machine;
  }

  /** A position-independent executable: its run-time pcs are link-time ones plus a load bias. */
  get pie(): boolean {
    return this.elf.type === "dyn";
  }
}
