// The gomodjail command line run in-process, with a jail and an inspect command that only
// record what they are asked: what main() prints, its exit status, and the requests it made.
import { type InspectOptions, main, type MainIO } from "../../src/cli/main.ts";
import type { RunRequest } from "../../src/session/run.ts";
import type { BlockedSyscall } from "../../src/tracer/hooks.ts";

export interface CliOutcome {
  status: number;
  stdout: string;
  stderr: string;
  runs: RunRequest[];
  inspections: [string, InspectOptions][];
}

export interface CliOptions {
  /** What the recording jail reports to each run's onBlocked, in order. */
  events?: BlockedSyscall[];
  /** The exit status the recording jail gives each run (inspect gives 7). */
  jailStatus?: number;
  /** Parts of the I/O to use instead of the recording ones. */
  io?: Partial<MainIO>;
}

export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliOutcome> {
  const out: CliOutcome = { status: -1, stdout: "", stderr: "", runs: [], inspections: [] };
  const status = opts.jailStatus ?? 42;
  out.status = await main(args, {
    stdout: (s) => (out.stdout += s),
    stderr: (s) => (out.stderr += s),
    env: {},
    runJail: async (request) => {
      out.runs.push(request);
      for (const e of opts.events ?? []) request.onBlocked?.(e);
      return { status, exitCode: status, signal: undefined, blocked: [] };
    },
    inspectCommand: async (prog, options) => {
      out.inspections.push([prog, options]);
      return 7;
    },
    ...opts.io,
  });
  return out;
}
