// open(2) and openat(2) flags that gomodjail reads or sets. The architectures differ in a few
// (O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE are swapped around on arm64); the ones here
// have the same value on amd64 and arm64 (asm-generic/fcntl.h and its x86 use).
const O_ACCMODE = 0o3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
/** __O_TMPFILE: O_TMPFILE is this bit with O_DIRECTORY. */
const O_TMPFILE_BIT = 0o20000000;
/** Opens a file only as a place: the descriptor cannot be read, written or mapped. */
export const O_PATH = 0o10000000;

/** Whether openat's flags ask only to read an existing file. */
export function readOnlyOpen(flags: number): boolean {
  return (flags & O_ACCMODE) === 0 && (flags & (O_CREAT | O_TRUNC | O_TMPFILE_BIT)) === 0;
}
