// Where gomodjail keeps what it caches between runs: unpacked programs (pack/cache.ts) and what it
// learned about binaries (binary-cache.ts).
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** `$XDG_CACHE_HOME/gomodjail`, else `~/.cache/gomodjail` (a relative XDG_CACHE_HOME is ignored, as the XDG spec says). */
export function cacheRoot(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "gomodjail");
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
  return join(home, ".cache", "gomodjail");
}
