// Std initialization: a read-only open that the standard library's lazy loader makes inside its
// sync.Once, on behalf of a confined module that asked first (src/confinement/std-functions.ts,
// decided by stdInitialization in src/decision/decider.ts), goes on and is checked after the fact.
//
// Race-free: at the seccomp stop the open's flags register gets O_PATH, so the descriptor the
// kernel makes can be neither read nor mapped, by this thread or any other (pread on an existing
// descriptor is not trapped). At the open's syscall-exit stop the file behind it is checked
// (openedFile, loaderMayOpen): one of the loader's, and the thread reopens it readable through
// /proc/self/fd/N with the flags the program asked for, closes N and gets the new descriptor (or
// the reopen's own error, EACCES say, as the open would have failed natively); anything else, or
// a file that cannot be checked or reopened as checked, is closed and the open returns EPERM with
// a Blocked line. In audit mode the open runs as asked and its file is checked the same way.
import type { Arch } from "../arch/arch.ts";
import { O_PATH } from "../arch/open-flags.ts";
import { type LazyLoader, loaderMayOpen, type OpenedFile } from "../confinement/std-functions.ts";
import { EPERM, SyscallError } from "../libc/libc.ts";
import { writeRemote } from "../libc/memory.ts";
import { resume, resumeToSyscall, SYSCALL_STOP_SIGNAL } from "../libc/ptrace.ts";
import { TracerError } from "../launch/errors.ts";
import { RED_ZONE } from "../launch/inject.ts";
import { ExitStopCalls, openedFile, ThreadEnded } from "./opened-file.ts";
import type { BlockedSyscall, StdInitializationEvent, TraceHooks } from "./hooks.ts";

const AT_FDCWD = -100;
/** openat's flags argument (its index). */
export const FLAGS_ARG = 2;

/** An open let on as std initialization, from its seccomp stop to its exit stop. */
interface PendingOpen {
  loader: LazyLoader;
  /** The flags the program asked for. */
  flags: number;
  goVersion: string | undefined;
  /** What a Blocked line says of the call, but why. */
  call: Omit<BlockedSyscall, "reason">;
}

/** How reopening a checked descriptor readable ended. */
type Reopened = { fd: number } | { errno: number } | { refused: string };

/** What the tracer's loop must do after a stop handled here. */
type StdInitializationStop =
  /** Not a stop of an open let on here: the loop handles it. */
  | "not-ours"
  | "handled"
  /** The thread ended meanwhile: the loop must handle this wait status as if it had waited for it. */
  | { ended: number };

export class StdInitialization {
  /** Per thread id, stopped at or running an open let on. */
  private readonly pending = new Map<number, PendingOpen>();

  constructor(
    private readonly arch: Arch,
    private readonly status: Int32Array,
    /** gomodjail's own environment at the start: where the steering variables may point. */
    private readonly env: Record<string, string | undefined>,
    private readonly audit: boolean,
    private readonly hooks: Pick<TraceHooks, "blocked" | "debug" | "stdInitialization">,
  ) {}

  /**
   * At the seccomp stop of `tid`'s open by `loader`: lets it on, as O_PATH unless auditing, to its
   * syscall-exit stop (nothing, if the thread is gone).
   */
  letOn(tid: number, loader: LazyLoader, flags: number, goVersion: string | undefined, call: Omit<BlockedSyscall, "reason">): void {
    try {
      if (!this.audit) this.arch.setSyscallArg(tid, FLAGS_ARG, flags | O_PATH);
      resumeToSyscall(tid);
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ESRCH") return;
      throw e;
    }
    this.pending.set(tid, { loader, flags, goVersion, call });
  }

  /** A stop of `tid`: the exit of an open let on here, or a signal on its way there. */
  onStop(tid: number, signal: number, event: number): StdInitializationStop {
    const open = this.pending.get(tid);
    if (!open) return "not-ours";
    if (signal !== SYSCALL_STOP_SIGNAL) {
      if (event !== 0) return "not-ours";
      // A signal-delivery stop: deliver it without losing the exit stop.
      try {
        resumeToSyscall(tid, signal);
      } catch (e) {
        if (!(e instanceof SyscallError && e.code === "ESRCH")) throw e;
      }
      return "handled";
    }
    this.pending.delete(tid);
    try {
      resume(tid, this.atExit(tid, open));
      return "handled";
    } catch (e) {
      if (e instanceof ThreadEnded) return { ended: e.status };
      if (e instanceof SyscallError && e.code === "ESRCH") return "handled";
      throw e;
    }
  }

