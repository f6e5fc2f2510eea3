// Where learn's files go: checked before anything runs (an unwritable OUT must not cost a run of
// the program), then written whole or not at all, through a temporary file renamed over it.
import { accessSync, chmodSync, constants, realpathSync, renameSync, rmSync, statSync, type Stats, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { LearnError, systemReason } from "./errors.ts";

/** Throws LearnError when `file` cannot be written. */
export function checkWritable(file: string): void {
  const st = statOrUndefined(file);
  if (st?.isDirectory()) throw new LearnError(`${file}: cannot write: is a directory`);
  const dir = dirname(resolve(file));
  if (!st && !statOrUndefined(dir)?.isDirectory()) throw new LearnError(`${file}: cannot write: no directory ${dir}`);
  try {
    accessSync(st ? file : dir, constants.W_OK);
  } catch {
    throw new LearnError(`${file}: cannot write: permission denied`);
  }
}

/** Writes `text` to `file` whole, keeping an existing file's mode; a device or pipe is written to directly. */
export function writeWhole(file: string, text: string): void {
  const st = statOrUndefined(file);
  try {
    if (st && !st.isFile()) {
      writeFileSync(file, text);
      return;
    }
    const target = st ? realpathSync(file) : resolve(file);
    const tmp = join(dirname(target), `.${basename(target)}.gomodjail-learn-${process.pid}`);
    try {
      writeFileSync(tmp, text, { flag: "wx" });
      if (st) chmodSync(tmp, st.mode & 0o7777);
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  } catch (e) {
    throw new LearnError(`${file}: cannot write: ${systemReason(e)}`);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
