// The generated syscall tables and the hand-written allow table: known numbers, both directions
// of lookup, how the one table maps onto each architecture, and the policy invariants a change
// to the allow table must not break.
import { describe, expect, test } from "bun:test";
import * as amd64 from "../../src/arch/amd64/syscalls.ts";
import { arches } from "../../src/arch/arches.ts";
import type { ArchName } from "../../src/arch/name.ts";
import * as arm64 from "../../src/arch/arm64/syscalls.ts";
import { SyscallTable, UnknownSyscallError } from "../../src/arch/syscall-table.ts";
import { allowTable } from "../../src/seccomp/allow.ts";
import { FilterError, rulesFor, syscallActions } from "../../src/seccomp/filter.ts";
import { type AllowTable, dataProtection } from "../../src/seccomp/rules.ts";

describe("syscall tables", () => {
  test("amd64 numbers are the x86_64 ABI's, through mseal (462)", () => {
    const known: [string, number][] = [
      ["read", 0], ["open", 2], ["ioctl", 16], ["clone", 56], ["fork", 57], ["execve", 59], ["kill", 62],
      ["fcntl", 72], ["arch_prctl", 158], ["futex", 202], ["tgkill", 234], ["openat", 257],
      ["newfstatat", 262], ["prlimit64", 302], ["seccomp", 317], ["rseq", 334], ["pidfd_send_signal", 424],
      ["clone3", 435], ["futex_waitv", 449], ["mseal", 462],
    ];
    for (const [name, nr] of known) {
      expect(amd64.syscallNumber(name)).toBe(nr);
      expect(amd64.syscallNames[nr]).toBe(name);
    }
    expect(amd64.syscalls.maxNumber).toBe(462);
    expect(amd64.syscallNames.filter((n) => n !== undefined).length).toBe(375);
  });

  test("arm64 numbers are the asm-generic table's, through mseal (462)", () => {
    const known: [string, number][] = [
      ["io_setup", 0], ["getcwd", 17], ["fcntl", 25], ["ioctl", 29], ["openat", 56], ["read", 63],
      ["newfstatat", 79], ["fstat", 80], ["exit_group", 94], ["futex", 98], ["kill", 129], ["tgkill", 131],
      ["clone", 220], ["execve", 221], ["mmap", 222], ["wait4", 260], ["prlimit64", 261], ["clone3", 435],
      ["mseal", 462],
    ];
    for (const [name, nr] of known) {
      expect(arm64.syscallNumber(name)).toBe(nr);
      expect(arm64.syscallNames[nr]).toBe(name);
    }
    expect(arm64.syscalls.maxNumber).toBe(462);
    expect(arm64.syscallNames.filter((n) => n !== undefined).length).toBe(318);
  });

  test("unassigned numbers have no name; unknown names are a typed error", () => {
    expect(amd64.syscallNames[400]).toBeUndefined();
    expect(arm64.syscallNames[250]).toBeUndefined();
    expect(amd64.syscalls.name(-1)).toBeUndefined();
    expect(amd64.syscalls.name(1.5)).toBeUndefined();
    expect(amd64.syscalls.name(100000)).toBeUndefined();
    // arm64 has only the *at forms.
    for (const legacy of ["open", "stat", "fork", "pipe", "dup2", "epoll_wait"]) {
      expect(() => arm64.syscallNumber(legacy)).toThrow(UnknownSyscallError);
    }
    expect(() => amd64.syscallNumber("no_such_call")).toThrow(UnknownSyscallError);
  });
});

const archNames: ArchName[] = ["amd64", "arm64"];

