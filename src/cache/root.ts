// Where gomodjail keeps what it caches between runs: unpacked programs (pack/cache.ts) and what it
// learned about binaries (binary-cache.ts).
import { isAbsolute, join } from "node:path";

/** `$XDG_CACHE_HOME/gomodjail`, else `~/.cache/gomodjail` (a relative XDG_CACHE_HOME is ignored, as the XDG spec says). */
export function cacheRoot(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "gomodjail");
  // node:os only without HOME: loading it costs a run about a millisecond.
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : (require("node:os") as typeof import("node:os")).homedir();
  return join(home, ".cache", "gomodjail");
}
