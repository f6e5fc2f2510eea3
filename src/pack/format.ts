// The layout of a packed executable: the gomodjail single-file binary, then the Go program,
// then a JSON manifest (its name and policy), then a fixed-size trailer at the very end:
//
//   [gomodjail binary][program][manifest][trailer: programSize u64, manifestSize u64,
//                                         programSha256 [32], manifestSha256 [32], MAGIC [16]]
//
// Appending is safe: Bun (1.4) finds a compiled binary's own modules in its `.bun` ELF
// section, which is loaded from the program headers, never at the end of the file. The
// trailer is read on every start of a compiled gomodjail, so reading it costs one pread of
// TRAILER_SIZE bytes; this module imports nothing heavier than node:fs for that reason.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { PackError } from "./errors.ts";

/** Ends every packed executable; the digit is the format's version. */
export const MAGIC = Buffer.from("\0gomodjail-pack1", "latin1");
export const TRAILER_SIZE = 8 + 8 + 32 + 32 + MAGIC.length;
/** Manifests are a few hundred bytes; a larger size field means a damaged file. */
const MAX_MANIFEST_SIZE = 1 << 20;

interface PackTrailer {
  programSize: number;
  manifestSize: number;
  programSha256: string;
  manifestSha256: string;
}

/** Where the parts of one packed executable are, in bytes from the start of the file. */
export interface PackedLayout extends PackTrailer {
  /** What to read: a path, or /proc/self/exe for a running packed executable. */
  file: string;
  /** What to call it in messages. */
  name: string;
  fileSize: number;
  /** The size of the gomodjail binary at the start, which is also where the program starts. */
  baseSize: number;
  manifestOffset: number;
}

export function encodeTrailer(t: PackTrailer): Buffer {
  const b = Buffer.alloc(TRAILER_SIZE);
  b.writeBigUInt64LE(BigInt(t.programSize), 0);
  b.writeBigUInt64LE(BigInt(t.manifestSize), 8);
  b.write(t.programSha256, 16, 32, "hex");
  b.write(t.manifestSha256, 48, 32, "hex");
  MAGIC.copy(b, 80);
  return b;
}

/**
 * Reads the trailer of `file` (e.g. /proc/self/exe, called `name` in messages): null when the
 * file does not end with MAGIC, a PackError when it does but the sizes do not fit.
 */
export function readPackedLayout(file: string, name = file): PackedLayout | null {
  const fd = openSync(file, "r");
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < TRAILER_SIZE) return null;
    const b = Buffer.alloc(TRAILER_SIZE);
    if (readSync(fd, b, 0, TRAILER_SIZE, fileSize - TRAILER_SIZE) !== TRAILER_SIZE) return null;
    if (!b.subarray(80).equals(MAGIC)) return null;
    const programSize = Number(b.readBigUInt64LE(0));
    const manifestSize = Number(b.readBigUInt64LE(8));
    const baseSize = fileSize - TRAILER_SIZE - manifestSize - programSize;
    if (manifestSize === 0 || manifestSize > MAX_MANIFEST_SIZE || programSize === 0 || !(baseSize > 0)) {
      throw new PackError(`${name}: damaged packed executable (its trailer's sizes do not fit the file)`);
    }
    return {
      file,
      name,
      fileSize,
      baseSize,
      manifestOffset: baseSize + programSize,
      programSize,
      manifestSize,
      programSha256: b.toString("hex", 16, 48),
      manifestSha256: b.toString("hex", 48, 80),
    };
  } finally {
    closeSync(fd);
  }
}
