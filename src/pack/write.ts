// `gomodjail pack`: one executable made of the gomodjail binary, a Go program and its policy
// (format.ts). The program is checked as `gomodjail run` checks it (a Go binary of the go.mod's
// main module) before anything is written, and the output appears whole or not at all.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Logger } from "../log-format.ts";
import { ElfFile } from "../elf/elf.ts";
import { confinesAnyModule, loadProfile } from "../policy/profile.ts";
import { sameFile } from "../launch/program.ts";
import { checkFirstTarget } from "../launch/target.ts";
import { baseBinary } from "./base.ts";
import { PackError } from "./errors.ts";
import { encodeTrailer } from "./format.ts";
import { encodeManifest } from "./manifest.ts";

export interface PackRequest {
  /** The Go program's file. */
  prog: string;
  /** The go.mod with gomodjail directives whose policy the program will run under. */
  goMod: string;
  /** Defaults to `./<basename of prog>.gomodjail`. */
  output?: string;
  /** A gomodjail single-file binary to start from; see base.ts for the default. */
  base?: string;
  logger: Logger;
}

export interface PackResult {
  output: string;
  size: number;
  programSha256: string;
}

const CHUNK = 4 << 20;

export function packProgram(req: PackRequest): PackResult {
  const profile = loadProfile(req.goMod);
  // A packed program always runs under its policy: one that confines nothing would be no jail.
  if (!confinesAnyModule(profile)) throw new PackError(`${req.goMod} confines no module: add "// gomodjail:confined" to a module's require line`);
  const prog = req.prog;
  let st;
  try {
    st = statSync(prog);
  } catch {
    throw new PackError(`${prog}: no such file`);
  }
  if (!st.isFile()) throw new PackError(`${prog}: not a regular file`);
  checkFirstTarget(prog, profile);
  const machine = ElfFile.open(prog).machine;

  const output = resolve(req.output ?? `${basename(prog)}.gomodjail`);
  if (!isDirectory(dirname(output))) throw new PackError(`-o ${output}: no directory ${dirname(output)}`);
  if (sameFile(output, prog)) throw new PackError(`-o ${output}: that is the program itself`);
  const manifest = encodeManifest(basename(prog), req.goMod, profile);

  const base = baseBinary(req.base, machine, req.logger);
  try {
    if (sameFile(output, base.path)) throw new PackError(`-o ${output}: that is the gomodjail binary itself`);
    const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const out = openSync(tmp, "wx", 0o600);
    let closed = false;
    let renamed = false;
    try {
      copyInto(out, base.path, base.size);
      const programSha256 = copyInto(out, prog, st.size);
      writeAll(out, manifest);
      writeAll(out, encodeTrailer({
        programSize: st.size,
        manifestSize: manifest.length,
        programSha256,
        manifestSha256: createHash("sha256").update(manifest).digest("hex"),
      }));
      fsyncSync(out);
      fchmodSync(out, 0o755 & ~process.umask());
      closeSync(out);
      closed = true;
      renameSync(tmp, output);
      renamed = true;
      return { output, size: statSync(output).size, programSha256 };
    } finally {
      if (!closed) closeSync(out);
      if (!renamed) unlinkSync(tmp);
    }
  } finally {
    base.dispose();
  }
}

/** Appends `size` bytes of `file` to `out` and returns their SHA-256. */
function copyInto(out: number, file: string, size: number): string {
  const hash = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, size));
    for (let done = 0; done < size; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - done), done);
      if (n === 0) throw new PackError(`${file}: it shrank while being packed`);
      hash.update(buf.subarray(0, n));
      writeAll(out, buf.subarray(0, n));
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let w = 0; w < bytes.length; ) w += writeSync(fd, bytes, w, bytes.length - w);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

