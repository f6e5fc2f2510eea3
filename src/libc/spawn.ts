// posix_spawn from libc: starts a process without Bun's child machinery (whose reaper would
// consume the wait events the tracer needs), with default signal dispositions and an empty
// signal mask so the child does not inherit what Bun's threads block or handle.
import { SyscallError, raw } from "./libc.ts";
import { cString, cStringArray, environmentArray } from "./cstrings.ts";

const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SIGSET_SIZE = 128;
const SPAWNATTR_SIZE = 512; // larger than glibc's posix_spawnattr_t (336 bytes)

export function posixSpawn(path: string, argv: readonly string[], env: Record<string, string | undefined>): number {
  const attr = new Uint8Array(SPAWNATTR_SIZE);
  const all = new Uint8Array(SIGSET_SIZE);
  const none = new Uint8Array(SIGSET_SIZE);
  raw.posix_spawnattr_init(attr);
  try {
    raw.sigfillset(all);
    raw.sigemptyset(none);
    raw.posix_spawnattr_setsigdefault(attr, all);
    raw.posix_spawnattr_setsigmask(attr, none);
    raw.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    const pid = new Int32Array(1);
    const file = cString(path);
    const args = cStringArray(argv);
    const envp = environmentArray(env);
    // posix_spawn returns the error number instead of setting errno.
    const err = raw.posix_spawn(pid, file, null, attr, args.pointer, envp.pointer);
    if (err !== 0) throw new SyscallError(`posix_spawn(${path})`, err);
    return pid[0]!;
  } finally {
    raw.posix_spawnattr_destroy(attr);
  }
}
