// The target runs with GODEBUG=tracebackancestors=N, so that the runtime records who created
// each goroutine (docs/design.md #5): the creators' stacks are in g.ancestors.

/** How many generations of creators the runtime keeps; a longer chain counts as truncated. */
export const MAX_ANCESTORS = 64;

/** GODEBUG with tracebackancestors set; a larger value the user set wins (the runtime reads the last setting). */
export function withTracebackAncestors(godebug: string | undefined, n: number = MAX_ANCESTORS): string {
  const settings = (godebug ?? "").split(",").filter((s) => s !== "");
  const key = "tracebackancestors=";
  const theirs = Math.max(0, ...settings.filter((s) => s.startsWith(key)).map((s) => Number(s.slice(key.length)) || 0));
  return [...settings.filter((s) => !s.startsWith(key)), `${key}${Math.max(theirs, n)}`].join(",");
}
