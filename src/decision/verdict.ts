// The decision at a trapped syscall: block when any logical frame belongs to a confined module
// (the confinement model says whose each frame is). When the stack cannot be walked to its root
// and nothing confined was seen, block too (fail closed), since the unseen part may hold a
// confined frame. A call deferred while a goroutine panics is judged from the frame that
// deferred it outward (src/confinement/defers.ts).
import type { DeferredCallFrames } from "../confinement/defers.ts";
import { type Confinement, UNKNOWN_OWNER } from "../confinement/model.ts";
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

  /** `deferred`: how each frame counts while deferred calls run on top of a panic, if they do. */
  judge(trace: StackTrace, deferred?: DeferredCallFrames): Verdict {
    for (let i = 0; i < trace.steps.length; i++) {
      const step = trace.steps[i]!;
      if (deferred?.skipped[i]) continue;
      if (deferred?.ownFunctionOnly[i]) {
        const own = step.frames.at(-1);
        const module = own && this.confinement.confinedModuleOf(own);
        if (module) return { block: true, module, frame: own, reason: "confined" };
        continue;
      }
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
      return { block: true, module: UNKNOWN_OWNER, frame: trace.steps[0]?.frames[0], reason: `stack not fully walked: ${trace.incompleteReason}` };
    }
    return { block: false };
  }
}