/** Syscalls that reach outside the process: never allowed without an argument check or a stop. */
const mustTrace = [
  "open", "openat", "openat2", "creat", "stat", "statx", "readlink", "readlinkat", "chdir", "fchdir", "chroot", "umask", "truncate", "unlink", "unlinkat", "rename",
  "renameat", "renameat2", "mkdir", "mkdirat", "symlink", "symlinkat", "link", "linkat", "mknod", "mknodat",
  "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "utimensat",
  "setxattr", "fsetxattr", "removexattr", "fremovexattr", "inotify_add_watch", "name_to_handle_at",
  "open_by_handle_at", "socket", "connect", "bind", "listen", "accept", "accept4", "sendmsg", "sendmmsg",
  "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
  "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_madvise", "tkill", "setuid", "setgid",
  "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid", "capset",
  "setpgid", "setsid", "unshare", "setns", "mount", "umount2", "pivot_root", "mount_setattr", "open_tree",
  "move_mount", "fsopen", "fsmount", "fspick", "seccomp", "prctl", "personality", "bpf", "perf_event_open",
  "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "shmget", "shmat", "msgget",
  "semget", "mq_open", "mq_unlink", "add_key", "request_key", "keyctl", "init_module", "finit_module",
  "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "sethostname",
  "setdomainname", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "syslog", "acct",
  "quotactl", "fanotify_init", "fanotify_mark", "setpriority", "sched_setaffinity", "sched_setscheduler",
  "sched_setparam", "sched_setattr", "ioprio_set", "migrate_pages", "move_pages", "get_robust_list",
  "modify_ldt", "iopl", "ioperm", "vhangup", "lsm_set_self_attr", "statmount", "listmount",
];

/**
 * Whether a path exists and its metadata, nothing read: let through by default, as by the original
 * gomodjail, and traced with --judge-metadata. stat (amd64) and statx are not on the list.
 */
const metadata = ["lstat", "access", "newfstatat", "faccessat", "faccessat2"];

/** The Go runtime's everyday calls: a stop on any of these would make every program crawl. */
const mustAllow = [
  "read", "write", "close", "fstat", "lseek", "munmap", "madvise", "futex",
  "clock_gettime", "nanosleep", "sched_yield", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
  "sigaltstack", "getpid", "gettid", "exit", "exit_group", "epoll_create1", "epoll_ctl", "epoll_pwait",
  "pipe2", "eventfd2", "getrandom", "sched_getaffinity", "getdents64", "pread64", "pwrite64", "readv",
  "writev", "dup3", "memfd_create", "wait4", "waitid", "getcwd", "getuid", "geteuid", "uname", "rseq",
];

