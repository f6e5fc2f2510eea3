// The goroutine-creator rule (docs/design.md #5): a goroutine runs on behalf of whoever created
// it, and of their creators. Its creator's go statement (g.gopc) and each ancestor's recorded
// stack and go statement (g.ancestors, GODEBUG=tracebackancestors) are judged like the frames of
// a stack; what the runtime dropped (more generations than it keeps, or a creator deeper than the
// frames it keeps of one) may have been confined.
import { MAX_ANCESTORS } from "./godebug.ts";
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { Ancestor } from "../unwind/goroutine.ts";
import { type Confinement, UNKNOWN_OWNER } from "./model.ts";

/** A confined frame among a goroutine's creators, and why it counts. */
interface CreatorFinding {
  module: string;
  frame: LogicalFrame | undefined;
  reason: string;
}

/** What a goroutine's creators come to: each confined module among them once, and whether the runtime dropped part of them. */
export interface Creators {
  /** Innermost first: the creator's go statement, then each ancestor's stack and go statement. */
  findings: CreatorFinding[];
  truncated: boolean;
}

/**
 * The confined modules among the creators of goroutine `goid`. `framesAt` gives the logical
 * frames at a return address (a go statement's pc). `ancestors` undefined: unreadable, which
 * counts as a finding of unknown owner.
 */
export function judgeCreators(
  confinement: Confinement,
  framesAt: (pc: number) => readonly LogicalFrame[],
  g: { goid: number; gopc: number },
  ancestors: readonly Ancestor[] | undefined,
  ancestorPcsLimit: number | undefined,
): Creators {
  const findings: CreatorFinding[] = [];
  const seen = new Set<string>();
  const atPc = (pc: number, reason: string): void => {
    if (pc === 0) return;
    for (const frame of framesAt(pc)) {
      const module = confinement.confinedModuleOf(frame);
      if (module === null || seen.has(module)) continue;
      seen.add(module);
      findings.push({ module, frame, reason });
    }
  };
  atPc(g.gopc, `goroutine ${g.goid} was created by a confined module`);
  if (!ancestors) {
    findings.push({ module: UNKNOWN_OWNER, frame: undefined, reason: `the ancestry of goroutine ${g.goid} cannot be read` });
    return { findings, truncated: false };
  }
  for (const a of ancestors) {
    const why = `an ancestor of goroutine ${g.goid} (goroutine ${a.goid}) ran confined code`;
    atPc(a.gopc, why);
    for (const pc of a.pcs) atPc(pc, why);
  }
  return { findings, truncated: ancestryTruncated(ancestors, ancestorPcsLimit) };
}

/** Whether the runtime dropped part of an ancestry: more generations than it keeps, or a creator deeper than the pcs it keeps of one. */
export function ancestryTruncated(ancestors: readonly Ancestor[], ancestorPcsLimit: number | undefined): boolean {
  return ancestors.length >= MAX_ANCESTORS || (ancestorPcsLimit !== undefined && ancestors.some((a) => a.pcs.length >= ancestorPcsLimit));
}

/** Why a goroutine whose creators were truncated by the runtime is blocked where nothing else judged them. */
export function truncatedAncestry(goid: number): CreatorFinding {
  return { module: UNKNOWN_OWNER, frame: undefined, reason: `the ancestry of goroutine ${goid} was truncated by the runtime` };
}
