// Runs gomodjail from source as a user would, and collects what it printed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PRE_EXEC_STAGE_ENV } from "../../src/launch/stage.ts";
import { repoRoot } from "./gobuild.ts";

export const gomodjailEntry = join(repoRoot, "src/main.ts");

/** The environment that chooses each pre-exec stage: the shell, or this tool's child mode (the fallback). */
export const preExecStages: Record<"shell" | "self", Record<string, string>> = { shell: {}, self: { [PRE_EXEC_STAGE_ENV]: "self" } };
export const bun = process.execPath;

/**
 * The preload's switch of run's background analysis (test/helpers/preload.ts), for a test that
 * gives a gomodjail an environment of its own: without it, a run's stderr would depend on
 * whether an earlier run's analysis had filled the cache.
 */
export const analysisSwitch: Record<string, string> = process.env.GOMODJAIL_ANALYSIS === undefined ? {} : { GOMODJAIL_ANALYSIS: process.env.GOMODJAIL_ANALYSIS };

export interface Outcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function gomodjailCommand(args: string[]): string[] {
  return [bun, gomodjailEntry, ...args];
}

/** Runs `gomodjail ARGS...` to its end. */
export async function runGomodjail(
  args: string[],
  opts: { stdin?: Uint8Array; cwd?: string; env?: Record<string, string>; /** `env` alone, not added to this process's. */ onlyEnv?: boolean } = {},
): Promise<Outcome> {
  const proc = Bun.spawn(gomodjailCommand(args), {
    cwd: opts.cwd ?? repoRoot,
    env: opts.onlyEnv ? opts.env : { ...process.env, ...opts.env },
    stdin: opts.stdin ?? "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** The `***Blocked***` lines of a run's log, as key=value records. */
export function blockedLines(stderr: string): Record<string, string>[] {
  return stderr
    .split("\n")
    .filter((l) => l.includes("msg=***Blocked***"))
    .map((l) => Object.fromEntries([...l.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, "")])));
}

/** A process whose stdout is read as it comes, to wait for what it prints. */
export class Watched {
  private out = "";
  private ended = false;
  private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> };

  constructor(readonly proc: Bun.Subprocess<"pipe" | "ignore", "pipe", "pipe" | "ignore">) {
    this.reader = proc.stdout.getReader();
  }

  /** Reads until stdout holds `text` (or ends); returns all stdout so far. */
  async until(text: string): Promise<string> {
    while (!this.ended && !this.out.includes(text)) await this.readOnce();
    return this.out;
  }

  /** Reads to the end of stdout. */
  async all(): Promise<string> {
    while (!this.ended) await this.readOnce();
    return this.out;
  }

  private async readOnce(): Promise<void> {
    const { value, done } = await this.reader.read();
    if (done) this.ended = true;
    else this.out += new TextDecoder().decode(value);
  }
}

/** Starts `gomodjail ARGS...` with piped stdout (and stdin when asked). */
export function startGomodjail(args: string[], opts: { stdin?: "pipe" | "ignore"; env?: Record<string, string> } = {}): Watched {
  return new Watched(
    Bun.spawn(gomodjailCommand(args), { stdin: opts.stdin ?? "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...opts.env } }),
  );
}

/** The pids of a process's children, whichever of its threads started them. */
export function childrenOf(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  return readdirSync(tasks).flatMap((tid) => {
    let list: string;
    try {
      list = readFileSync(`${tasks}/${tid}/children`, "utf8");
    } catch (e) {
      // A thread that ended since the directory was read (seen under emulation, where
      // gomodjail's own threads come and go slowly enough to be caught).
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ESRCH") return [];
      throw e;
    }
    return list.split(/\s+/).filter(Boolean).map(Number);
  });
}