describe.each(archNames)("the %s allow table", (arch) => {
  const { syscalls } = arches[arch];
  const rules = rulesFor(arches[arch]);
  const actions = syscallActions(arches[arch]);
  const actionOf = (name: string) => actions[syscalls.number(name)];

  test("names only syscalls the architecture has, each once, each with a reason", () => {
    // syscallActions throws on an unknown or repeated name.
    expect(actions.length).toBe(syscalls.maxNumber + 1);
    for (const rule of [...rules.allow, ...rules.fail]) expect(rule.why.length).toBeGreaterThan(10);
  });

  test("traces every syscall that reaches outside the process", () => {
    for (const name of mustTrace.filter((n) => syscalls.has(n))) {
      expect({ name, action: actionOf(name).kind }).toEqual({ name, action: "trace" });
    }
  });

  test("lets the metadata syscalls through by default, and marks exactly those as metadata", () => {
    for (const name of metadata.filter((n) => syscalls.has(n))) expect({ name, action: actionOf(name).kind }).toEqual({ name, action: "allow" });
    expect(rules.allow.filter((r) => r.metadata).map((r) => r.name)).toEqual(metadata.filter((n) => syscalls.has(n)));
    expect(metadata.filter((n) => syscalls.has(n))).toEqual(arch === "amd64" ? metadata : ["newfstatat", "faccessat", "faccessat2"]);
  });

  test("with --judge-metadata traces the metadata syscalls too, and changes nothing else", () => {
    const judged = syscallActions(arches[arch], undefined, { judgeMetadata: true });
    const changed = actions.flatMap((a, nr) => (JSON.stringify(a) === JSON.stringify(judged[nr]) ? [] : [syscalls.name(nr)]));
    expect(changed.sort()).toEqual(metadata.filter((n) => syscalls.has(n)).sort());
    for (const name of [...mustTrace, ...metadata].filter((n) => syscalls.has(n))) {
      expect({ name, action: judged[syscalls.number(name)]!.kind }).toEqual({ name, action: "trace" });
    }
  });

  test("lets the Go runtime's everyday syscalls through without a stop", () => {
    for (const name of mustAllow) expect({ name, action: actionOf(name).kind }).toEqual({ name, action: "allow" });
  });

  test("checks the arguments of ioctl, fcntl, clone, the signal calls, prlimit64, sendto, socketpair and the memory protection calls", () => {
    const checked = rules.allow.filter((r) => r.when).map((r) => r.name).sort();
    expect(checked).toEqual([
      "clone", "fcntl", "ioctl", "kill", "mmap", "mprotect", "pkey_mprotect", "prlimit64", "rt_sigqueueinfo",
      "rt_tgsigqueueinfo", "sendto", "socketpair", "tgkill",
    ]);
  });

  test("lets data mappings through without a stop and checks mmap, mprotect and pkey_mprotect for PROT_EXEC", () => {
    for (const name of ["mmap", "mprotect", "pkey_mprotect"]) {
      expect({ name, action: actionOf(name) }).toEqual({ name, action: { kind: "check", when: dataProtection } });
    }
    // prot is argument 2; Go's runtime uses PROT_NONE and PROT_READ|PROT_WRITE; none has PROT_EXEC (4).
    expect(dataProtection).toEqual({ kind: "oneOf", arg: 2, values: [0, 1, 2, 3] });
  });
});

test("amd64 and arm64 decide every syscall they share the same way", () => {
  const a = syscallActions(arches.amd64);
  const b = syscallActions(arches.arm64);
  const differences: string[] = [];
  for (const name of arches.amd64.syscalls.names) {
    if (name === undefined || !arches.arm64.syscalls.has(name)) continue;
    const x = JSON.stringify(a[arches.amd64.syscalls.number(name)]);
    const y = JSON.stringify(b[arches.arm64.syscalls.number(name)]);
    if (x !== y) differences.push(`${name}: amd64 ${x}, arm64 ${y}`);
  }
  expect(differences).toEqual([]);
});

describe("one table for both architectures", () => {
  test("every entry is on arm64 but the amd64-only ones, which arm64 lacks", () => {
    const amd64Only = allowTable.allow.filter((r) => r.only === "amd64").map((r) => r.name);
    expect(amd64Only.filter((n) => arches.arm64.syscalls.has(n))).toEqual([]);
    expect(rulesFor(arches.arm64).allow.length).toBe(allowTable.allow.length - amd64Only.length);
    expect(rulesFor(arches.amd64).allow.length).toBe(allowTable.allow.length);
    expect(allowTable.allow.filter((r) => r.only === "arm64")).toEqual([]);
  });

  // A made-up architecture with three syscalls, for the errors.
  const tiny = { ...arches.arm64, syscalls: new SyscallTable("arm64", ["read", "write", "poll"]) };
  const table = (allow: AllowTable["allow"]): AllowTable => ({ allow, fail: [] });

  test("a name the architecture lacks, not marked for another, is a typed error", () => {
    expect(() => syscallActions(tiny, table([{ name: "read", why: "r" }, { name: "dup2", why: "d" }]))).toThrow(UnknownSyscallError);
  });

  test("an entry marked for another architecture is skipped, unless this one has it too", () => {
    const actions = syscallActions(tiny, table([{ name: "read", why: "r" }, { name: "dup2", only: "amd64", why: "d" }]));
    expect(actions.map((a) => a.kind)).toEqual(["allow", "trace", "trace"]);
    expect(() => syscallActions(tiny, table([{ name: "poll", only: "amd64", why: "p" }]))).toThrow(FilterError);
  });
});
