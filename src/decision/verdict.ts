// The decision at a trapped syscall: block when any logical frame belongs to a confined module
// (the confinement model says whose each frame is). When the stack cannot be walked to its root
// and nothing confined was seen, block too (fail closed), since the unseen part may hold a
// confined frame. A call deferred while a goroutine panics is judged from the frame that
// deferred it outward (src/confinement/defers.ts).
import type { CapabilityClass } from "../policy/classes.ts";
import type { DeferredCallFrames } from "../confinement/defers.ts";
import { type Confinement, UNKNOWN_OWNER } from "../confinement/model.ts";
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { PhysicalStep, StackTrace } from "../unwind/unwind.ts";

export type Verdict =
  | { block: false }
  | {
      block: true;
      module: string;
      frame: LogicalFrame | undefined;
      reason: string;
      /**
       * The call's capability class ("none" when it falls in none), on every block the Decider
       * hands out; `allowed`, the module's classes, only where the policy grants classes.
       */
      class?: { name: CapabilityClass | "none"; allowed?: readonly CapabilityClass[] };
    };

/**
 * The capability class of the call being judged, worked out on first need (only where a confined
 * module is on the stack and some module is allowed a class); undefined: it falls in no class.
 */
export type CallClass = () => CapabilityClass | undefined;

/** The class a call needs from a confined module whose own code makes the syscall: no standard library wrapper between. */
const OWN_SYSCALL: CapabilityClass = "SYSTEM_CALLS";

/**
 * The classes a confined module must be allowed for a call of class `cls` (undefined: the call
 * falls in no class, and nothing lets it through); `ownSyscall`: its frame is the stack's leaf.
 */
export function classesNeeded(cls: CapabilityClass | undefined, ownSyscall: boolean): CapabilityClass[] | undefined {
  if (cls === undefined) return undefined;
  return ownSyscall && cls !== OWN_SYSCALL ? [cls, OWN_SYSCALL] : [cls];
}

/** Whether `frame` is the stack's leaf: its code makes the syscall itself. */
export function makesSyscallItself(trace: StackTrace, frame: LogicalFrame): boolean {
  return frame === trace.steps[0]?.frames[0];
}

export class Judge {
  readonly confinesAnything: boolean;

  constructor(private readonly confinement: Confinement) {
    this.confinesAnything = confinement.confinesAnything;
  }

  /** Per physical step (cached per pc, so the same objects come back): its first confined frame, or null. */
  private readonly confinedByStep = new WeakMap<PhysicalStep, { module: string; frame: LogicalFrame } | null>();

  /**
   * `deferred`: how each frame counts while deferred calls run on top of a panic, if they do.
   * `callClass`: where classes are granted, the call's class; a confined frame then blocks only
   * if its module is not allowed that class (and SYSTEM_CALLS too, for the syscall's own frame).
   */
  judge(trace: StackTrace, deferred?: DeferredCallFrames, callClass?: CallClass): Verdict {
    if (!callClass) {
      const hit = this.firstConfined(trace, deferred);
      if (hit) return { block: true, module: hit.module, frame: hit.frame, reason: "confined" };
    } else {
      let cls: CapabilityClass | undefined | null = null;
      for (const hit of this.allConfined(trace, deferred)) {
        cls = cls === null ? callClass() : cls;
        const blocked = this.classBlock(hit.module, hit.frame, "confined", cls, classesNeeded(cls, makesSyscallItself(trace, hit.frame)));
        if (blocked) return blocked;
      }
    }
    if (!trace.complete && this.confinesAnything) {
      return { block: true, module: UNKNOWN_OWNER, frame: trace.steps[0]?.frames[0], reason: `stack not fully walked: ${trace.incompleteReason}` };
    }
    return { block: false };
  }

  /**
   * The block a confined module's frame gets where the call's class is `cls` and it needs the
   * classes `needs` (undefined: the call falls in no class); undefined when the module is allowed them.
   */
  classBlock(module: string, frame: LogicalFrame | undefined, reason: string, cls: CapabilityClass | undefined, needs = classesNeeded(cls, false)): Verdict | undefined {
    const allowed = this.confinement.allowedClasses(module);
    if (needs && needs.every((c) => allowed.has(c))) return undefined;
    return { block: true, module, frame, reason, class: { name: cls ?? "none", allowed: [...allowed] } };
  }

  /** The innermost confined frame that counts, or undefined. */
  private firstConfined(trace: StackTrace, deferred: DeferredCallFrames | undefined): ConfinedFrame | undefined {
    for (let i = 0; i < trace.steps.length; i++) {
      const step = trace.steps[i]!;
      if (deferred?.skipped[i]) continue;
      if (deferred?.ownFunctionOnly[i]) {
        const own = step.frames.at(-1);
        const module = own && this.confinement.confinedModuleOf(own);
        if (module) return { module, frame: own };
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
      if (hit) return hit;
    }
    return undefined;
  }

  /** Every confined frame that counts, innermost first: each module on the stack must allow the call. */
  private *allConfined(trace: StackTrace, deferred: DeferredCallFrames | undefined): Generator<ConfinedFrame> {
    for (let i = 0; i < trace.steps.length; i++) {
      const step = trace.steps[i]!;
      if (deferred?.skipped[i]) continue;
      const frames = deferred?.ownFunctionOnly[i] ? step.frames.slice(-1) : step.frames;
      for (const frame of frames) {
        const module = this.confinement.confinedModuleOf(frame);
        if (module !== null) yield { module, frame };
      }
    }
  }
}

interface ConfinedFrame {
  module: string;
  frame: LogicalFrame;
}
