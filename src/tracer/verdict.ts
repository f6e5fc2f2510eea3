// The decision at a trapped syscall: block when any logical frame belongs to a confined module;
// when the stack cannot be walked to its root and nothing confined was seen, block too (fail
// closed), since the unseen part may hold a confined frame.
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { ModuleIndex } from "../gobin/modules.ts";
import { policyOf, type Profile } from "../policy/profile.ts";
import type { StackTrace } from "../unwind/unwind.ts";

export type Verdict =
  | { block: false }
  | { block: true; module: string; frame: LogicalFrame | undefined; reason: string };

export class Judge {
  /** Per function name: the confined module it belongs to, or null. */
  private readonly confinedByFunc = new Map<string, string | null>();
  private readonly confinesAnything: boolean;

  constructor(
    private readonly profile: Profile,
    private readonly modules: ModuleIndex,
  ) {
    this.confinesAnything = profile.defaultPolicy === "confined" || [...profile.modules.values()].includes("confined");
  }

  confinedModuleOf(func: string): string | null {
    let m = this.confinedByFunc.get(func);
    if (m === undefined) {
      const ref = this.modules.moduleOf(func);
      m = ref.kind === "dependency" && policyOf(this.profile, ref.path) === "confined" ? ref.path : null;
      this.confinedByFunc.set(func, m);
    }
    return m;
  }

  judge(trace: StackTrace): Verdict {
    for (const frame of trace.frames) {
      const module = this.confinedModuleOf(frame.func);
      if (module !== null) return { block: true, module, frame, reason: "confined" };
    }
    if (!trace.complete && this.confinesAnything) {
      return { block: true, module: "unknown", frame: trace.frames[0], reason: `stack not fully walked: ${trace.incompleteReason}` };
    }
    return { block: false };
  }
}
