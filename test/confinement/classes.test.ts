// The capability classes (src/confinement/classes.ts), the syscall classifier
// (src/confinement/syscall-classes.ts) and the classes of std functions
// (src/confinement/std-functions.ts): the table's invariants, a class for every syscall the filter
// stops, the classifier case by case on both architectures, and the std rows against the function
// tables of real binaries.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { arches } from "../../src/arch/arches.ts";
import type { ArchName } from "../../src/arch/arch.ts";
import { CAPABILITY_CLASSES, type CapabilityClass, expandClass } from "../../src/confinement/classes.ts";
import { inGoRange, STD_FUNCTION_CLASSES, stdFunctionClass } from "../../src/confinement/std-functions.ts";
import { classifySyscall, SYSCALL_CLASSES } from "../../src/confinement/syscall-classes.ts";
import { ElfFile } from "../../src/elf/elf.ts";
import { Pclntab } from "../../src/gobin/pclntab.ts";
import { syscallActions } from "../../src/seccomp/filter.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const archNames: ArchName[] = ["amd64", "arm64"];
const enforced: CapabilityClass[] = ["FILES/READ", "FILES/WRITE", "NETWORK", "EXEC", "SYSTEM_CALLS", "MODIFY_SYSTEM_STATE"];

describe("the class table", () => {
  test("names each of the original gomodjail's classes once, in its tier", () => {
    const tiers = Object.fromEntries(CAPABILITY_CLASSES.map((c) => [c.name, c.tier]));
    expect(CAPABILITY_CLASSES.length).toBe(Object.keys(tiers).length);
    expect(tiers).toEqual({
      "FILES/READ": "deny",
      "FILES/WRITE": "deny",
      NETWORK: "deny",
      EXEC: "deny",
      SYSTEM_CALLS: "deny",
      OPERATING_SYSTEM: "deny",
      MODIFY_SYSTEM_STATE: "deny",
      CGO: "deny",
      REFLECT: "caveat",
      UNSAFE_POINTER: "caveat",
      ARBITRARY_EXECUTION: "caveat",
      UNANALYZED: "caveat",
      SAFE: "allow",
      READ_SYSTEM_STATE: "allow",
      RUNTIME: "allow",
    });
    for (const c of CAPABILITY_CLASSES) expect(c.reason.length).toBeGreaterThan(30);
  });

  test("enforces the classes a syscall can fall in, and each has a syscall row", () => {
    expect(CAPABILITY_CLASSES.filter((c) => c.enforced).map((c) => c.name)).toEqual(enforced);
    const rowClasses = new Set(SYSCALL_CLASSES.map((r) => r.class).filter((c) => c !== "none"));
    expect([...rowClasses].sort()).toEqual([...enforced].sort());
    for (const row of STD_FUNCTION_CLASSES) expect(enforced).toContain(row.class);
  });

  test("expands FILES into both FILES/ classes and knows no other name", () => {
    expect(expandClass("FILES")).toEqual(["FILES/READ", "FILES/WRITE"]);
    expect(expandClass("NETWORK")).toEqual(["NETWORK"]);
    expect(expandClass("READ_SYSTEM_STATE")).toEqual(["READ_SYSTEM_STATE"]);
    for (const unknown of ["files/read", "FILES/", "FILE", "", "CAPABILITY_NETWORK"]) expect(expandClass(unknown)).toBeUndefined();
  });
});

// What the filter stops with --judge-metadata: all it stops by default, and the metadata syscalls.
const judging = { judgeMetadata: true };

describe.each(archNames)("the %s syscall rows", (arch) => {
  const { syscalls } = arches[arch];
  const actions = syscallActions(arches[arch], undefined, judging);
  const stopped = new Set(actions.flatMap((a, nr) => (a.kind === "trace" || a.kind === "check" ? [syscalls.name(nr)!] : [])).filter((n) => n !== undefined));
  const rowNames = new Set(SYSCALL_CLASSES.flatMap((r) => r.names));

  test("cover every syscall the filter can stop", () => {
    expect([...stopped].filter((n) => !rowNames.has(n))).toEqual([]);
  });

  test("name only syscalls the filter can stop on some architecture", () => {
    const anyStopped = (n: string) => archNames.some((a) => arches[a].syscalls.has(n) && syscallActions(arches[a], undefined, judging)[arches[a].syscalls.number(n)]!.kind !== "allow");
    expect([...rowNames].filter((n) => !anyStopped(n))).toEqual([]);
    expect([...rowNames].filter((n) => !archNames.some((a) => arches[a].syscalls.has(n)))).toEqual([]);
  });
});