  /** The thread ended or exec'd: its open is no longer pending. */
  forget(tid: number): void {
    this.pending.delete(tid);
  }

  /** Checks the open at its exit stop and settles its result. Returns the signal to deliver on resuming. */
  private atExit(tid: number, open: PendingOpen): number {
    const fd = this.arch.returnValue(tid);
    if (fd < 0) return 0; // failed as it would have natively (O_PATH adds no error of its own)
    const file = openedFile(tid, fd);
    // A FIFO or a device put in the loader's way could hold the reopen (and the tracer) forever.
    const allowed = file !== undefined && file.plain === true && loaderMayOpen(open.loader, file, this.env, open.goVersion);
    const notTheLoaders = () => (file ? `opened ${file.path}, which is not one of its files` : "opened a file that cannot be identified");
    if (this.audit) {
      if (allowed) this.letThrough(open, file);
      else this.refuse(open, notTheLoaders());
      return 0;
    }
    let calls: ExitStopCalls;
    try {
      calls = new ExitStopCalls(tid, this.arch, this.status);
    } catch (e) {
      if (!(e instanceof TracerError)) throw e;
      // No call can be made from here: the O_PATH descriptor stays, unreadable, and the open fails.
      this.arch.setReturnValue(tid, -EPERM);
      this.refuse(open, e.message);
      return 0;
    }
    const outcome: Reopened = allowed ? this.reopen(tid, calls, fd, open.flags, file) : { refused: notTheLoaders() };
    if (!("fd" in outcome)) calls.call("close", [fd]);
    calls.restore("fd" in outcome ? outcome.fd : "errno" in outcome ? -outcome.errno : -EPERM, { index: FLAGS_ARG, value: open.flags });
    if ("fd" in outcome) this.letThrough(open, file!);
    else if ("errno" in outcome) this.hooks.debug?.("std initialization: the reopen failed", { pid: open.call.pid, loader: open.loader.name, file: file!.path, errno: outcome.errno });
    else this.refuse(open, outcome.refused);
    return calls.held;
  }

  /**
   * Makes the thread open its O_PATH descriptor `fd` again with the flags the program asked for,
   * through /proc/self/fd, and close `fd`: the new descriptor, the reopen's own error (the open
   * would have failed so natively: EACCES...), or why it is refused.
   */
  private reopen(tid: number, calls: ExitStopCalls, fd: number, flags: number, checked: OpenedFile): Reopened {
    const path = new TextEncoder().encode(`/proc/self/fd/${fd}\0`);
    const at = Math.floor((calls.sp - RED_ZONE - path.length) / 16) * 16;
    let written = 0;
    try {
      written = writeRemote(tid, at, path);
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
    }
    if (written !== path.length) return { refused: `opened ${checked.path}, and the thread's stack below 0x${calls.sp.toString(16)} cannot be written to reopen it` };
    const reopened = calls.call("openat", [AT_FDCWD, at, flags, 0]);
    if (reopened < 0) return { errno: -reopened };
    // Another thread may have put another file at `fd` (close, dup2) since it was checked.
    const now = openedFile(tid, reopened);
    if (!now || now.dev !== checked.dev || now.ino !== checked.ino) {
      calls.call("close", [reopened]);
      return { refused: `opened ${checked.path}, and another file was in its place when it was reopened` };
    }
    calls.call("close", [fd]);
    return { fd: reopened };
  }

  private letThrough(open: PendingOpen, file: OpenedFile): void {
    const { pid, exe, entry, module } = open.call;
    const event: StdInitializationEvent = { pid, exe, loader: open.loader.name, file: file.path, entry, module };
    this.hooks.debug?.("std initialization", { ...event });
    this.hooks.stdInitialization?.(event);
  }

  /** A Blocked (audit: Would block) line for the open; `what` says what the loader did. */
  private refuse(open: PendingOpen, what: string): void {
    this.hooks.blocked({ ...open.call, reason: `std initialization (${open.loader.name}) ${what}` });
  }
}
