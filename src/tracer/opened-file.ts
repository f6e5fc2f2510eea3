// What a syscall opened, and calls the tracer makes a thread run at that open's syscall-exit stop:
// for opens let through on the condition that the file the kernel opened is one the caller allows
// (the standard library's lazy loaders, see std-initialization.ts). The path in the tracee's
// memory proves nothing (another thread can rewrite it, the environment can steer it); the
// descriptor does, once the call has returned. The thread is sent back to the syscall instruction
// it has just executed with another call's registers, as inject.ts makes a tracee call, and put
// back as it was, with the open's result of the tracer's choosing.
import { readlinkSync, statSync } from "node:fs";
import type { Arch } from "../arch/arch.ts";
import { SyscallError, waitpid } from "../libc/libc.ts";
import { RemoteMemory } from "../libc/memory.ts";
import { decodeWaitStatus, resumeToSyscall, SIGTRAP, SYSCALL_STOP_SIGNAL, WALL } from "../libc/ptrace.ts";
import type { OpenedFile } from "../confinement/std-functions.ts";
import { TracerError } from "../launch/errors.ts";

/** The file behind descriptor `fd` of thread `tid`, or undefined when the thread or the descriptor is gone. */
export function openedFile(tid: number, fd: number): OpenedFile | undefined {
  const link = `/proc/${tid}/fd/${fd}`;
  try {
    const path = readlinkSync(link);
    const st = statSync(link);
    return { path, dev: st.dev, ino: st.ino, plain: st.isFile() || st.isDirectory() };
  } catch {
    return undefined;
  }
}

/** The thread ended while it made a call of the tracer's: `status` is its wait status, which the tracer's loop has not seen. */
export class ThreadEnded extends Error {
  constructor(
    readonly tid: number,
    readonly status: number,
  ) {
    super(`thread ${tid} ended during a call the tracer made it run`);
    this.name = "ThreadEnded";
  }
}

/**
 * Calls made by a thread stopped at a syscall-exit stop, from the syscall instruction it has just
 * executed. Calls the seccomp filter traps stop once more between their entry and exit, and are
 * let on. Signals that arrive meanwhile are held back (`held`), to deliver on resuming.
 */
export class ExitStopCalls {
  /** The signal to deliver when the thread is resumed (0 for none). */
  held = 0;
  /** The thread's stack pointer at the stop. */
  readonly sp: number;
  private readonly saved: Uint32Array;
  private readonly instruction: number;

  constructor(
    private readonly tid: number,
    private readonly arch: Arch,
    private readonly status: Int32Array,
  ) {
    const { pc, sp } = arch.readSyscallRegs(tid);
    this.sp = sp;
    this.saved = arch.regs.words.slice();
    this.instruction = pc - arch.syscallInstruction.length;
    if (!isSyscallInstruction(tid, this.instruction, arch)) throw new TracerError(`thread ${tid}: no syscall instruction before 0x${pc.toString(16)} to make calls from`);
  }

  /** Makes the thread call `name` with `args`; returns what it returned (>= 0, or -errno). Throws ThreadEnded. */
  call(name: string, args: readonly number[]): number {
    this.arch.setInjectedCall(this.tid, this.saved, this.instruction, { nr: this.arch.syscalls.number(name), args });
    this.toSyscallStop(); // the call's entry
    this.toSyscallStop(); // its exit (past a seccomp stop, for a trapped call)
    return this.arch.returnValue(this.tid);
  }

  /** Puts every register back as it was at the stop, but the open's result (and argument `arg`, if given). */
  restore(result: number, arg?: { index: number; value: number }): void {
    this.arch.regs.words.set(this.saved);
    this.arch.regs.set(this.tid);
    if (arg) this.arch.setSyscallArg(this.tid, arg.index, arg.value);
    this.arch.setReturnValue(this.tid, result);
  }

  /** Resumes to the next syscall stop, letting seccomp stops on and holding back signals. */
  private toSyscallStop(): void {
    for (;;) {
      try {
        resumeToSyscall(this.tid, 0);
      } catch (e) {
        // Killed meanwhile (another thread's exit_group): its end is still to be reaped.
        if (!(e instanceof SyscallError && e.code === "ESRCH")) throw e;
      }
      waitpid(this.tid, this.status, WALL);
      const st = decodeWaitStatus(this.status[0]!);
      if (st.kind !== "stopped") throw new ThreadEnded(this.tid, this.status[0]!);
      if (st.signal === SYSCALL_STOP_SIGNAL) return;
      // A signal-delivery stop (event 0): deliver it afterwards. Event stops (seccomp, the end
      // of a group-stop) need nothing.
      if (st.event === 0 && st.signal !== SIGTRAP) this.held = st.signal;
    }
  }
}

function isSyscallInstruction(tid: number, addr: number, arch: Arch): boolean {
  const want = arch.syscallInstruction;
  const memory = new RemoteMemory(want.length);
  if (memory.read(tid, addr, want.length) !== want.length) return false;
  return want.every((b, i) => memory.buffer[i] === b);
}