test("each row has a reason and names each syscall once per argument case", () => {
  for (const row of SYSCALL_CLASSES) {
    expect(row.reason.length).toBeGreaterThan(15);
    expect(new Set(row.names).size).toBe(row.names.length);
  }
  // An unconditional row ends a syscall's rows: none after it could decide.
  const ended = new Set<string>();
  for (const row of SYSCALL_CLASSES) {
    for (const n of row.names) expect({ n, after: ended.has(n) }).toEqual({ n, after: false });
    if (!row.when) for (const n of row.names) ended.add(n);
  }
});

const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_TMPFILE = 0o20200000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const AT_FDCWD = 0xffffff9c;

// (arch, syscall, arguments, class); undefined: no class.
type Case = [ArchName, string, number[], CapabilityClass | undefined];
const both = (name: string, args: number[], cls: CapabilityClass | undefined): Case[] => archNames.map((a) => [a, name, args, cls]);
const cases: Case[] = [
  ["amd64", "open", [0, O_CLOEXEC], "FILES/READ"],
  ["amd64", "open", [0, O_PATH], "FILES/READ"],
  ["amd64", "open", [0, O_WRONLY], "FILES/WRITE"],
  ["amd64", "open", [0, O_CREAT], "FILES/WRITE"],
  ["amd64", "creat", [0, 0o644], "FILES/WRITE"],
  ...both("openat", [AT_FDCWD, 0, O_CLOEXEC], "FILES/READ"),
  ...both("openat", [AT_FDCWD, 0, O_RDWR | O_CLOEXEC], "FILES/WRITE"),
  ...both("openat", [AT_FDCWD, 0, O_TRUNC], "FILES/WRITE"),
  ...both("openat", [AT_FDCWD, 0, O_TMPFILE | O_RDWR], "FILES/WRITE"),
  ...both("openat", [AT_FDCWD, 0, O_CREAT | O_WRONLY], "FILES/WRITE"),
  // The kernel reads only the low 32 bits of the flags.
  ...both("openat", [AT_FDCWD, 0, 0x1_0000_0000], "FILES/READ"),
  // Beyond 2^53 the low bits are not known: no class.
  ...both("openat", [AT_FDCWD, 0, 2 ** 63 + 2 ** 40], undefined),
  ...both("open_by_handle_at", [3, 0, 0], "FILES/READ"),
  ...both("open_by_handle_at", [3, 0, O_WRONLY], "FILES/WRITE"),
  ...both("openat2", [AT_FDCWD, 0, 0, 24], "FILES/WRITE"),
  ["amd64", "stat", [], "FILES/READ"],
  ["amd64", "lstat", [], "FILES/READ"],
  ["amd64", "access", [], "FILES/READ"],
  ["amd64", "readlink", [], "FILES/READ"],
  ...both("newfstatat", [AT_FDCWD, 0, 0, 0], "FILES/READ"),
  ...both("statx", [AT_FDCWD], "FILES/READ"),
  ...both("faccessat", [AT_FDCWD], "FILES/READ"),
  ...both("faccessat2", [AT_FDCWD], "FILES/READ"),
  ...both("readlinkat", [AT_FDCWD], "FILES/READ"),
  ...both("statfs", [], "FILES/READ"),
  ...both("getxattr", [], "FILES/READ"),
  ...both("llistxattr", [], "FILES/READ"),
  ...both("name_to_handle_at", [], "FILES/READ"),
  ...both("inotify_add_watch", [3, 0, 2], "FILES/READ"),
  ...both("listmount", [], "FILES/READ"),
  ...both("truncate", [], "FILES/WRITE"),
  ...both("renameat2", [], "FILES/WRITE"),
  ["amd64", "rename", [], "FILES/WRITE"],
  ["amd64", "symlink", [], "FILES/WRITE"],
  ...both("unlinkat", [AT_FDCWD, 0, 0x200], "FILES/WRITE"),
  ["amd64", "rmdir", [], "FILES/WRITE"],
  ...both("mkdirat", [], "FILES/WRITE"),
  ...both("mknodat", [], "FILES/WRITE"),
  ...both("fchmod", [3, 0o4755], "FILES/WRITE"),
  ...both("fchownat", [], "FILES/WRITE"),
  ["amd64", "lchown", [], "FILES/WRITE"],
  ...both("utimensat", [], "FILES/WRITE"),
  ["amd64", "utimes", [], "FILES/WRITE"],
  ...both("setxattr", [], "FILES/WRITE"),
  ...both("fremovexattr", [], "FILES/WRITE"),
  ...both("sync", [], "FILES/WRITE"),
  ...both("socket", [1 /* AF_UNIX */, 1, 0], "NETWORK"),
  ...both("socket", [2 /* AF_INET */, 1, 0], "NETWORK"),
  ...both("socket", [16 /* AF_NETLINK */, 3, 0], "NETWORK"),
  ...both("socketpair", [2, 1, 0, 0], "NETWORK"),
  ...both("connect", [3], "NETWORK"),
  ...both("bind", [3], "NETWORK"),
  ...both("listen", [3, 128], "NETWORK"),
  ["amd64", "accept", [3], "NETWORK"],
  ...both("accept4", [3], "NETWORK"),
  ...both("sendto", [3, 0x1000, 10, 0, 0xc000001000, 16], "NETWORK"),
  ...both("sendmsg", [3, 0xc000001000, 0], "NETWORK"),
  ...both("sendmmsg", [3, 0xc000001000, 2, 0], "NETWORK"),
  ...both("clone", [0x11 /* fork: SIGCHLD */], "EXEC"),
  ...both("clone", [0x4111 /* os/exec: VFORK|VM|SIGCHLD */], "EXEC"),
  ...both("clone", [0x11 | 0x10000000 /* + NEWUSER */], "EXEC"),
  ...both("clone", [0x50f00 | 0x40000000 /* a thread, + NEWNET */], "MODIFY_SYSTEM_STATE"),
  ...both("clone", [0x50f00 | 0x800000 /* a thread, + UNTRACED */], undefined),
  ...both("clone", [0x11 | 0x800000 /* fork + UNTRACED */], undefined),
  ["amd64", "fork", [], "EXEC"],
  ["amd64", "vfork", [], "EXEC"],
  ...both("execve", [], "EXEC"),
  ...both("execveat", [3, 0, 0, 0, 0x1000], "EXEC"),
  ...both("pidfd_open", [4243, 0], "EXEC"),
  ...both("chdir", [], "MODIFY_SYSTEM_STATE"),
  ...both("fchdir", [3], "MODIFY_SYSTEM_STATE"),
  ...both("chroot", [], "MODIFY_SYSTEM_STATE"),
  ...both("umask", [0], "MODIFY_SYSTEM_STATE"),
  ...both("kill", [4243, 9], "MODIFY_SYSTEM_STATE"),
  ...both("kill", [0xffffffff /* -1: every process */, 9], "MODIFY_SYSTEM_STATE"),
  ...both("tkill", [4243, 23], "MODIFY_SYSTEM_STATE"),
  ...both("tgkill", [1, 1, 9], "MODIFY_SYSTEM_STATE"),
  ...both("rt_sigqueueinfo", [1, 10, 0], "MODIFY_SYSTEM_STATE"),
  ...both("pidfd_send_signal", [3, 9, 0, 0], "MODIFY_SYSTEM_STATE"),
  ...both("setrlimit", [7, 0], "MODIFY_SYSTEM_STATE"),
  ...both("prlimit64", [1, 7, 0, 0], "MODIFY_SYSTEM_STATE"),
  ...both("setpriority", [0, 0, 10], "MODIFY_SYSTEM_STATE"),
  ...both("sched_setaffinity", [0, 8, 0], "MODIFY_SYSTEM_STATE"),
  ...both("move_pages", [0], "MODIFY_SYSTEM_STATE"),
  ...both("setuid", [0], "MODIFY_SYSTEM_STATE"),
  ...both("setgroups", [0, 0], "MODIFY_SYSTEM_STATE"),
  ...both("capset", [], "MODIFY_SYSTEM_STATE"),
  ...both("setsid", [], "MODIFY_SYSTEM_STATE"),
  ...both("unshare", [0x10000000], "MODIFY_SYSTEM_STATE"),
  ...both("mount", [], "MODIFY_SYSTEM_STATE"),
  ...both("fsopen", [], "MODIFY_SYSTEM_STATE"),
  ...both("settimeofday", [], "MODIFY_SYSTEM_STATE"),
  ...both("sethostname", [], "MODIFY_SYSTEM_STATE"),
  ...both("reboot", [], "MODIFY_SYSTEM_STATE"),
  ...both("syslog", [3, 0, 0], "MODIFY_SYSTEM_STATE"),
  ...both("lsm_set_self_attr", [], "MODIFY_SYSTEM_STATE"),
  ...both("prctl", [15 /* PR_SET_NAME */, 0], "MODIFY_SYSTEM_STATE"),
  ...both("prctl", [1 /* PR_SET_PDEATHSIG */, 9], "MODIFY_SYSTEM_STATE"),
  ...both("prctl", [22 /* PR_SET_SECCOMP */, 2, 0], undefined),
  ...both("prctl", [35 /* PR_SET_MM */, 13 /* PR_SET_MM_EXE_FILE */, 3], undefined),
  ...both("mmap", [0, 4096, 7 /* PROT_READ|WRITE|EXEC */, 0x22], "SYSTEM_CALLS"),
  ...both("mprotect", [0xc000000000, 4096, 5], "SYSTEM_CALLS"),
  ...both("pkey_mprotect", [0xc000000000, 4096, 4, 1], "SYSTEM_CALLS"),
  ["arm64", "mprotect", [0xc000000000, 4096, 0x15 /* PROT_READ|EXEC|BTI */], "SYSTEM_CALLS"],
  ...both("ioctl", [0, 0x5402 /* TCSETS */], "SYSTEM_CALLS"),
  ...both("ioctl", [0, 0x540e /* TIOCSCTTY */], "SYSTEM_CALLS"),
  ...both("ioctl", [0, 0x5412 /* TIOCSTI */], undefined),
  ...both("ioctl", [0, 0x5_0000_5412 /* TIOCSTI: the kernel reads the low 32 bits */], undefined),
  ...both("ioctl", [0, 0x541c /* TIOCLINUX */], undefined),
  ...both("fcntl", [3, 8 /* F_SETOWN */, 1], "MODIFY_SYSTEM_STATE"),
  ...both("fcntl", [3, 10 /* F_SETSIG */, 9], "MODIFY_SYSTEM_STATE"),
  ...both("fcntl", [3, 15 /* F_SETOWN_EX */], "MODIFY_SYSTEM_STATE"),
  ...both("fcntl", [3, 1024 /* F_SETLEASE */, 1], "MODIFY_SYSTEM_STATE"),
  ...both("fcntl", [3, 1026 /* F_NOTIFY */, 1], "FILES/READ"),
  ...both("fcntl", [3, 12 /* F_GETLK64: 32-bit only */], undefined),
  ...both("shmget", [0, 4096, 0o1600], "SYSTEM_CALLS"),
  ...both("shmat", [3, 0, 0o100000 /* SHM_EXEC */], "SYSTEM_CALLS"),
  ...both("mq_open", [], "SYSTEM_CALLS"),
  ...both("ptrace", [16 /* PTRACE_ATTACH */, 1], undefined),
  ...both("process_vm_writev", [1], undefined),
  ...both("pidfd_getfd", [3, 0, 0], undefined),
  ...both("get_robust_list", [1], undefined),
  ...both("seccomp", [1, 0, 0], undefined),
  ...both("personality", [0x0400000 /* READ_IMPLIES_EXEC */], undefined),
  ...both("io_uring_setup", [8, 0], undefined),
  ...both("userfaultfd", [0], undefined),
  ...both("bpf", [5], undefined),
  ...both("perf_event_open", [], undefined),
  ...both("fanotify_init", [], undefined),
  ...both("keyctl", [], undefined),
  ...both("finit_module", [3], undefined),
  ["amd64", "iopl", [3], undefined],
  ["amd64", "modify_ldt", [1], undefined],
  ["amd64", "uselib", [], undefined],
  ["amd64", "epoll_wait_old", [], undefined],
  // A name the architecture does not have.
  ["arm64", "open", [0, 0], undefined],
  ["arm64", "fork", [], undefined],
];

