// The two warnings a plain run gives about its program's confined modules, once each, while the
// program runs: code the jail cannot hold (assembly, cgo: what the function table shows), and
// classes their code reaches that their allow= lacks (analyze's FAIL). Both come from the
// per-binary cache (src/cache/binary-cache.ts) when it has them, which a low-priority process of
// gomodjail's own fills (confined-code.ts): working the first out on the main thread cost a run
// 20-50 ms on a 20-70 MB binary, in parallel with the program on two cores; an entry costs a file
// read. Without one, the first is worked out while the program runs and the second is said at the
// program's end if the fill is done by then.
//
// They decide nothing (--strict works both out before the program starts and refuses on them), so
// a cached answer is good enough: a tampered entry can cost a warning, never let a call through.
// This module is what a run with a filled cache loads: the analysis is imported only without one.
import type { DeniedReach } from "../analyze/denied-reaches.ts";
import { type FileIdentity, identify } from "../launch/program.ts";
import type { Logger } from "../log-format.ts";
import type { Profile } from "../policy/profile.ts";
import { analyzeHint, type CannotHold, describeCannotHold, describeDenied, readRunWarnings, runWarningsEntry } from "./warnings-entry.ts";

/**
 * Says both warnings for `path` under `profile`; returns what to call once the program has ended
 * (the second warning, where the cache had no entry and the fill is done by then), if anything is
 * left for then. Never throws.
 * GOMODJAIL_ANALYSIS=off: no cache, no fill, no second warning (scripts that compare a run's stderr).
 */
export async function startWarnings(path: string, profile: Profile, logger: Logger): Promise<(() => void) | undefined> {
  let cache: { identity: FileIdentity; entry: string } | undefined;
  if (process.env.GOMODJAIL_ANALYSIS !== "off") {
    try {
      const identity = identify(path);
      cache = { identity, entry: runWarningsEntry(identity, profile, process.env) };
      const cached = readRunWarnings(cache.entry, identity);
      if (cached) {
        warnCannotHold(path, cached.cannotHold, logger);
        warnDenied(path, cached.denied, logger);
        return undefined;
      }
    } catch (e) {
      logger.debug({ exe: path, error: (e as Error).message }, "cannot read the binary cache");
      cache = undefined;
    }
  }
  const { cannotHold, startFill } = await import("./confined-code.ts");
  try {
    warnCannotHold(path, cannotHold(path, profile), logger);
  } catch (e) {
    logger.warn({ exe: path, error: (e as Error).message }, "cannot check the confined modules' code");
  }
  if (!cache) return undefined;
  const { identity, entry } = cache;
  // Not while a short program runs: even in the idle class, the fill took 20-30 ms from a cold
  // run of mkcert or etcdctl (2 CPUs). A longer one gets it after a while, and its warning at the end.
  let filled: (() => boolean) | undefined;
  const later = setTimeout(() => (filled = startFill(path, profile, entry, logger)), FILL_DELAY_MS);
  later.unref();
  return () => {
    clearTimeout(later);
    if (!filled) {
      startFill(path, profile, entry, logger); // for the next run
      return;
    }
    if (!filled()) return;
    const done = readRunWarnings(entry, identity);
    if (done) warnDenied(path, done.denied, logger);
  };
}

/** How long a program runs before its run starts the cache fill (else it starts at the program's end). */
const FILL_DELAY_MS = 1000;

/** All in one line (a large program has many: caddy had a line each). */
function warnCannotHold(path: string, cannotHold: readonly CannotHold[], logger: Logger): void {
  if (cannotHold.length === 0) return;
  logger.warn({ modules: cannotHold.map(describeCannotHold).join(", "), details: analyzeHint(path) }, "confined modules have code the jail cannot hold");
}

function warnDenied(path: string, denied: readonly DeniedReach[], logger: Logger): void {
  if (denied.length === 0) return;
  logger.warn({ reaches: denied.map(describeDenied).join("; "), details: analyzeHint(path) }, "confined modules reach classes they are not allowed");
}
