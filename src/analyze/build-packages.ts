// `gomodjail analyze ./...`: a package pattern (or a directory of .go files) is built with the
// local Go toolchain, each main package into a binary of its own, and the binaries analyzed
// together, so that a user of the original's v2 keeps the same command. An executable file is
// analyzed as it is.
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

export class BuildError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`${pattern}: ${reason}`);
    this.name = "BuildError";
  }
}

/** Whether `arg` names packages to build rather than a program: a pattern, or a directory. */
export function isPackagePattern(arg: string): boolean {
  if (arg.includes("...")) return true;
  try {
    return statSync(arg).isDirectory();
  } catch {
    return false;
  }
}

/** The Go command: $GO, else `go` on the PATH. */
function goCommand(env: Record<string, string | undefined>): string {
  return env.GO || "go";
}

function go(args: string[], env: Record<string, string | undefined>, pattern: string): string {
  const r = spawnSync(goCommand(env), args, { encoding: "utf8", env: { ...process.env, ...env } as NodeJS.ProcessEnv });
  if (r.error) throw new BuildError(pattern, `cannot run ${goCommand(env)} (${r.error.message}): install Go, or set GO to the go command`);
  if (r.status !== 0) throw new BuildError(pattern, `go ${args[0]} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(0, 3).join("; ")}`);
  return r.stdout;
}

/** Builds every main package `pattern` matches into a temporary directory; the binaries' paths. */
export function buildMainPackages(pattern: string, env: Record<string, string | undefined> = process.env): string[] {
  const arg = pattern.includes("...") || pattern.startsWith(".") || pattern.startsWith("/") ? pattern : `./${pattern}`;
  const mains = go(["list", "-f", '{{if eq .Name "main"}}{{.ImportPath}}{{end}}', arg], env, pattern)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (mains.length === 0) throw new BuildError(pattern, "no main package: give a program, or a pattern that matches one (./cmd/...)");
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-analyze-"));
  return mains.map((pkg, i) => {
    const out = join(dir, `${i}-${basename(pkg)}`);
    go(["build", "-o", out, pkg], env, pattern);
    return out;
  });
}