describe("classifySyscall", () => {
  test.each(cases)("%s %s(%p) is %s", (arch, name, args, want) => {
    expect(classifySyscall(arch, name, args)).toBe(want);
  });

  test("every row decides at least one case", () => {
    const uncovered = SYSCALL_CLASSES.filter(
      (row) => !cases.some(([arch, name, args, want]) => row.names.includes(name) && (want ?? "none") === row.class && classifySyscall(arch, name, args) === want),
    ).map((r) => `${r.names[0]} -> ${r.class}`);
    expect(uncovered).toEqual([]);
  });
});

describe("stdFunctionClass", () => {
  interface Frame {
    func: string;
    file: string;
  }
  const f = (func: string): Frame => ({ func, file: `/usr/lib/go/src/${func.split(".")[0]}/x.go` });
  const isStd = (frame: Frame) => !frame.func.startsWith("example.com/") && !frame.func.startsWith("main.");
  const confined = f("example.com/evil.Exec");

  test("takes the outermost row function of the standard library frames from the syscall out", () => {
    const start = [f("syscall.openat"), f("os.OpenFile"), f("os/exec.(*Cmd).childStdin"), f("os/exec.(*Cmd).Start"), f("os/exec.(*Cmd).Run"), confined];
    expect(stdFunctionClass(start, isStd)).toBe("EXEC");
    const child = [f("syscall.rawVforkSyscall"), f("syscall.forkAndExecInChild1"), f("syscall.forkExec"), f("os.StartProcess"), f("os/exec.(*Cmd).Start"), confined];
    expect(stdFunctionClass(child, isStd)).toBe("EXEC");
    const hosts = [f("syscall.openat"), f("os.Open"), f("net.open"), f("net.readHosts"), f("net.lookupStaticHost"), f("net.(*Resolver).goLookupIPCNAMEOrder"), f("runtime.goexit")];
    expect(stdFunctionClass(hosts, isStd)).toBe("NETWORK");
  });

  test("stops at the first frame that is not the standard library's: a callback keeps the syscall's class", () => {
    const cancel = [f("syscall.unlinkat"), f("os.Remove"), f("example.com/evil.Exec.func1"), f("os/exec.(*Cmd).watchCtx"), f("runtime.goexit")];
    expect(stdFunctionClass(cancel, isStd)).toBeUndefined();
    const own = [f("syscall.openat"), f("os.Open"), confined, f("os/exec.(*Cmd).Start")];
    expect(stdFunctionClass(own, isStd)).toBeUndefined();
  });

  test("is undefined without a row function", () => {
    expect(stdFunctionClass([f("syscall.openat"), f("os.Open"), confined], isStd)).toBeUndefined();
    expect(stdFunctionClass([], isStd)).toBeUndefined();
  });

  test("rows have reasons and name each function once", () => {
    const names = STD_FUNCTION_CLASSES.flatMap((r) => r.functions.map((x) => x.func));
    expect(new Set(names).size).toBe(names.length);
    for (const r of STD_FUNCTION_CLASSES) expect(r.reason.length).toBeGreaterThan(20);
  });
});

describe("every std class function is in the binaries of its releases", () => {
  // The jail fixture runs commands; the lazy loaders' resolves hosts, ports and protocols.
  const fixtures = ["test/fixtures/jail/app", "test/fixtures/lazyloaders/app"].map((d) => join(repoRoot, d));
  for (const go of ["1.19", "1.21", "1.27"].filter((v) => goToolchains().includes(v))) {
    test(`Go ${go}`, () => {
      const files = new Map<string, string>();
      for (const dir of fixtures) {
        const tab = Pclntab.fromElf(ElfFile.open(goBuild({ dir, go })));
        for (let i = 0; i < tab.funcCount; i++) files.set(tab.funcName(i), tab.fileLine(i, tab.funcEntry(i))?.file.replace(/.*\/src\//, "") ?? "?");
      }
      for (const row of STD_FUNCTION_CLASSES) {
        for (const fn of row.functions.filter((x) => inGoRange(x.go, `go${go}`))) {
          expect({ func: fn.func, file: files.get(fn.func) }).toEqual({ func: fn.func, file: fn.source });
        }
      }
    });
  }
});
