// This process's open descriptors, as the kernel lists them in /proc/self: no bun:ffi, so the
// command line can take them first thing, before it loads libc's bindings (which cost
// milliseconds) and before it starts a thread.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const O_CLOEXEC = 0o2000000;

/** The descriptors this process has open (and the one that lists them, closed since). */
export function openDescriptors(): number[] {
  return readdirSync("/proc/self/fd").map(Number);
}

/**
 * The descriptors above stderr that this process has open without close-on-exec, in order, but
 * those into its own /proc directory: JavaScriptCore's threads open /proc/self/statm without
 * close-on-exec for a moment now and then, and the tool's /proc files are never a program's.
 */
export function inheritableDescriptors(): number[] {
  const own = `/proc/${process.pid}/`;
  return openDescriptors()
    .filter((fd) => fd > 2 && inheritable(fd) && !target(fd).startsWith(own))
    .sort((a, b) => a - b);
}

/** What descriptor `fd` is open on, as /proc names it; "" for one closed since it was listed. */
function target(fd: number): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return "";
  }
}

/**
 * Whether descriptor `fd` is open and would be inherited across an exec: its fdinfo's `flags`
 * (octal) carry O_CLOEXEC for a descriptor that is close-on-exec. One closed since it was listed,
 * or whose flags cannot be read, is not inherited.
 */
function inheritable(fd: number): boolean {
  let info: string;
  try {
    info = readFileSync(`/proc/self/fdinfo/${fd}`, "latin1");
  } catch {
    return false;
  }
  const at = info.indexOf("\nflags:");
  if (at === -1) return false;
  const flags = parseInt(info.slice(at + "\nflags:".length), 8);
  return !Number.isNaN(flags) && (flags & O_CLOEXEC) === 0;
}
