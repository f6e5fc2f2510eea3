// The capability class of a stopped syscall, from its number and the arguments in its registers:
// one row per syscall (or per argument case of one), with a reason, for every syscall the seccomp
// filter stops on either architecture, with --judge-metadata or without
// (test/confinement/classes.test.ts holds it to that). Rows are tried in order and the first that
// holds decides; "none" puts a syscall in no class, denied to every confined module. Only
// registers are read: a path, a msghdr or openat2's open_how is in memory another thread can
// rewrite, so what lives there (the path opened, a sendmsg's address) never decides. Where the
// standard library function that makes a syscall says more than the syscall does (os/exec's opens
// of /dev/null, the resolver's reads of /etc/hosts), its class comes first (STD_FUNCTION_CLASSES
// in src/confinement/std-functions.ts).
import type { ArchName } from "../arch/arch.ts";
import { syscalls as amd64Syscalls } from "../arch/amd64/syscalls.ts";
import { syscalls as arm64Syscalls } from "../arch/arm64/syscalls.ts";
import { readOnlyOpen } from "../arch/open-flags.ts";
import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  CLONE_THREAD,
  CLONE_UNTRACED,
  F_NOTIFY,
  F_SETLEASE,
  F_SETOWN,
  F_SETOWN_EX,
  F_SETSIG,
  PR_SET_MM,
  PR_SET_SECCOMP,
  TIOCLINUX,
  TIOCSTI,
} from "../seccomp/abi.ts";
import type { ArgIndex } from "../seccomp/rules.ts";
import type { CapabilityClass } from "./classes.ts";

/** A test on the low 32 bits of one argument: every argument tested is an int or a flag word the kernel reads as 32 bits. */
export type ClassCondition =
  /** open's flags ask only to read an existing file (src/arch/open-flags.ts). */
  | { kind: "readOnlyOpen"; arg: ArgIndex }
  | { kind: "oneOf"; arg: ArgIndex; values: readonly number[] }
  /** At least one bit of `bits` is set. */
  | { kind: "anyBit"; arg: ArgIndex; bits: number };

export interface SyscallClassRow {
  /** Syscall names as the kernel's tables spell them; a name one architecture lacks is skipped there. */
  names: readonly string[];
  /** The row holds only when this does; absent: always. */
  when?: ClassCondition;
  class: CapabilityClass | "none";
  reason: string;
}

const NEW_NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

/** The metadata syscalls the default filter lets through (allow.ts, `metadata`): these rows see them only with --judge-metadata. */
const METADATA_ONLY = "lstat, access, newfstatat, faccessat and faccessat2 go through without a stop by default, and reach this row only with --judge-metadata (stat and statx always do)";

