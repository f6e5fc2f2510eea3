// How a gomodjail process knows it is the hidden child stage: an environment variable, never
// argv (whose layout differs between running from source and a compiled binary). A process
// that has it never spawns another child, so a mistake here cannot become a fork bomb.
import { fileURLToPath } from "node:url";

/** Its value is the JSON of a ChildRequest (child.ts). */
export const CHILD_ENV = "GOMODJAIL_INTERNAL_CHILD_REQUEST";

/** The command that starts this tool again, for the child stage. */
export function selfCommand(): { path: string; argv: string[] } {
  const entry = new URL("../main.ts", import.meta.url);
  // In a `bun build --compile` binary the sources live in Bun's embedded file system and the
  // executable is the tool itself.
  if (entry.pathname.startsWith("/$bunfs/") || entry.pathname.includes("/~BUN/")) {
    return { path: process.execPath, argv: [process.execPath] };
  }
  return { path: process.execPath, argv: [process.execPath, fileURLToPath(entry)] };
}
