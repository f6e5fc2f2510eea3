// The confinement model of one binary under one policy: which module owns a piece of code, and
// whether that module is confined. The tracer's decisions, `analyze`, `inspect` and `learn` all
// ask here, so they cannot disagree:
// - A Go function belongs to the longest known module path that prefixes its package
//   (docs/design.md #4); its source file is a second witness (a closure inlined into another
//   package keeps its own module's file), and the stricter answer of the two wins.
// - The main module and the standard library are never confined; a listed module has its policy;
//   an unlisted one the default.
// - Code of unknown owner (a function whose name cannot be read, C code no module can be named
//   for) is confined whenever anything is: it may be a confined module's.
// - C code is attributed per module once, on first use (c-code.ts).
import type { ElfFile } from "../elf/elf.ts";
import type { BuildInfo } from "../gobin/buildinfo.ts";
import { type Attribution, type ModuleRef, ModuleIndex, SourceFileIndex, sourceLayout } from "../gobin/modules.ts";
import type { LogicalFrame, Pclntab } from "../gobin/pclntab.ts";
import { allowedClasses, allowsAnyClass, confinesAnyModule, policyOf, type Profile } from "../policy/profile.ts";
import { type CCode, readCCode } from "./c-code.ts";
import type { CapabilityClass } from "../policy/classes.ts";

/** What the model reads of a binary. */
interface ModelledBinary {
  elf: ElfFile;
  pclntab: Pclntab;
  buildInfo: BuildInfo | undefined;
}

/** The module of a frame as `learn` reports it: "std" for the standard library, and whether it is the main module. */
interface FrameOwner {
  module: string;
  main: boolean;
}

/** What the name of code of unknown owner is reported as. */
export const UNKNOWN_OWNER = "unknown";

const NO_CLASSES: ReadonlySet<CapabilityClass> = new Set();

export class Confinement {
  readonly confinesAnything: boolean;
  /** Whether some confined module is allowed a capability class: only then does a call's class matter. */
  readonly grantsClasses: boolean;
  private readonly confinedByFrame = new WeakMap<LogicalFrame, string | null>();
  private readonly ownerByFrame = new WeakMap<LogicalFrame, FrameOwner>();
  private code: CCode | undefined;

  private constructor(
    private readonly binary: ModelledBinary,
    /** Undefined: no policy, nothing is confined (`analyze` and `inspect` without a go.mod). */
    readonly profile: Profile | undefined,
    readonly attribution: Attribution,
  ) {
    this.confinesAnything = profile !== undefined && confinesAnyModule(profile);
    this.grantsClasses = profile !== undefined && allowsAnyClass(profile);
  }

  /**
   * The model of `binary` under `profile`. Module paths come from the build information and the
   * go.mod; without build information the go.mod's module is taken as the main module.
   */
  static of(binary: ModelledBinary, profile: Profile | undefined): Confinement {
    const info = binary.buildInfo;
    const modules = new ModuleIndex(info?.main?.path ?? profile?.mainModule, [...(profile?.modules.keys() ?? []), ...(info?.deps.map((d) => d.path) ?? [])]);
    // The file index is built on first use (a stop's frame that its name does not place): finding
    // main.main's file reads names from the end of the table, which grows with the binary, and
    // the tracer builds this model before the program's first instruction.
    let files: SourceFileIndex | undefined;
    const attribution: Attribution = {
      modules,
      get files() {
        return (files ??= new SourceFileIndex(modules, sourceLayout(info, mainFile(binary.pclntab))));
      },
    };
    return new Confinement(binary, profile, attribution);
  }

  /** Whether code of `ref` is confined. */
  isConfined(ref: ModuleRef): boolean {
    if (!this.profile) return false;
    switch (ref.kind) {
      case "main":
      case "std":
        return false;
      case "dependency":
        return policyOf(this.profile, ref.path) === "confined";
      case "unknown":
        // An unreadable name may be anyone's; a package no known module owns has the default.
        if (ref.path === "") return this.confinesAnything;
        return policyOf(this.profile, ref.path) === "confined";
    }
  }

  /** The capability classes a confined module (as confinedModuleOf names it) is allowed; none for code of unknown owner. */
  allowedClasses(module: string): ReadonlySet<CapabilityClass> {
    if (!this.profile || module === UNKNOWN_OWNER) return NO_CLASSES;
    return allowedClasses(this.profile, module);
  }

  /** The confined module a frame's code belongs to ("unknown" for code of unknown owner), or null. Cached per frame object. */
  confinedModuleOf(frame: LogicalFrame): string | null {
    let m = this.confinedByFrame.get(frame);
    if (m === undefined) {
      m = this.confinedName(this.attribution.modules.moduleOf(frame.func)) ?? this.confinedName(this.attribution.files.moduleOfFile(frame.file));
      this.confinedByFrame.set(frame, m);
    }
    return m;
  }

  private confinedName(ref: ModuleRef | undefined): string | null {
    if (!ref || !this.isConfined(ref)) return null;
    return ref.path === "" ? UNKNOWN_OWNER : ref.path;
  }

  /**
   * A frame's module: the confined one when it has one, else by its name, except that a closure
   * inlined into the main module keeps its own module's file. Cached per frame object.
   */
  ownerOf(frame: LogicalFrame): FrameOwner {
    let owner = this.ownerByFrame.get(frame);
    if (owner === undefined) {
      const confined = this.confinedModuleOf(frame);
      owner = confined !== null ? { module: confined, main: false } : this.unconfinedOwner(frame);
      this.ownerByFrame.set(frame, owner);
    }
    return owner;
  }

  private unconfinedOwner(frame: LogicalFrame): FrameOwner {
    const ref = this.moduleOfFrame(frame);
    if (ref.kind === "std") return { module: "std", main: false };
    return { module: ref.path === "" ? UNKNOWN_OWNER : ref.path, main: ref.kind === "main" };
  }

  /**
   * The module whose code a frame runs, policy aside: by its function's name, except that a
   * closure inlined into another package keeps its own module's source file.
   */
  moduleOfFrame(frame: Pick<LogicalFrame, "func" | "file">): ModuleRef {
    const byName = this.attribution.modules.moduleOf(frame.func);
    if (byName.kind === "dependency") return byName;
    const byFile = this.attribution.files.moduleOfFile(frame.file);
    return byFile?.kind === "dependency" ? byFile : byName;
  }

  /** The binary's C code by module, read on first use: only calls from C code need it. */
  cCode(): CCode {
    return (this.code ??= readCCode(this.binary.elf, this.binary.pclntab, this.attribution));
  }
}

/** The source file of main.main, which locates the main module's directory (the linker lays it out near the end). */
function mainFile(pclntab: Pclntab): string | undefined {
  const fn = pclntab.functionNamed("main.main", true);
  return fn === undefined ? undefined : pclntab.fileLine(fn, pclntab.funcEntry(fn))?.file;
}
