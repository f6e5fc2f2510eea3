// Placeholder until the tracer lands: the CLI calls runJail with a validated request.
import type { Logger } from "pino";
import type { Profile } from "../policy/profile.ts";

export interface RunRequest {
  /** PROG and its arguments. */
  argv: string[];
  /** The policy; undefined with --no-policy. */
  profile: Profile | undefined;
  logger: Logger;
  debug: boolean;
}

export class NotImplementedError extends Error {}

/** Runs the program under the jail and resolves to the exit status gomodjail should exit with. */
export async function runJail(_req: RunRequest): Promise<number> {
  throw new NotImplementedError("run: the tracer is not implemented yet");
}
