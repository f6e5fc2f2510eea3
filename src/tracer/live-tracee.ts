// The Tracee of a decision, answered from the stopped process itself.
//
// codeMapping: whether a traced process runs code that a file holds: its /proc/PID/maps. Code anywhere else
// (anonymous memory, a memfd, shared memory) has no function table to say whose it is. The maps
// are read afresh at every question, never cached: munmap and mremap run without a stop, so the
// process could move executable memory under a range that a cache still took for a file's code.
import { readFileSync } from "node:fs";
import type { Arch } from "../arch/arch.ts";
import type { CodeMapping, Tracee } from "../decision/tracee.ts";
import { RemoteMemory } from "../libc/memory.ts";

export function liveTracee(arch: Arch): Tracee {
  return {
    memory: (capacity) => new RemoteMemory(capacity),
    threadPointer: (tid) => arch.threadPointer(tid),
    hasNoMemory(tid) {
      try {
        return readFileSync(`/proc/${tid}/maps`, "utf8") === "";
      } catch {
        return true;
      }
    },
    stackStart(tid) {
      // /proc/PID/stat, field 28 (startstack); the command name before it may hold spaces.
      try {
        const stat = readFileSync(`/proc/${tid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(fields[28 - 3]);
      } catch {
        return 0;
      }
    },
    codeMapping: codeMappingOf,
  };
}

/** The kernel's own code mapped into every process: not the program's to write. */
const KERNEL_CODE = new Set(["[vdso]", "[vsyscall]", "[uprobes]"]);

/** Paths under which the kernel shows memory that no file holds: shared anonymous mappings, SysV shm, memfds. */
const ANONYMOUS_FILE = /^\/(?:dev\/zero|SYSV[0-9a-f]{8}|memfd:.*) \(deleted\)$/;

/**
 * Where the instruction at `pc` of thread `tid` lies: in a file's code (an executable mapping of a
 * file that the process cannot write through it, or the kernel's), or else in which mapping.
 * Unreadable maps (the process is gone, or hides them) are "no file" too.
 */
function codeMappingOf(tid: number, pc: number): CodeMapping {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${tid}/maps`, "latin1");
  } catch (e) {
    return { fileBacked: false, mapping: `/proc/${tid}/maps unreadable (${(e as NodeJS.ErrnoException).code})` };
  }
  for (const line of maps.split("\n")) {
    const dash = line.indexOf("-");
    const space = line.indexOf(" ");
    if (dash < 0 || space < dash) continue;
    if (pc < parseInt(line.slice(0, dash), 16) || pc >= parseInt(line.slice(dash + 1, space), 16)) continue;
    return isFileCode(line) ? { fileBacked: true } : { fileBacked: false, mapping: line.trimEnd() };
  }
  return { fileBacked: false, mapping: "no mapping" };
}

/** A maps line: "start-end perms offset dev inode   path", path absent for anonymous memory. */
function isFileCode(line: string): boolean {
  const fields = line.split(/ +/);
  const perms = fields[1] ?? "";
  if (perms[2] !== "x" || perms[1] === "w") return false;
  // The path is everything after the inode, spaces included.
  const path = fields.slice(5).join(" ");
  return KERNEL_CODE.has(path) || (path.startsWith("/") && !ANONYMOUS_FILE.test(path));
}
