// What gomodjail learned about a binary under a policy, kept between runs in the per-user cache
// ($XDG_CACHE_HOME/gomodjail/binaries, or ~/.cache/gomodjail/binaries): one JSON file per
// binary, policy and kind of entry.
//
// The key is the identity of the file, not its content: device, inode, size, and the
// modification and change times to the nanosecond (hashing a 75 MB binary would cost more than
// the entry saves). Writing the file in place changes its mtime and ctime; replacing it changes
// its inode. The entry repeats the identity, which a read checks.
//
// Nothing here is trusted. The jailed program runs as the same user and can write this directory,
// so an entry can say anything: entries hold only what decides nothing (what a warning says), and
// anything that decides is computed again (under --strict, the analysis runs before the program).
// A file that does not parse, is of another format or another binary is ignored and written
// anew: a poisoned cache can cost a warning, never let a call through.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileIdentity } from "../launch/program.ts";
import { cacheRoot } from "./root.ts";

/** Bumped when an entry's shape or meaning changes: older entries are then ignored. */
const FORMAT = 1;

export function binaryCacheDir(env: Record<string, string | undefined>): string {
  return join(cacheRoot(env), "binaries");
}

/** The file of an entry: the binary's identity, the policy's text and the entry's kind, hashed. */
export function entryFile(dir: string, identity: FileIdentity, policyKey: string, kind: string): string {
  // Bun's hasher, not node:crypto's: loading that one (its streams) cost a run 6 ms of its main thread.
  const hash = new Bun.CryptoHasher("sha256").update(JSON.stringify([FORMAT, kind, identity, policyKey])).digest("hex");
  return join(dir, `${hash.slice(0, 32)}.${kind}.json`);
}

/** The entry's data, if the file holds an entry of this format for this very file and `valid` accepts it. */
export function readEntry<T>(file: string, identity: FileIdentity, valid: (data: unknown) => data is T): T | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const entry = parsed as { format?: unknown; identity?: unknown; data?: unknown };
  if (entry.format !== FORMAT || JSON.stringify(entry.identity) !== JSON.stringify(identity)) return undefined;
  return valid(entry.data) ? entry.data : undefined;
}

/** How long a claim to fill an entry holds before another run may take it over (its filler was killed). */
const FILL_CLAIM_MS = 10 * 60 * 1000;

/**
 * Claims the filling of `file` for one process: true unless another claimed it less than
 * FILL_CLAIM_MS ago. Runs started while a fill goes on (a script running one program in a loop)
 * then start no second one: each would take a core and hundreds of MB for the same entry. The
 * claim holds `input`, what the filler works from (readFillInput): a file, not a pipe, so that the
 * run that starts the fill owes it nothing once it is started. A claim decides nothing: a forged
 * one delays a warning, never a verdict. Errors are the caller's to ignore.
 */
export function claimFill(file: string, input: string): boolean {
  const claim = `${file}.filling`;
  mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(claim, input, { flag: "wx", mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  if (Date.now() - statSync(claim).mtimeMs < FILL_CLAIM_MS) return false;
  rmSync(claim, { force: true });
  writeFileSync(claim, input, { flag: "wx", mode: 0o600 });
  return true;
}

/** What the claim on `file` holds for its filler: as little trusted as the rest of the cache. */
export function readFillInput(file: string): string {
  return readFileSync(`${file}.filling`, "utf8");
}

/** Ends a fill's claim on `file`, filled or not. */
export function releaseFill(file: string): void {
  rmSync(`${file}.filling`, { force: true });
}

/** Writes an entry whole: to a temporary name, then renamed over the old one. Errors are the caller's to ignore. */
export function writeEntry(file: string, identity: FileIdentity, data: unknown): void {
  mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ format: FORMAT, identity, data }), { mode: 0o600 });
  renameSync(temp, file);
}
