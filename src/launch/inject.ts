// Installs the seccomp filter in the target from the outside, at its exec event: the new image
// has not run a single instruction yet, and the tracee itself makes the two calls that a filter
// needs (prctl(PR_SET_NO_NEW_PRIVS), skipped where the process inherited it, and
// seccomp(SECCOMP_SET_MODE_FILTER)), as debuggers inject calls. So the process that execs the
// target needs no filter code of its own: any process the tracer holds before its exec will do
// (see stage.ts). The same way, it closes any descriptor the program was not given: one that a
// thread of this tool had open for a moment when the stage started (JavaScriptCore's threads open
// /proc/self/statm without close-on-exec) would otherwise reach it, whatever the stage.
//
// The exec event stop is still inside execve, whose return value would overwrite the syscall
// registers, so the tracee is first taken to execve's syscall-exit stop, where its registers are
// those user space will see. There, for each call: the pc points at a syscall instruction written
// over the entry point, the registers hold the call, and the tracee runs to the call's own exit
// stop. Everything is put back before it resumes.
import { readdirSync, readFileSync } from "node:fs";
import type { Arch } from "../arch/arch.ts";
import { errnoName, waitpid } from "../libc/libc.ts";
import { RemoteMemory, writeRemote } from "../libc/memory.ts";
import { decodeWaitStatus, pokeWord, resumeToSyscall, SIGTRAP, SYSCALL_STOP_SIGNAL, WALL } from "../libc/ptrace.ts";
import { TracerError } from "./errors.ts";

const PR_SET_NO_NEW_PRIVS = 38;
const SECCOMP_SET_MODE_FILTER = 1;
const SOCK_FILTER_SIZE = 8;
/** Below the stack pointer, past amd64's red zone (arm64 has none), where nothing lives yet. */
export const RED_ZONE = 128;

/**
 * Installs `filter` (encoded sock_filter instructions) in `tid`, stopped at its exec event, and
 * closes its descriptors above stderr but those `given`. Returns the signal that arrived
 * meanwhile, to deliver when the tracee is resumed (0 for none). Throws TracerError when the
 * tracee dies or a call fails: the caller must then kill it.
 */
export function installFilterAtExec(tid: number, arch: Arch, filter: Uint8Array, status: Int32Array, given: readonly number[]): number {
  let held = 0;
  /** Resumes to the next syscall stop, holding back any signal that comes first. */
  const toSyscallStop = (): void => {
    for (;;) {
      resumeToSyscall(tid);
      waitpid(tid, status, WALL);
      const st = decodeWaitStatus(status[0]!);
      if (st.kind === "exited") throw new TracerError(`the program exited (status ${st.code}) before its filter was installed`);
      if (st.kind === "signaled") throw new TracerError(`the program was killed by signal ${st.signal} before its filter was installed`);
      if (st.signal === SYSCALL_STOP_SIGNAL) return;
      // A signal-delivery stop (event 0): deliver it once the filter is in. Event stops (the end
      // of a group-stop) need nothing.
      if (st.event === 0 && st.signal !== SIGTRAP) held = st.signal;
    }
  };

  toSyscallStop(); // execve's exit
  const { pc, sp } = arch.readSyscallRegs(tid);
  const saved = arch.regs.words.slice();
  const original = readCode(tid, pc);
  const patched = new Uint8Array(original);
  patched.set(arch.syscallInstruction);
  pokeWord(tid, pc, wordOf(patched));
  let failure: unknown;
  try {
    /** Makes the call in the tracee; returns what it returned. */
    const call = (name: string, args: number[]): number => {
      arch.setInjectedCall(tid, saved, pc, { nr: arch.syscalls.number(name), args });
      toSyscallStop(); // the call's entry
      toSyscallStop(); // its exit
      return arch.returnValue(tid);
    };
    const filterCall = (name: string, args: number[]): void => {
      const ret = call(name, args);
      if (ret < 0) throw new TracerError(`cannot install the seccomp filter: ${name} failed in the program with ${errnoName(-ret)}`);
    };
    // Linux releases a descriptor even where close fails (EINTR, EIO): what counts is the list after.
    for (const fd of strayDescriptors(tid, given)) call("close", [fd]);
    const left = strayDescriptors(tid, given);
    if (left.length > 0) throw new TracerError(`cannot close descriptor ${left[0]} in the program, which it was not given`);
    // A stage started by the command line inherited it (session/early-stage.ts).
    if (!hasNoNewPrivs(tid)) filterCall("prctl", [PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0]);
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; }, then the filter.
    const at = Math.floor((sp - RED_ZONE - 16 - filter.length) / 16) * 16;
    const program = new Uint8Array(16 + filter.length);
    const view = new DataView(program.buffer);
    view.setUint16(0, filter.length / SOCK_FILTER_SIZE, true);
    view.setBigUint64(8, BigInt(at + 16), true);
    program.set(filter, 16);
    if (writeRemote(tid, at, program) !== program.length) throw new TracerError("cannot install the seccomp filter: the program's stack is not writable");
    filterCall("seccomp", [SECCOMP_SET_MODE_FILTER, 0, at]);
  } catch (e) {
    failure = e;
  }
  try {
    pokeWord(tid, pc, wordOf(original));
    arch.regs.words.set(saved);
    arch.regs.set(tid);
  } catch (e) {
    failure ??= e;
  }
  if (failure !== undefined) throw failure;
  return held;
}

/** The descriptors above stderr that the exec'd `tid` has open but was not given. */
function strayDescriptors(tid: number, given: readonly number[]): number[] {
  let listed: string[];
  try {
    listed = readdirSync(`/proc/${tid}/fd`);
  } catch (e) {
    throw new TracerError(`cannot list the program's descriptors at its exec: ${(e as Error).message}`);
  }
  return listed.map(Number).filter((fd) => fd > 2 && !given.includes(fd));
}

/** Whether the thread has no_new_privs set already. */
function hasNoNewPrivs(tid: number): boolean {
  return /^NoNewPrivs:\s*1$/m.test(readFileSync(`/proc/${tid}/status`, "utf8"));
}

function readCode(tid: number, pc: number): Uint8Array {
  const memory = new RemoteMemory(8);
  if (memory.read(tid, pc, 8) !== 8) throw new TracerError(`cannot read the program's code at 0x${pc.toString(16)}`);
  return memory.buffer.slice();
}

function wordOf(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}
