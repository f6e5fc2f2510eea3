// What the tests of gomodjail as its users get it need: the single-file binary built by `make`
// (cached by its sources), the example programs, empty directories, and running a command to
// its end with a chosen environment.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { analysisSwitch, bun, type Outcome } from "../helpers/gomodjail.ts";

export const victimDir = join(repoRoot, "examples/victim");
export const victimGoMod = join(victimDir, "go.mod");
export const packAppDir = join(repoRoot, "test/users/fixtures/packapp");
export const packAppGoMod = join(packAppDir, "go.mod");
export const poisonedModule = "example.com/gomodjail/examples/poisoned";

/** A PATH with the system's tools only: no Bun, no node_modules. */
export const systemPath = "/usr/bin:/bin";
/** A PATH where `bun` is the repository's Bun (process.execPath is named bun.exe). */
export const pathWithBun = `${join(repoRoot, "node_modules/.bin")}:${systemPath}`;

export function victim(): string {
  return goBuild({ dir: victimDir });
}

export function packApp(): string {
  return goBuild({ dir: packAppDir });
}

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) hashTree(h, p);
    else h.update(p).update(readFileSync(p));
  }
}

/**
 * The single-file binary, built by the Makefile's own rule (into .cache, keyed by everything
 * that goes into it, so the suite builds it once per change of the sources).
 */
export function compiledGomodjail(): string {
  const h = createHash("sha256").update(Bun.version);
  for (const f of ["Makefile", "package.json", "package-lock.json"]) h.update(f).update(readFileSync(join(repoRoot, f)));
  hashTree(h, join(repoRoot, "src"));
  const dir = join(repoRoot, ".cache/users", `gomodjail-${h.digest("hex").slice(0, 16)}`);
  const out = join(dir, "gomodjail");
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `gomodjail.tmp.${process.pid}`);
  const res = Bun.spawnSync(["make", "-s", `BUN=${bun}`, `BINARY=${tmp}`, tmp], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`make ${tmp} failed:\n${res.stdout}${res.stderr}`);
  renameSync(tmp, out);
  return out;
}

const madeDirs: string[] = [];

/** A new empty directory; removeDirs() removes them all (packed executables are large). */
export function emptyDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gomodjail-${label}-`));
  madeDirs.push(dir);
  return dir;
}

/** For each test file's afterAll. */
export function removeDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  stdin?: Uint8Array | "ignore";
}

/** Runs argv to its end with exactly `env` (nothing inherited), collecting its output. */
export async function runCommand(argv: string[], opts: RunOptions): Promise<Outcome> {
  const proc = Bun.spawn(argv, { cwd: opts.cwd, env: opts.env && { ...analysisSwitch, ...opts.env }, stdin: opts.stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** The modules named in a run's `***Blocked***` lines. */
export function blockedModules(stderr: string): string[] {
  return [...stderr.matchAll(/msg=\*\*\*Blocked\*\*\* .* module=(\S+)/g)].map((m) => m[1]!);
}
