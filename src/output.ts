// Writing to the standard streams: synchronously and in full, so that nothing is lost when the
// process exits right after (the CLI exits as soon as the answer is known); and the one line
// gomodjail prints for an error of its own, the same from every entry point.
import { writeSync } from "node:fs";

export function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (e) {
      if ((e as { code?: unknown }).code !== "EAGAIN") return; // a closed stdout/stderr: nothing to do
    }
  }
}

/** `text` with its lines joined by "; ", for a one-line message. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, "; ");
}

/** gomodjail's error line: `gomodjail: MESSAGE` and a newline. */
export function errorLine(message: string): string {
  return `gomodjail: ${oneLine(message)}\n`;
}

const builtinErrors: Function[] = [Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError, AggregateError];

/** Errors whose message is meant for the user: our typed errors and the system's (ENOENT, ...); any other is a bug. */
function isUserFacing(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  if (!builtinErrors.includes(e.constructor)) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

/** What gomodjail prints when `e` ends it: its error line, marked as an internal error when `e` is a bug (with the stack when debugging). */
export function failureText(e: unknown, debug: boolean): string {
  if (isUserFacing(e)) return errorLine(e.message);
  const line = errorLine(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  return debug && e instanceof Error && e.stack ? `${line}${e.stack}\n` : line;
}
