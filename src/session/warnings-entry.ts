// What the binary cache keeps for a run's two warnings about its program's confined modules
// (run-warnings.ts), and how each reads: an entry per binary and policy, checked on reading
// (src/cache/binary-cache.ts), its contents checked too, since anyone running as the user can
// write it. Its own module, so that both the run and the cache fill (confined-code.ts) use it.
import type { DeniedReach } from "../analyze/denied-reaches.ts";
import { FINDING_KINDS, formatKindCounts, type KindCounts } from "../analyze/findings.ts";
import { binaryCacheDir, entryFile, readEntry, writeEntry } from "../cache/binary-cache.ts";
import type { FileIdentity } from "../launch/program.ts";
import { type Profile, profileData } from "../policy/profile.ts";

/** A confined module with code the jail cannot hold, and how much of each kind. */
export interface CannotHold {
  module: string;
  counts: KindCounts;
}

/** What the cache keeps for a binary and a policy. */
interface RunWarnings {
  cannotHold: CannotHold[];
  denied: DeniedReach[];
}

const ENTRY_KIND = "run-warnings";

/** Where the warnings for this binary and policy are kept. */
export function runWarningsEntry(identity: FileIdentity, profile: Profile, env: Record<string, string | undefined>): string {
  return entryFile(binaryCacheDir(env), identity, JSON.stringify(profileData(profile)), ENTRY_KIND);
}

export function readRunWarnings(file: string, identity: FileIdentity): RunWarnings | undefined {
  return readEntry(file, identity, isRunWarnings);
}

export function writeRunWarnings(file: string, identity: FileIdentity, warnings: RunWarnings): void {
  writeEntry(file, identity, warnings);
}

/** "MODULE reaches CLASS: F -> ... -> G". */
export function describeDenied(d: DeniedReach): string {
  return `${d.module} reaches ${d.class}: ${d.path.join(" -> ")}`;
}

/** "MODULE (3 asm, 1 cgo)". */
export function describeCannotHold(c: CannotHold): string {
  return `${c.module} (${formatKindCounts(c.counts)})`;
}

export function analyzeHint(path: string): string {
  return `gomodjail analyze --go-mod=FILE ${path}`;
}

function isRunWarnings(data: unknown): data is RunWarnings {
  if (typeof data !== "object" || data === null) return false;
  const { cannotHold, denied } = data as { cannotHold?: unknown; denied?: unknown };
  return Array.isArray(cannotHold) && cannotHold.every(isCannotHold) && Array.isArray(denied) && denied.every(isDeniedReach);
}

function isCannotHold(c: unknown): c is CannotHold {
  if (typeof c !== "object" || c === null) return false;
  const { module, counts } = c as { module?: unknown; counts?: unknown };
  if (typeof module !== "string" || typeof counts !== "object" || counts === null) return false;
  return Object.entries(counts).every(([kind, n]) => (FINDING_KINDS as readonly string[]).includes(kind) && Number.isInteger(n) && n > 0);
}

function isDeniedReach(d: unknown): d is DeniedReach {
  if (typeof d !== "object" || d === null) return false;
  const r = d as { module?: unknown; class?: unknown; path?: unknown };
  return typeof r.module === "string" && typeof r.class === "string" && Array.isArray(r.path) && r.path.every((f) => typeof f === "string");
}
