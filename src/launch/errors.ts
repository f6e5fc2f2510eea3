// Errors of `gomodjail run` that a user can act on; the CLI prints their message on one line.

/** The program cannot be run under this policy: not found, not executable, not Go, another module. */
export class ProgramError extends Error {
  override name = "ProgramError";
}

/** The tracer could not start or follow the target. */
export class TracerError extends Error {
  override name = "TracerError";
}
