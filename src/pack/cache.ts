// The per-user cache where packed executables unpack their program: one directory per program
// content (its SHA-256), holding the program under its own name. An entry is written once, to a
// temporary name, synced and renamed into place, so copies that start at the same time each
// write a whole file and the last rename wins with identical bytes; nothing ever executes a file
// that is still open for writing.
//
// The cache decides which bytes run under the jail, so it must be the user's alone: the
// directory is created 0700 and refused when it, or a directory above it, is owned by someone
// else or writable by others (a sticky directory such as /tmp is fine above it). An existing
// entry is trusted without re-hashing only when this user owns it and nobody can write it: we
// create entries that way, and only this user (or root) could have made such a file here.
import { randomBytes, createHash } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { CacheError, PackError } from "./errors.ts";
import type { PackedLayout } from "./format.ts";

const CHUNK = 4 << 20;

/**
 * Creates the cache directory if needed (0700) and checks that only this user can change what is
 * in it. Returns its real path, which is what the caller must use from then on (a symbolic link
 * on the way could be swapped after the check).
 */
export function openCacheDir(root: string): string {
  const uid = process.geteuid!();
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CacheError(`cannot create the cache directory ${root}: ${(e as Error).message}; set XDG_CACHE_HOME to a directory you can write`);
  }
  const real = realpathSync(root);
  checkOwnDir(real, uid);
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const st = statSync(dir);
    if (st.uid !== 0 && st.uid !== uid) throw unsafe(real, `${dir} above it is owned by uid ${st.uid}`);
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) throw unsafe(real, `${dir} above it is writable by others (mode ${octal(st.mode)})`);
    if (dir === "/") break;
  }
  return real;
}

/**
 * The path of the packed program in the cache (the real cache directory from openCacheDir),
 * unpacking it from the packed executable first unless a trusted entry is already there.
 */
export function unpackProgram(layout: PackedLayout, name: string, cacheDir: string): string {
  const uid = process.geteuid!();
  const dir = join(cacheDir, layout.programSha256);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
  checkOwnDir(dir, uid);
  const path = join(dir, name);
  if (!isTrustedEntry(path, layout.programSize, uid)) writeEntry(layout, dir, path, name);
  return path;
}

function isTrustedEntry(path: string, size: number, uid: number): boolean {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return false;
  }
  return st.isFile() && st.uid === uid && (st.mode & 0o222) === 0 && (st.mode & 0o100) !== 0 && st.size === size;
}

/** Copies the program out of the packed executable, checking its hash before it gets its name. */
function writeEntry(layout: PackedLayout, dir: string, path: string, name: string): void {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const out = openSync(tmp, "wx", 0o600);
  let closed = false;
  let renamed = false;
  try {
    const src = openSync(layout.file, "r");
    try {
      const hash = createHash("sha256");
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, layout.programSize));
      for (let done = 0; done < layout.programSize; ) {
        const n = readSync(src, buf, 0, Math.min(buf.length, layout.programSize - done), layout.baseSize + done);
        if (n === 0) throw new PackError(`${layout.name}: damaged packed executable (the program is cut short)`);
        hash.update(buf.subarray(0, n));
        for (let w = 0; w < n; ) w += writeSync(out, buf, w, n - w);
        done += n;
      }
      if (hash.digest("hex") !== layout.programSha256) {
        throw new PackError(`${layout.name}: damaged packed executable (the program's SHA-256 does not match the trailer)`);
      }
    } finally {
      closeSync(src);
    }
    fsyncSync(out);
    fchmodSync(out, 0o500);
    closeSync(out);
    closed = true;
    renameSync(tmp, path);
    renamed = true;
    syncDir(dir);
  } finally {
    if (!closed) closeSync(out);
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to clean
      }
    }
  }
}

/** Makes the rename durable: the new name is in the directory's data. */
function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function checkOwnDir(dir: string, uid: number): void {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw unsafe(dir, "it is not a directory");
  if (st.uid !== uid) throw unsafe(dir, `it is owned by uid ${st.uid}, not by you (uid ${uid})`);
  if ((st.mode & 0o022) !== 0) throw unsafe(dir, `it is writable by others (mode ${octal(st.mode)})`);
}

function unsafe(dir: string, why: string): CacheError {
  return new CacheError(`refusing the cache directory ${dir}: ${why}; set XDG_CACHE_HOME to a directory only you can write`);
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}
