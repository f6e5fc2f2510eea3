// Descriptors for tests of what a child inherits: Bun opens files close-on-exec, so one that is
// inherited is made by clearing the flag through fcntl(2).
import { dlopen } from "bun:ffi";
import { openSync } from "node:fs";

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const { symbols: libc } = dlopen("libc.so.6", { fcntl: { args: ["i32", "i32", "i32"], returns: "i32" } });

/** Clears `fd`'s close-on-exec flag; false where `fd` is not open. */
export function makeInheritable(fd: number): boolean {
  return libc.fcntl(fd, F_SETFD, 0) === 0;
}

/** `path` (/dev/null by default), opened without close-on-exec. */
export function openInheritable(path = "/dev/null"): number {
  const fd = openSync(path, "r");
  if (!makeInheritable(fd)) throw new Error(`fcntl(${fd}, F_SETFD) failed`);
  return fd;
}

/** Whether `fd` is open without close-on-exec, as fcntl(2) says. */
export function inheritableByFcntl(fd: number): boolean {
  const flags = libc.fcntl(fd, F_GETFD, 0);
  return flags !== -1 && (flags & FD_CLOEXEC) === 0;
}
