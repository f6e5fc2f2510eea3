// posix_spawn from libc: starts a process without Bun's child machinery (whose reaper would
// consume the wait events the tracer needs), with default signal dispositions and an empty
// signal mask so the child does not inherit what Bun's threads block or handle.
import { SyscallError, raw } from "./libc.ts";
import { cString, cStringArray, environmentArray } from "./cstrings.ts";

const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SIGSET_SIZE = 128;
const SPAWNATTR_SIZE = 512; // larger than glibc's posix_spawnattr_t (336 bytes)
const FILE_ACTIONS_SIZE = 256; // larger than glibc's posix_spawn_file_actions_t (80 bytes)

/** Starts `path`; `dup2` lists descriptors the child gets as other numbers ([from, to]: dup2(from, to)). */
export function posixSpawn(path: string, argv: readonly string[], env: Record<string, string | undefined>, dup2: readonly [number, number][] = []): number {
  const attr = new Uint8Array(SPAWNATTR_SIZE);
  const actions = dup2.length > 0 ? new Uint8Array(FILE_ACTIONS_SIZE) : null;
  const all = new Uint8Array(SIGSET_SIZE);
  const none = new Uint8Array(SIGSET_SIZE);
  raw.posix_spawnattr_init(attr);
  if (actions) raw.posix_spawn_file_actions_init(actions);
  try {
    raw.sigfillset(all);
    raw.sigemptyset(none);
    raw.posix_spawnattr_setsigdefault(attr, all);
    raw.posix_spawnattr_setsigmask(attr, none);
    raw.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    for (const [from, to] of dup2) {
      const err = raw.posix_spawn_file_actions_adddup2(actions, from, to);
      if (err !== 0) throw new SyscallError(`posix_spawn_file_actions_adddup2(${from}, ${to})`, err);
    }
    const pid = new Int32Array(1);
    const file = cString(path);
    const args = cStringArray(argv);
    const envp = environmentArray(env);
    // posix_spawn returns the error number instead of setting errno.
    const err = raw.posix_spawn(pid, file, actions, attr, args.pointer, envp.pointer);
    if (err !== 0) throw new SyscallError(`posix_spawn(${path})`, err);
    return pid[0]!;
  } finally {
    if (actions) raw.posix_spawn_file_actions_destroy(actions);
    raw.posix_spawnattr_destroy(attr);
  }
}
