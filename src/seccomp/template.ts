// A seccomp filter compiled for any pid, and completed for one: the target's filter at run time
// costs a copy and a few stores instead of a compilation (about 2.5 ms of cold code).
import { hostArchName } from "../arch/arch.ts";
import { SOCK_FILTER_SIZE } from "./bpf.ts";
import { FilterError } from "./errors.ts";
import { encodedTemplates } from "./templates.ts";

/** An architecture's filter for any pid: the encoded program, and the instructions whose constant is the pid. */
export interface FilterTemplate {
  program: Uint8Array;
  /** Indexes of the instructions that compare with the pid. */
  ownPidSlots: number[];
}

/** The largest pid_t. */
export const PID_T_MAX = 0x7fffffff;

/** The filter's pid rules need the pid of the process that installs it; anything else is an error. */
export function checkOwnPid(ownPid: number): void {
  if (!Number.isInteger(ownPid) || ownPid < 1 || ownPid > PID_T_MAX) {
    // 0 would turn kill(0, sig), a signal to the whole process group, into "the process itself".
    throw new FilterError(`ownPid must be the installing process's pid (a positive integer), not ${ownPid}`);
  }
}

/** The template's filter for the process `ownPid`, as struct sock_filter[] bytes. */
export function fillOwnPid(template: FilterTemplate, ownPid: number): Uint8Array {
  checkOwnPid(ownPid);
  const bytes = template.program.slice();
  const view = new DataView(bytes.buffer);
  for (const i of template.ownPidSlots) view.setUint32(i * SOCK_FILTER_SIZE + 4, ownPid, true);
  return bytes;
}

/**
 * The filter for a target process `ownPid` on this machine, from the compiled templates: the
 * default one, or with `judgeMetadata` the one that traces the metadata syscalls too.
 */
export function targetFilter(ownPid: number, judgeMetadata = false): Uint8Array {
  const encoded = encodedTemplates[hostArchName()][judgeMetadata ? "judgeMetadata" : "default"];
  return fillOwnPid({ program: new Uint8Array(Buffer.from(encoded.program, "base64")), ownPidSlots: encoded.ownPidSlots }, ownPid);
}
