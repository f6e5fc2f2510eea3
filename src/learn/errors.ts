// Errors of `gomodjail learn` that a user can act on; the CLI prints their message on one line.

/** A report that cannot be learned from, or an output that cannot be written; the message names the file. */
export class LearnError extends Error {
  override name = "LearnError";
}

/** A system error's reason without its code and file ("no such file or directory"). */
export function systemReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // Node-style messages read "ENOENT: no such file or directory, open '/x'".
  return /^E[A-Z0-9]+: (.+?), \w+ '/.exec(message)?.[1] ?? message.split("\n")[0]!;
}
