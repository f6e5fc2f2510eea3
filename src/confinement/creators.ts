// The goroutine-creator rule (docs/design.md #5): a goroutine runs on behalf of whoever created
// it, and of their creators. Its creator's go statement (g.gopc) and each ancestor's recorded
// stack and go statement (g.ancestors, GODEBUG=tracebackancestors) are judged like the frames of
// a stack; what the runtime dropped (more generations than it keeps, or a creator deeper than the
// frames it keeps of one) may have been confined.
import { MAX_ANCESTORS } from "../decision/godebug.ts";
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { Ancestor } from "../unwind/goroutine.ts";
import { type Confinement, UNKNOWN_OWNER } from "./model.ts";

/** A confined frame among a goroutine's creators, and why it counts. */
export interface CreatorFinding {
  module: string;
  frame: LogicalFrame | undefined;
  reason: string;
}

/**
 * The first confined creator of goroutine `goid`; "truncated" when none was seen but the
 * runtime dropped part of the ancestry; undefined when no creator is confined. `framesAt` gives
 * the logical frames at a return address (a go statement's pc). `ancestors` undefined: unreadable.
 */
export function judgeCreators(
  confinement: Confinement,
  framesAt: (pc: number) => readonly LogicalFrame[],
  g: { goid: number; gopc: number },
  ancestors: readonly Ancestor[] | undefined,
  ancestorPcsLimit: number | undefined,
): CreatorFinding | "truncated" | undefined {
  const atPc = (pc: number, reason: string): CreatorFinding | undefined => {
    if (pc === 0) return undefined;
    for (const frame of framesAt(pc)) {
      const module = confinement.confinedModuleOf(frame);
      if (module !== null) return { module, frame, reason };
    }
    return undefined;
  };
  const created = atPc(g.gopc, `goroutine ${g.goid} was created by a confined module`);
  if (created) return created;
  if (!ancestors) return { module: UNKNOWN_OWNER, frame: undefined, reason: `the ancestry of goroutine ${g.goid} cannot be read` };
  for (const a of ancestors) {
    const why = `an ancestor of goroutine ${g.goid} (goroutine ${a.goid}) ran confined code`;
    const found = atPc(a.gopc, why) ?? a.pcs.reduce<CreatorFinding | undefined>((f, pc) => f ?? atPc(pc, why), undefined);
    if (found) return found;
  }
  return ancestryTruncated(ancestors, ancestorPcsLimit) ? "truncated" : undefined;
}

/** Whether the runtime dropped part of an ancestry: more generations than it keeps, or a creator deeper than the pcs it keeps of one. */
export function ancestryTruncated(ancestors: readonly Ancestor[], ancestorPcsLimit: number | undefined): boolean {
  return ancestors.length >= MAX_ANCESTORS || (ancestorPcsLimit !== undefined && ancestors.some((a) => a.pcs.length >= ancestorPcsLimit));
}

/** Why a goroutine whose creators were truncated by the runtime is blocked where nothing else judged them. */
export function truncatedAncestry(goid: number): CreatorFinding {
  return { module: UNKNOWN_OWNER, frame: undefined, reason: `the ancestry of goroutine ${goid} was truncated by the runtime` };
}
