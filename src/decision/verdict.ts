// The decision at a trapped syscall: block when any logical frame belongs to a confined module
// (the confinement model says whose each frame is). When the stack cannot be walked to its root
// and nothing confined was seen, block too (fail closed), since the unseen part may hold a
// confined frame.
import type { Confinement } from "../confinement/model.ts";
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { PhysicalStep, StackTrace } from "../unwind/unwind.ts";

export type Verdict =
  | { block: false }
  | { block: true; module: string; frame: LogicalFrame | undefined; reason: string };

export class Judge {
  readonly confinesAnything: boolean;

  constructor(private readonly confinement: Confinement) {
    this.confinesAnything = confinement.confinesAnything;
  }

  /** Per physical step (cached per pc, so the same objects come back): its first confined frame, or null. */
  private readonly confinedByStep = new WeakMap<PhysicalStep, { module: string; frame: LogicalFrame } | null>();

  judge(trace: StackTrace): Verdict {
    for (const step of trace.steps) {
      let hit = this.confinedByStep.get(step);
      if (hit === undefined) {
        hit = null;
        for (const frame of step.frames) {
          const module = this.confinement.confinedModuleOf(frame);
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
