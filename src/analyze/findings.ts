// What `gomodjail analyze` reports: per module, the things in its code that a jail reading call
// stacks cannot hold, each at a file and line.

export const FINDING_KINDS = ["asm", "cgo", "linkname", "plugin", "reflect", "unsafe"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  /** Read from the executable, or from the module's source files on this machine. */
  origin: "binary" | "source";
  /** As the binary's tables record it, or the source file's path; line 0 when unknown. */
  file: string;
  line: number;
  /** The function the finding is about (binary findings). */
  func?: string;
  message: string;
}

export type KindCounts = Partial<Record<FindingKind, number>>;

export function countKinds(findings: readonly Finding[]): KindCounts {
  const counts: KindCounts = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return counts;
}

/** "3 asm, 1 linkname": counts in FINDING_KINDS order. */
export function formatKindCounts(counts: KindCounts): string {
  return FINDING_KINDS.filter((k) => counts[k]).map((k) => `${counts[k]} ${k}`).join(", ");
}
