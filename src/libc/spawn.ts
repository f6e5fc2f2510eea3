// Starting processes, from libc through bun:ffi: posix_spawn without Bun's child machinery (whose
// reaper would consume the wait events the tracer needs), with default signal dispositions and
// an empty signal mask so the child does not inherit what Bun's threads block or handle, and only
// the descriptors it is given; the pipes handed to a child; execve. Bound apart from libc.ts: only
// threads that start a process pay for these bindings.
import { dlopen, FFIType } from "bun:ffi";
import { check, SyscallError } from "./libc.ts";
import { cString, cStringArray, environmentArray } from "./cstrings.ts";
import { openDescriptors } from "./descriptors.ts";

const lib = dlopen("libc.so.6", {
  posix_spawn: { args: ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr"], returns: "i32" },
  posix_spawnattr_init: { args: ["ptr"], returns: "i32" },
  posix_spawnattr_destroy: { args: ["ptr"], returns: "i32" },
  posix_spawnattr_setflags: { args: ["ptr", "i16"], returns: "i32" },
  posix_spawnattr_setsigmask: { args: ["ptr", "ptr"], returns: "i32" },
  posix_spawnattr_setsigdefault: { args: ["ptr", "ptr"], returns: "i32" },
  posix_spawn_file_actions_init: { args: ["ptr"], returns: "i32" },
  posix_spawn_file_actions_adddup2: { args: ["ptr", "i32", "i32"], returns: "i32" },
  posix_spawn_file_actions_addclose: { args: ["ptr", "i32"], returns: "i32" },
  posix_spawn_file_actions_destroy: { args: ["ptr"], returns: "i32" },
  sigemptyset: { args: ["ptr"], returns: "i32" },
  sigfillset: { args: ["ptr"], returns: "i32" },
  pipe2: { args: ["ptr", "i32"], returns: "i32" },
  execve: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  // Variadic in glibc; integer arguments pass as in a fixed-argument call.
  prctl: { args: ["i32", FFIType.u64_fast, FFIType.u64_fast, FFIType.u64_fast, FFIType.u64_fast], returns: "i32" },
  sched_setscheduler: { args: ["i32", "i32", "ptr"], returns: "i32" },
});

const fns = lib.symbols;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SIGSET_SIZE = 128;
const SPAWNATTR_SIZE = 512; // larger than glibc's posix_spawnattr_t (336 bytes)
const FILE_ACTIONS_SIZE = 256; // larger than glibc's posix_spawn_file_actions_t (80 bytes)
const O_CLOEXEC = 0o2000000;
const PR_SET_DUMPABLE = 4;
const PR_SET_NO_NEW_PRIVS = 38;
const SCHED_IDLE = 5;
/** How many descriptors other threads may open while one spawns: each takes the lowest free number. */
const OPENED_MEANWHILE = 32;

/** The descriptors a child gets besides 0, 1 and 2. */
interface ChildDescriptors {
  /** This process's, under their own numbers (those close-on-exec are closed at the child's exec). */
  keep: readonly number[];
  /** This process's under other numbers: [from, to] is dup2(from, to). */
  dup2?: readonly [number, number][];
}

/**
 * Starts `path` with the descriptors `given`, no other: every other one above stderr is closed in
 * the child before its exec, those another thread opens meanwhile too (JavaScriptCore's threads
 * open /proc/self/statm without O_CLOEXEC at any moment; one open at the spawn would reach the
 * program through the stage).
 */
export function posixSpawn(path: string, argv: readonly string[], env: Record<string, string | undefined>, given: ChildDescriptors): number {
  const attr = new Uint8Array(SPAWNATTR_SIZE);
  const actions = new Uint8Array(FILE_ACTIONS_SIZE);
  const all = new Uint8Array(SIGSET_SIZE);
  const none = new Uint8Array(SIGSET_SIZE);
  fns.posix_spawnattr_init(attr);
  fns.posix_spawn_file_actions_init(actions);
  try {
    fns.sigfillset(all);
    fns.sigemptyset(none);
    fns.posix_spawnattr_setsigdefault(attr, all);
    fns.posix_spawnattr_setsigmask(attr, none);
    fns.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    const dup2 = given.dup2 ?? [];
    for (const [from, to] of dup2) {
      const err = fns.posix_spawn_file_actions_adddup2(actions, from, to);
      if (err !== 0) throw new SyscallError(`posix_spawn_file_actions_adddup2(${from}, ${to})`, err);
    }
    for (const fd of descriptorsToClose(given.keep, dup2.map(([, to]) => to))) {
      // In the child, closing a descriptor that is not open is no error (glibc).
      const err = fns.posix_spawn_file_actions_addclose(actions, fd);
      if (err !== 0) throw new SyscallError(`posix_spawn_file_actions_addclose(${fd})`, err);
    }
    const pid = new Int32Array(1);
    const file = cString(path);
    const args = cStringArray(argv);
    const envp = environmentArray(env);
    // posix_spawn returns the error number instead of setting errno.
    const err = fns.posix_spawn(pid, file, actions, attr, args.pointer, envp.pointer);
    if (err !== 0) throw new SyscallError(`posix_spawn(${path})`, err);
    return pid[0]!;
  } finally {
    fns.posix_spawn_file_actions_destroy(actions);
    fns.posix_spawnattr_destroy(attr);
  }
}

/**
 * What a child closes before its exec: every descriptor above stderr open now but those kept and
 * the dup2 targets, and the lowest numbers free now, which another thread's opens take meanwhile.
 * A kept number that is not open now is free: kept, it would pass on whatever took it.
 */
function descriptorsToClose(keep: readonly number[], targets: readonly number[]): number[] {
  const open = new Set(openDescriptors());
  const kept = new Set([...keep.filter((fd) => open.has(fd)), ...targets]);
  const close = [...open].filter((fd) => fd > 2 && !kept.has(fd));
  for (let fd = 3, free = 0; free < OPENED_MEANWHILE; fd++) {
    if (open.has(fd)) continue;
    free++;
    if (!kept.has(fd)) close.push(fd);
  }
  return close;
}

/** A pipe, both ends close-on-exec: [read end, write end]. */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  check("pipe2", fns.pipe2(fds, O_CLOEXEC));
  return [fds[0]!, fds[1]!];
}

