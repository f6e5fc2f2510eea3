// The Tracee of a decision, answered from the stopped process itself.
import { readFileSync } from "node:fs";
import type { Arch } from "../arch/arch.ts";
import type { Tracee } from "../decision/tracee.ts";
import { RemoteMemory } from "../libc/memory.ts";
import { codeMappingOf } from "./mappings.ts";

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
