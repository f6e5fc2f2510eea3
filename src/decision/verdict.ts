// The decision at a trapped syscall: block when any logical frame belongs to a confined module,
// by its function's name or by its source file (a closure inlined into another package carries
// that package's name but its own module's file: the stricter answer wins). When the stack
// cannot be walked to its root and nothing confined was seen, block too (fail closed), since
// the unseen part may hold a confined frame.
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { Attribution, ModuleRef } from "../gobin/modules.ts";
import { policyOf, type Profile } from "../policy/profile.ts";
import type { PhysicalStep, StackTrace } from "../unwind/unwind.ts";

export type Verdict =
  | { block: false }
  | { block: true; module: string; frame: LogicalFrame | undefined; reason: string };

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

  /** Per physical step (cached per pc, so the same objects come back): its first confined frame, or null. */
  private readonly confinedByStep = new WeakMap<PhysicalStep, { module: string; frame: LogicalFrame } | null>();

  judge(trace: StackTrace): Verdict {
    for (const step of trace.steps) {
      let hit = this.confinedByStep.get(step);
      if (hit === undefined) {
        hit = null;
        for (const frame of step.frames) {
          const module = this.confinedModuleOf(frame);
          if (module !== null) {
            hit = { module, frame };
            break;
          }
        }
        this.confinedByStep.set(step, hit);
      }
      if (hit) return { block: true, module: hit.module, frame: hit.frame, reason: "confined" };
    }
    if (!trace.complete && this.confinesAnything) {
      return { block: true, module: "unknown", frame: trace.steps[0]?.frames[0], reason: `stack not fully walked: ${trace.incompleteReason}` };
    }
    return { block: false };
  }
}
