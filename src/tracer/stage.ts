// How a gomodjail process knows it is the hidden child stage: an environment variable, never
// argv (whose layout differs between running from source and a compiled binary). A process
// that has it never spawns another child, so a mistake here cannot become a fork bomb.
import { fileURLToPath } from "node:url";

/** Its value is the JSON of a ChildRequest (child.ts). */
export const CHILD_ENV = "GOMODJAIL_INTERNAL_CHILD_REQUEST";

/**
 * True inside a `bun build --compile` binary: the bundle lives in Bun's embedded file system
 * and the executable is the tool itself. (import.meta.url cannot tell: with --bytecode it keeps
 * the source path of the build machine.)
 */
export const compiled = Bun.main.startsWith("/$bunfs/");

/** The command that starts this tool again, for the child stage. */
export function selfCommand(): { path: string; argv: string[] } {
  if (compiled) return { path: process.execPath, argv: [process.execPath] };
  return { path: process.execPath, argv: [process.execPath, fileURLToPath(new URL("../main.ts", import.meta.url))] };
}

/**
 * How to load the tracer thread's module. A compiled binary embeds it as a second entry point,
 * named by its path below src/ (see the Makefile).
 */
export function workerSpecifier(): string {
  return compiled ? "./tracer/worker.ts" : new URL("./worker.ts", import.meta.url).href;
}
