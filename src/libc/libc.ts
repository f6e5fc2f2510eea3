// Typed bindings to the few libc functions gomodjail needs, called through bun:ffi.
// Every wrapper that can fail throws a SyscallError naming the call and the errno. Starting
// processes has its own (spawn.ts): bun:ffi compiles a trampoline for every function it binds,
// which costs the tracer thread's start-up, and the thread seldom starts a process itself.
import { dlopen, FFIType, read, type Pointer } from "bun:ffi";

/**
 * The names of errors 1-34, which Linux numbers alike on x86_64 and aarch64 (asm-generic's
 * errno-base.h): the tracer meets these (a read of a g that is not one yet fails with EFAULT at a
 * cgo program's first stops), and loading node:os for them cost that stop a millisecond.
 */
const BASE_ERRNO_NAMES = "EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE".split(" ");
/** The others, built on the first need. */
let errnoNames: Map<number, string> | undefined;

export function errnoName(errno: number): string {
  const base = BASE_ERRNO_NAMES[errno - 1];
  if (base !== undefined) return base;
  errnoNames ??= new Map(Object.entries((require("node:os") as typeof import("node:os")).constants.errno).map(([name, n]) => [n as number, name]));
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/** A libc call failed; `errno` is the C errno, `code` its name (ESRCH, EPERM...). */
export class SyscallError extends Error {
  readonly code: string;
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    const code = errnoName(errno);
    super(`${call}: ${code}`);
    this.name = "SyscallError";
    this.code = code;
  }
}

const lib = dlopen("libc.so.6", {
  __errno_location: { args: [], returns: "ptr" },
  getpid: { args: [], returns: "i32" },
  kill: { args: ["i32", "i32"], returns: "i32" },
  // ptrace is variadic in glibc; its arguments are all integer-class, which the platform ABIs
  // pass exactly like a fixed-argument call.
  ptrace: { args: ["i32", "i32", FFIType.u64_fast, FFIType.u64_fast], returns: FFIType.i64_fast },
  waitpid: { args: ["i32", "ptr", "i32"], returns: "i32" },
  process_vm_readv: { args: ["i32", "ptr", FFIType.u64_fast, "ptr", FFIType.u64_fast, FFIType.u64_fast], returns: FFIType.i64_fast },
  process_vm_writev: { args: ["i32", "ptr", FFIType.u64_fast, "ptr", FFIType.u64_fast, FFIType.u64_fast], returns: FFIType.i64_fast },
  close: { args: ["i32"], returns: "i32" },
  mmap: { args: ["ptr", FFIType.u64_fast, "i32", "i32", "i32", FFIType.i64_fast], returns: FFIType.u64_fast },
  _exit: { args: ["i32"], returns: "void" },
  munmap: { args: [FFIType.u64_fast, FFIType.u64_fast], returns: "i32" },
});

const fns = lib.symbols;
const errnoPtr = fns.__errno_location() as Pointer;

export function errno(): number {
  return read.i32(errnoPtr, 0);
}

export function check(call: string, ret: number): number {
  if (ret === -1) throw new SyscallError(call, errno());
  return ret;
}

export const getpid = (): number => fns.getpid();

/** The errno a blocked call fails with. */
export const EPERM = 1;

/** Ends the whole process at once, every thread, with `status`: no exit handlers, no teardown. */
export function exitProcess(status: number): never {
  fns._exit(status);
  throw new Error("_exit returned");
}

export function kill(pid: number, sig: number): void {
  check("kill", fns.kill(pid, sig));
}

export function close(fd: number): void {
  check(`close(${fd})`, fns.close(fd));
}

/** Raw ptrace: returns the result, or throws SyscallError. */
export function ptrace(request: number, pid: number, addr: number | bigint, data: number | bigint): number {
  const ret = Number(fns.ptrace(request, pid, addr, data));
  if (ret === -1) throw new SyscallError(`ptrace(${request}, ${pid})`, errno());
  return ret;
}

/** waitpid; `status` receives the raw status word. Returns the pid, or 0 with WNOHANG. */
export function waitpid(pid: number, status: Int32Array, options: number): number {
  const ret = fns.waitpid(pid, status, options);
  if (ret === -1) throw new SyscallError("waitpid", errno());
  return ret;
}

/** process_vm_readv with one local iovec and `remoteCount` remote ones, given as pointers to prepared iovecs. */
export function processVmReadv(pid: number, localIov: Pointer, remoteIov: Pointer, remoteCount = 1): number {
  const ret = Number(fns.process_vm_readv(pid, localIov, 1, remoteIov, remoteCount, 0));
  if (ret === -1) throw new SyscallError(`process_vm_readv(${pid})`, errno());
  return ret;
}

/** process_vm_writev with one local and one remote iovec, given as pointers to prepared iovecs. */
export function processVmWritev(pid: number, localIov: Pointer, remoteIov: Pointer): number {
  const ret = Number(fns.process_vm_writev(pid, localIov, 1, remoteIov, 1, 0));
  if (ret === -1) throw new SyscallError(`process_vm_writev(${pid})`, errno());
  return ret;
}

export const raw = fns;