/**
 * Sets no_new_privs on the calling thread, which every process it starts from now on inherits,
 * across exec too: none of them can gain privileges by exec'ing a set-user-ID file.
 */
export function setNoNewPrivs(): void {
  check("prctl(PR_SET_NO_NEW_PRIVS)", fns.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

/**
 * Makes this process non-dumpable: a process of the same user can no longer ptrace it or open
 * its /proc/PID/mem (where the tracer's memory, and its ptrace rights over the program, would be
 * within a jailed program's reach). Its children get their own dumpable state at their exec.
 */
export function setNotDumpable(): void {
  check("prctl(PR_SET_DUMPABLE)", fns.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
}

/**
 * Puts thread `tid` (a process's first thread: its pid) in the idle scheduling class: it runs on
 * a CPU that nothing else wants, and the threads it starts from then on inherit the class.
 */
export function setIdleScheduling(tid: number): void {
  // struct sched_param: its one field, the priority, is 0 for the idle class.
  check("sched_setscheduler(SCHED_IDLE)", fns.sched_setscheduler(tid, SCHED_IDLE, new Int32Array(1)));
}

/** Replaces this process's image; returns only if it could not (errno says why). */
export function execve(path: string, argv: readonly string[], env: Record<string, string | undefined>): void {
  const file = cString(path);
  const args = cStringArray(argv);
  const envp = environmentArray(env);
  fns.execve(file, args.pointer, envp.pointer);
}
