// The check `gomodjail run` makes of its program: whether a confined module has code the jail
// cannot hold (assembly, cgo, linkname pulls, plugin, reflect and unsafe escapes). Only the
// confined modules' own functions are read, so code of theirs that the compiler inlined into
// other modules' functions is left to `gomodjail analyze`, which reads everything, sources too.
import type { Logger } from "pino";
import { GoBinary } from "../gobin/binary.ts";
import type { Profile } from "../policy/profile.ts";
import { ProgramError } from "../tracer/errors.ts";
import { analyzeBinary } from "./binary.ts";
import { countKinds, formatKindCounts, type KindCounts } from "./findings.ts";
import { attributionOf, isConfined } from "./attribution.ts";

interface ConfinedFindings {
  module: string;
  counts: KindCounts;
  findings: number;
}

/** The confined modules of `path` that have findings in the binary, by path. */
function confinedFindings(path: string, profile: Profile): ConfinedFindings[] {
  const binary = GoBinary.open(path);
  const analysis = analyzeBinary(binary, attributionOf(binary, profile), {
    reports: (m) => isConfined(profile, m),
    decodeAll: false,
    mainPackage: binary.buildInfo?.path || undefined,
  });
  return [...analysis.findings.values()]
    .map(({ module, findings }) => ({ module: module.path, counts: countKinds(findings), findings: findings.length }))
    .sort((a, b) => (a.module < b.module ? -1 : 1));
}

/** Why `path` must not start under --strict: its confined modules with findings. Throws ProgramError. */
export function refuseConfinedFindings(path: string, profile: Profile): void {
  const found = confinedFindings(path, profile);
  if (found.length === 0) return;
  const list = found.map((f) => `${f.module} (${formatKindCounts(f.counts)})`).join(", ");
  throw new ProgramError(`${path}: confined modules have code the jail cannot hold: ${list}; '${analyzeHint(path)}' shows where (--strict)`);
}

/** Warns once per confined module of `path` with findings; never throws (a failed check is a warning too). */
export function warnConfinedFindings(path: string, profile: Profile, logger: Logger): void {
  let found: ConfinedFindings[];
  try {
    found = confinedFindings(path, profile);
  } catch (e) {
    logger.warn({ exe: path, error: (e as Error).message }, "cannot check the confined modules' code");
    return;
  }
  for (const f of found) {
    logger.warn({ module: f.module, kinds: formatKindCounts(f.counts), findings: f.findings, details: analyzeHint(path) }, "confined module has code the jail cannot hold");
  }
}

function analyzeHint(path: string): string {
  return `gomodjail analyze --go-mod=FILE ${path}`;
}