export const SYSCALL_CLASSES: readonly SyscallClassRow[] = [
  // FILES/READ and FILES/WRITE: paths.
  { names: ["open"], when: { kind: "readOnlyOpen", arg: 1 }, class: "FILES/READ", reason: "read-only open of an existing file: no write access, O_CREAT, O_TRUNC or O_TMPFILE (getdents64 on its descriptor runs without a stop)" },
  { names: ["openat", "open_by_handle_at"], when: { kind: "readOnlyOpen", arg: 2 }, class: "FILES/READ", reason: "read-only open of an existing file, as open" },
  { names: ["open", "openat", "open_by_handle_at", "creat"], class: "FILES/WRITE", reason: "open with write access, O_CREAT, O_TRUNC or O_TMPFILE" },
  { names: ["openat2"], class: "FILES/WRITE", reason: "its flags are in memory (struct open_how), so it counts as a write whatever they are" },
  { names: ["stat", "lstat", "newfstatat", "statx"], class: "FILES/READ", reason: `a path's metadata; ${METADATA_ONLY}` },
  { names: ["access", "faccessat", "faccessat2"], class: "FILES/READ", reason: `whether a path exists and may be used; ${METADATA_ONLY}` },
  { names: ["readlink", "readlinkat"], class: "FILES/READ", reason: "a symbolic link's target" },
  { names: ["statfs"], class: "FILES/READ", reason: "a path's filesystem figures" },
  { names: ["getxattr", "lgetxattr", "listxattr", "llistxattr"], class: "FILES/READ", reason: "a path's extended attributes (fgetxattr on a descriptor runs without a stop)" },
  { names: ["name_to_handle_at"], class: "FILES/READ", reason: "a path's file handle, metadata only (opening it is open_by_handle_at's)" },
  { names: ["inotify_add_watch"], class: "FILES/READ", reason: "watches a path for changes: learns of other processes' file activity" },
  { names: ["statmount", "listmount"], class: "FILES/READ", reason: "the mount table, as /proc/self/mountinfo gives it" },
  { names: ["truncate"], class: "FILES/WRITE", reason: "resizes the file a path names" },
  { names: ["rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat"], class: "FILES/WRITE", reason: "changes the directory tree" },
  { names: ["unlink", "unlinkat", "rmdir", "mkdir", "mkdirat", "mknod", "mknodat"], class: "FILES/WRITE", reason: "changes the directory tree" },
  { names: ["chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat"], class: "FILES/WRITE", reason: "changes a file's mode or owner (the descriptor forms too: opened read-only, the file is still changed)" },
  { names: ["utime", "utimes", "futimesat", "utimensat"], class: "FILES/WRITE", reason: "changes a file's times" },
  { names: ["setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr"], class: "FILES/WRITE", reason: "changes a file's extended attributes" },
  { names: ["sync"], class: "FILES/WRITE", reason: "writes every filesystem's dirty data back: a write, if a harmless one" },

  // NETWORK.
  { names: ["socket"], class: "NETWORK", reason: "a new socket of any family: AF_UNIX reaches local services (Docker, D-Bus, ssh-agent), AF_NETLINK the kernel" },
  { names: ["socketpair"], class: "NETWORK", reason: "a pair in a family other than AF_UNIX (those run without a stop)" },
  { names: ["connect", "bind", "listen", "accept", "accept4"], class: "NETWORK", reason: "reaches or waits for a peer" },
  { names: ["sendto"], class: "NETWORK", reason: "sends to an address (without one it runs without a stop)" },
  { names: ["sendmsg", "sendmmsg"], class: "NETWORK", reason: "its address, if any, is in memory (msghdr.msg_name): counted as reaching a peer either way" },

  // EXEC, and clone's other cases.
  { names: ["clone"], when: { kind: "anyBit", arg: 0, bits: CLONE_UNTRACED }, class: "none", reason: "CLONE_UNTRACED: the new task would escape the tracer (no PTRACE_O_TRACECLONE attach)" },
  { names: ["clone"], when: { kind: "anyBit", arg: 0, bits: CLONE_THREAD }, class: "MODIFY_SYSTEM_STATE", reason: "a thread in new namespaces (a plain thread runs without a stop)" },
  { names: ["clone", "fork", "vfork"], class: "EXEC", reason: "a new process (os/exec's vfork), in new namespaces or not: any program EXEC runs may make its own" },
  { names: ["execve", "execveat"], class: "EXEC", reason: "runs a program, which nothing then confines" },
  { names: ["pidfd_open"], class: "EXEC", reason: "a handle on a process, as os.StartProcess and os.FindProcess keep on a child (signalling through it is MODIFY_SYSTEM_STATE)" },

  // MODIFY_SYSTEM_STATE.
  { names: ["chdir", "fchdir", "chroot"], class: "MODIFY_SYSTEM_STATE", reason: "moves the working directory or root of every thread: later relative paths of the whole program go elsewhere" },
  { names: ["umask"], class: "MODIFY_SYSTEM_STATE", reason: "changes the mode of every file the program creates later (umask 0: world-writable)" },
  { names: ["kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal"], class: "MODIFY_SYSTEM_STATE", reason: "a signal to another process or process group (to the process itself they run without a stop)" },
  { names: ["setrlimit", "prlimit64"], class: "MODIFY_SYSTEM_STATE", reason: "resource limits: setrlimit the process's own, prlimit64 another process's (its own run without a stop)" },
  { names: ["setpriority", "sched_setparam", "sched_setscheduler", "sched_setaffinity", "sched_setattr", "ioprio_set"], class: "MODIFY_SYSTEM_STATE", reason: "scheduling of the process or of others" },
  { names: ["migrate_pages", "move_pages", "process_madvise", "process_mrelease"], class: "MODIFY_SYSTEM_STATE", reason: "memory placement of the process or of others" },
  { names: ["setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", "capset"], class: "MODIFY_SYSTEM_STATE", reason: "changes the credentials of the whole process" },
  { names: ["setpgid", "setsid", "vhangup"], class: "MODIFY_SYSTEM_STATE", reason: "process groups, sessions and the controlling terminal, which job control relies on" },
  { names: ["unshare", "setns"], class: "MODIFY_SYSTEM_STATE", reason: "moves the process into other namespaces" },
  { names: ["mount", "umount2", "pivot_root", "mount_setattr", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick"], class: "MODIFY_SYSTEM_STATE", reason: "changes the mount table" },
  { names: ["settimeofday", "clock_settime", "clock_adjtime", "adjtimex"], class: "MODIFY_SYSTEM_STATE", reason: "sets or tunes the system clock (adjtimex's read-only mode is in memory)" },
  { names: ["sethostname", "setdomainname"], class: "MODIFY_SYSTEM_STATE", reason: "renames the host" },
  { names: ["reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog"], class: "MODIFY_SYSTEM_STATE", reason: "system-wide administration (privileged): power, swap, accounting, quotas, the kernel log" },
  { names: ["lsm_set_self_attr"], class: "MODIFY_SYSTEM_STATE", reason: "changes the process's own security label" },
  { names: ["prctl"], when: { kind: "oneOf", arg: 0, values: [PR_SET_SECCOMP] }, class: "none", reason: "a second seccomp filter: its USER_NOTIF outranks this filter's TRACE, so a notifier could let calls through unseen" },
  { names: ["prctl"], when: { kind: "oneOf", arg: 0, values: [PR_SET_MM] }, class: "none", reason: "PR_SET_MM_EXE_FILE repoints /proc/PID/exe, the file the tracer reads the function table from" },
  { names: ["prctl"], class: "MODIFY_SYSTEM_STATE", reason: "the process's own attributes: name, death signal, dumpable, subreaper, no_new_privs" },

  // SYSTEM_CALLS.
  { names: ["mmap", "mprotect", "pkey_mprotect"], class: "SYSTEM_CALLS", reason: "executable memory, or protection bits the filter does not know (data memory runs without a stop)" },
  { names: ["ioctl"], when: { kind: "oneOf", arg: 1, values: [TIOCSTI, TIOCLINUX] }, class: "none", reason: "types into the terminal, whose shell then runs it: a command run unseen" },
  { names: ["ioctl"], class: "SYSTEM_CALLS", reason: "a driver's own request (x/term.MakeRaw's TCSETS, device control): the read-only queries run without a stop" },
  { names: ["fcntl"], when: { kind: "oneOf", arg: 1, values: [F_SETOWN, F_SETOWN_EX, F_SETSIG, F_SETLEASE] }, class: "MODIFY_SYSTEM_STATE", reason: "aims SIGIO or another signal at a process, or stalls other processes' opens with a lease" },
  { names: ["fcntl"], when: { kind: "oneOf", arg: 1, values: [F_NOTIFY] }, class: "FILES/READ", reason: "watches a directory for changes, as inotify" },
  { names: ["fcntl"], class: "none", reason: "a command this table does not know (newer, or 32-bit only)" },
  {
    names: ["shmget", "shmat", "shmctl", "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink"],
    class: "SYSTEM_CALLS",
    reason: "System V and POSIX IPC objects shared system-wide by key or name (shmat's SHM_EXEC maps them executable); only x/sys/unix reaches them",
  },

  // In no class.
  { names: ["ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "get_robust_list"], class: "none", reason: "reads or takes over another process's memory, descriptors or kernel objects" },
  { names: ["seccomp"], class: "none", reason: "a second seccomp filter, as prctl(PR_SET_SECCOMP)" },
  { names: ["personality"], class: "none", reason: "READ_IMPLIES_EXEC makes every readable mapping executable, past the filter's PROT_EXEC check" },
  { names: ["io_uring_setup", "io_uring_enter", "io_uring_register"], class: "none", reason: "io_uring opens, connects and reads without syscalls the filter could see" },
  { names: ["userfaultfd"], class: "none", reason: "can stall the kernel's, and the tracer's, reads of the process's memory at will" },
  { names: ["bpf", "perf_event_open", "fanotify_init", "fanotify_mark"], class: "none", reason: "programs in the kernel, or watching (and with fanotify deciding) other processes' activity" },
  { names: ["add_key", "request_key", "keyctl"], class: "none", reason: "the user's kernel keyrings hold secrets (Kerberos tickets, disk keys)" },
  { names: ["init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "iopl", "ioperm", "modify_ldt"], class: "none", reason: "loads code into the kernel, or reaches the hardware or the CPU's segments directly" },
  {
    names: ["uselib", "_sysctl", "sysfs", "ustat", "lookup_dcookie", "nfsservctl", "create_module", "get_kernel_syms", "query_module", "afs_syscall", "tuxcall", "security", "vserver", "getpmsg", "putpmsg", "epoll_ctl_old", "epoll_wait_old"],
    class: "none",
    reason: "obsolete or never implemented (most return ENOSYS); Go does not use them",
  },
];

const syscallTables = { amd64: amd64Syscalls, arm64: arm64Syscalls } as const;

/** The low 32 bits of a register (0 for a missing one), or undefined when the number no longer holds them exactly (beyond 2^53). */
function low32(value: number | undefined): number | undefined {
  if (value === undefined) return 0;
  return Number.isSafeInteger(value) && value >= 0 ? value % 2 ** 32 : undefined;
}

let byName: Map<string, SyscallClassRow[]> | undefined;

/** The table's rows of each syscall, in the table's order: built once, so a stop scans only its syscall's rows. */
function rowsByName(): Map<string, SyscallClassRow[]> {
  if (!byName) {
    byName = new Map();
    for (const row of SYSCALL_CLASSES) {
      for (const name of row.names) {
        const rows = byName.get(name) ?? [];
        rows.push(row);
        byName.set(name, rows);
      }
    }
  }
  return byName;
}

/** Whether `c` holds; undefined when its argument is not known exactly. */
function holds(c: ClassCondition, args: readonly number[]): boolean | undefined {
  const v = low32(args[c.arg]);
  if (v === undefined) return undefined;
  switch (c.kind) {
    case "readOnlyOpen":
      return readOnlyOpen(v);
    case "oneOf":
      return c.values.includes(v);
    case "anyBit":
      return (v & c.bits) !== 0;
  }
}

/**
 * The class of syscall `name` with arguments `args` (registers, exact below 2^53: pass each
 * register's low 32 bits where it may be larger) on `arch`; undefined when it falls in no class,
 * when the architecture has no such syscall, or when an argument a row tests is not known exactly.
 * Only syscalls the filter stops are asked about.
 */
export function classifySyscall(arch: ArchName, name: string, args: readonly number[]): CapabilityClass | undefined {
  if (!syscallTables[arch].has(name)) return undefined;
  for (const row of rowsByName().get(name) ?? []) {
    if (row.when) {
      const held = holds(row.when, args);
      if (held === undefined) return undefined;
      if (!held) continue;
    }
    return row.class === "none" ? undefined : row.class;
  }
  return undefined;
}
