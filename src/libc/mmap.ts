// Private file mappings of files opened read-only. Bun.mmap opens files read-write, which fails
// on files the user may only read and makes a concurrent execve of the file fail with ETXTBSY.
// The mapping is copy-on-write (writes never reach the file) and is unmapped when the last view
// of its memory is collected.
import { toArrayBuffer } from "bun:ffi";
import { closeSync, fstatSync, openSync } from "node:fs";
import { errno, raw, SyscallError } from "./libc.ts";

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_PRIVATE = 2;
const MAP_FAILED = 2 ** 64 - 1;

const unmapper = new FinalizationRegistry<{ addr: number; size: number }>(({ addr, size }) => {
  raw.munmap(addr, size);
});

/** Maps the whole file at `path` copy-on-write; throws the fs error (ENOENT, EACCES...) or SyscallError. */
export function mapFilePrivate(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return new Uint8Array(0);
    const addr = Number(raw.mmap(null, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    if (addr === MAP_FAILED || addr === -1) throw new SyscallError(`mmap(${path})`, errno());
    const buffer = toArrayBuffer(addr, 0, size);
    unmapper.register(buffer, { addr, size });
    return new Uint8Array(buffer);
  } finally {
    closeSync(fd);
  }
}
