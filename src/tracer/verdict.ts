// The decision at a trapped syscall: block when any logical frame belongs to a confined module,
// by its function's name or by its source file (a closure inlined into another package carries
// that package's name but its own module's file: the stricter answer wins). When the stack
// cannot be walked to its root and nothing confined was seen, block too (fail closed), since
// the unseen part may hold a confined frame.
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { ModuleIndex, ModuleRef, SourceFileIndex } from "../gobin/modules.ts";
import { policyOf, type Profile } from "../policy/profile.ts";
import type { StackTrace } from "../unwind/unwind.ts";

export type Verdict =
  | { block: false }
  | { block: true; module: string; frame: LogicalFrame | undefined; reason: string };

/** What the judge needs of a binary: who owns a function, who owns a source file. */
export interface Attribution {
  modules: ModuleIndex;
  files: SourceFileIndex;
}

export class Judge {
  /** Per frame (frames are cached per pc, so the same objects come back): its confined module, or null. */
  private readonly confinedByFrame = new WeakMap<LogicalFrame, string | null>();
  readonly confinesAnything: boolean;

  constructor(
    private readonly profile: Profile,
    private readonly attribution: Attribution,
  ) {
    this.confinesAnything = profile.defaultPolicy === "confined" || [...profile.modules.values()].includes("confined");
  }

  /** The confined module a module reference stands for, or null. Unreadable names are confined. */
  private confined(ref: ModuleRef | undefined): string | null {
    if (!ref) return null;
    switch (ref.kind) {
      case "main":
      case "std":
        return null;
      case "dependency":
        return policyOf(this.profile, ref.path) === "confined" ? ref.path : null;
      case "unknown":
        if (ref.path === "") return this.confinesAnything ? "unknown" : null;
        return policyOf(this.profile, ref.path) === "confined" ? ref.path : null;
    }
  }

  confinedModuleOf(frame: LogicalFrame): string | null {
    let m = this.confinedByFrame.get(frame);
    if (m === undefined) {
      m = this.confined(this.attribution.modules.moduleOf(frame.func)) ?? this.confined(this.attribution.files.moduleOfFile(frame.file));
      this.confinedByFrame.set(frame, m);
    }
    return m;
  }

  judge(trace: StackTrace): Verdict {
    for (const frame of trace.frames) {
      const module = this.confinedModuleOf(frame);
      if (module !== null) return { block: true, module, frame, reason: "confined" };
    }
    if (!trace.complete && this.confinesAnything) {
      return { block: true, module: "unknown", frame: trace.frames[0], reason: `stack not fully walked: ${trace.incompleteReason}` };
    }
    return { block: false };
  }
}
