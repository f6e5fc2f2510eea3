// Runs gomodjail from source as a user would, and collects what it printed.
import { join } from "node:path";
import { repoRoot } from "./gobuild.ts";

export const gomodjailEntry = join(repoRoot, "src/main.ts");
export const bun = process.execPath;

export interface Outcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function gomodjailCommand(args: string[]): string[] {
  return [bun, gomodjailEntry, ...args];
}

/** Runs `gomodjail ARGS...` to its end. */
export async function runGomodjail(args: string[], opts: { stdin?: Uint8Array; cwd?: string; env?: Record<string, string> } = {}): Promise<Outcome> {
  const proc = Bun.spawn(gomodjailCommand(args), {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
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
