// The compiled filter, run on the BPF interpreter: every syscall number of both architectures,
// a table of argument cases, foreign ABIs, and random inputs against the plain reference.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { arches } from "../../src/arch/arches.ts";
import { type ArchName, hostArchName } from "../../src/arch/arch.ts";
import { encodeProgram } from "../../src/seccomp/bpf.ts";
import { buildFilter, compileFilter, DEFAULT_MODE, FilterError, type FilterMode, rulesFor } from "../../src/seccomp/filter.ts";
import { targetFilter } from "../../src/seccomp/template.ts";
import { templatesFile, templatesSource } from "../../scripts/gen-filter-templates.ts";
import { checkProgram, decode, runFilter, type SeccompData } from "../helpers/bpf-interpreter.ts";
import { referenceDecision } from "./reference.ts";

// The kernel's values, written out (linux/seccomp.h, linux/audit.h).
const ALLOW = 0x7fff0000;
const TRACE = 0x7ff00000;
const KILL_PROCESS = 0x80000000;
const ENOSYS = 0x00050000 | 38;
const X86_64 = 0xc000003e;
const AARCH64 = 0xc00000b7;
const I386 = 0x40000003;
const ARM = 0x40000028;
const X32 = 0x40000000;

const ownPid = 4242;
const archNames: ArchName[] = ["amd64", "arm64"];
const auditArch: Record<ArchName, number> = { amd64: X86_64, arm64: AARCH64 };
const programs = Object.fromEntries(archNames.map((a) => [a, decode(buildFilter(arches[a], { ownPid }))])) as Record<ArchName, ReturnType<typeof decode>>;
/** The filters of --judge-metadata, which trace the metadata syscalls too. */
const JUDGING: FilterMode = { judgeMetadata: true };
const judgingPrograms = Object.fromEntries(archNames.map((a) => [a, decode(buildFilter(arches[a], { ownPid, ...JUDGING }))])) as Record<ArchName, ReturnType<typeof decode>>;

function decideOn(arch: ArchName, nr: number, args: bigint[] = [], dataArch = auditArch[arch]): number {
  return runFilter(programs[arch], { nr, arch: dataArch, args }).action;
}

const variants: [ArchName, string, FilterMode][] = archNames.flatMap((a): [ArchName, string, FilterMode][] => [
  [a, "default", DEFAULT_MODE],
  [a, "--judge-metadata", JUDGING],
]);

describe.each(variants)("the %s filter (%s)", (arch, _label, mode) => {
  const { syscalls } = arches[arch];
  const rules = rulesFor(arches[arch], undefined, mode);
  const nr = (name: string) => syscalls.number(name);
  const program = (mode.judgeMetadata ? judgingPrograms : programs)[arch];
  const decideOn = (nr: number, args: bigint[] = [], dataArch = auditArch[arch]): number => runFilter(program, { nr, arch: dataArch, args }).action;

  test("passes the kernel loader's checks and stays small", () => {
    checkProgram(program);
    expect(program.length).toBeLessThan(400);
  });

  test("allows exactly the unconditional entries of the table, for every syscall number", () => {
    const unconditional = new Set(rules.allow.filter((r) => !r.when).map((r) => r.name));
    const conditional = new Set(rules.allow.filter((r) => r.when).map((r) => r.name));
    const failed = new Map(rules.fail.map((r) => [r.name, r.errno]));
    let allowed = 0;
    for (let n = 0; n <= syscalls.maxNumber + 64; n++) {
      const name = syscalls.name(n);
      const got = decideOn(n);
      if (name !== undefined && unconditional.has(name)) {
        expect({ name, got }).toEqual({ name, got: ALLOW });
        allowed++;
      } else if (name !== undefined && failed.has(name)) {
        expect({ name, got }).toEqual({ name, got: 0x00050000 | failed.get(name)! });
      } else if (name !== undefined && conditional.has(name)) {
        // With all-zero arguments the outcome depends on the condition; the table test covers these.
        expect([ALLOW, TRACE]).toContain(got);
      } else {
        expect({ n, name, got }).toEqual({ n, name, got: TRACE });
      }
    }
    expect(allowed).toBe(unconditional.size);
  });

  test("traces numbers past the table and huge numbers", () => {
    for (const n of [syscalls.maxNumber + 1, 1000, 0x3fffffff]) expect(decideOn(n)).toBe(TRACE);
  });

  test("kills the process for a foreign architecture, whatever the syscall", () => {
    const foreign = [I386, ARM, arch === "amd64" ? AARCH64 : X86_64, 0, 0xffffffff];
    for (const a of foreign) {
      for (const n of [0, nr("read"), nr("openat"), nr("execve"), 11, 0x40000000]) {
        expect(decideOn(n, [], a)).toBe(KILL_PROCESS);
      }
    }
  });

  test("agrees with the reference decision on 20000 random inputs", () => {
    let seed = arch === "amd64" ? 0x9e3779b9 : 0x85ebca6b;
    const rand = (): number => {
      // xorshift32: reproducible, so a failure names its input.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const interesting = [0n, 1n, BigInt(ownPid), BigInt(ownPid + 1), 0x5401n, 0x5412n, 0x5413n, 0x541bn, 0x10000n, 0x50f00n, 0x3d0f00n, 0x11n, 8n, 1030n, 2n, 3n, 4n, 5n, 7n];
    const arg = (): bigint => {
      const r = rand() % 4;
      if (r === 0) return interesting[rand() % interesting.length];
      if (r === 1) return interesting[rand() % interesting.length] | (BigInt(rand()) << 32n);
      if (r === 2) return BigInt(rand());
      return (BigInt(rand()) << 32n) | BigInt(rand());
    };
    const conditional = rules.allow.filter((r) => r.when).map((r) => nr(r.name));
    for (let i = 0; i < 20000; i++) {
      const pick = rand() % 10;
      const n =
        pick < 4 ? conditional[rand() % conditional.length]
        : pick < 7 ? rand() % (syscalls.maxNumber + 32)
        : pick < 8 ? (X32 | rand() % 600) >>> 0
        : rand();
      const dataArch = rand() % 20 === 0 ? [I386, ARM, X86_64, AARCH64][rand() % 4] : auditArch[arch];
      const data: SeccompData = { nr: n, arch: dataArch, instructionPointer: BigInt(rand()), args: [arg(), arg(), arg(), arg(), arg(), arg()] };
      const got = runFilter(program, data).action;
      const want = referenceDecision(arch, data, ownPid, mode);
      if (got !== want) throw new Error(`input ${i} ${JSON.stringify(data, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
    }
  });

  test("reaches a decision for any syscall within the binary search's depth", () => {
    let worst = 0;
    for (let n = 0; n <= syscalls.maxNumber + 1; n++) {
      worst = Math.max(worst, runFilter(program, { nr: n, arch: auditArch[arch] }).steps);
    }
    // arch load+check, nr load, x32 check, ~log2(ranges) comparisons, an argument check.
    expect(worst).toBeLessThanOrEqual(20);
  });
});

describe("the x32 ABI", () => {
  test("fails with ENOSYS on amd64 for every x32 number, without a stop", () => {
    for (let n = 0; n < 1024; n++) expect(decideOn("amd64", (X32 | n) >>> 0)).toBe(ENOSYS);
    expect(decideOn("amd64", 0xffffffff)).toBe(ENOSYS);
  });

  test("means nothing on arm64: such numbers are unknown and traced", () => {
    expect(decideOn("arm64", (X32 | 63) >>> 0)).toBe(TRACE);
  });
});

// (arch, syscall, arguments, expected action), as libseccomp's tests are written.
const actionNames = { ALLOW, TRACE, ENOSYS };
const SIGURG = 23n;
const pid = BigInt(ownPid);
const cases: [ArchName, string, bigint[], keyof typeof actionNames][] = [
  ["amd64", "read", [0n, 0n, 0n], "ALLOW"],
  ["amd64", "mmap", [0n, 4096n, 3n /* PROT_READ|WRITE */, 0x22n], "ALLOW"],
  ["amd64", "mmap", [0n, 4096n, 0n /* PROT_NONE */, 0x22n], "ALLOW"],
  ["amd64", "mmap", [0n, 4096n, 1n /* PROT_READ */, 2n, 3n], "ALLOW"],
  ["amd64", "mmap", [0n, 4096n, 7n /* PROT_READ|WRITE|EXEC */, 0x22n], "TRACE"],
  ["amd64", "mmap", [0n, 4096n, 5n /* PROT_READ|EXEC */, 2n, 3n], "TRACE"],
  ["amd64", "mmap", [0n, 4096n, 4n /* PROT_EXEC */, 0x22n], "TRACE"],
  ["amd64", "mmap", [0n, 4096n, 0x1000000n /* PROT_GROWSDOWN */, 0x22n], "TRACE"],
  ["amd64", "mprotect", [0xc000000000n, 4096n, 3n], "ALLOW"],
  ["amd64", "mprotect", [0xc000000000n, 4096n, 0n], "ALLOW"],
  ["amd64", "mprotect", [0xc000000000n, 4096n, 5n /* PROT_READ|EXEC */], "TRACE"],
  ["amd64", "mprotect", [0xc000000000n, 4096n, 7n], "TRACE"],
  ["amd64", "pkey_mprotect", [0xc000000000n, 4096n, 3n, 1n], "ALLOW"],
  ["amd64", "pkey_mprotect", [0xc000000000n, 4096n, 4n, 1n], "TRACE"],
  ["amd64", "openat", [0xffffff9cn, 0x1000n, 0n], "TRACE"],
  ["amd64", "ioctl", [0n, 0x5401n /* TCGETS */], "ALLOW"],
  ["amd64", "ioctl", [1n, 0x5413n /* TIOCGWINSZ */], "ALLOW"],
  ["amd64", "ioctl", [3n, 0x541bn /* FIONREAD */], "ALLOW"],
  ["amd64", "ioctl", [0n, 0x5412n /* TIOCSTI */], "TRACE"],
  ["amd64", "ioctl", [0n, 0x5402n /* TCSETS */], "TRACE"],
  ["amd64", "ioctl", [0n, 0x540en /* TIOCSCTTY */], "TRACE"],
  ["amd64", "ioctl", [0n, 0xdead00005401n /* the kernel reads only the low 32 bits */], "ALLOW"],
  ["amd64", "tgkill", [pid, 4243n, SIGURG], "ALLOW"],
  ["amd64", "tgkill", [pid | (1n << 32n), 4243n, SIGURG], "ALLOW"],
  ["amd64", "tgkill", [pid + 1n, 4243n, SIGURG], "TRACE"],
  ["amd64", "tgkill", [1n, 1n, 9n], "TRACE"],
  ["amd64", "tkill", [pid, 23n], "TRACE"],
  ["amd64", "kill", [pid, 0n], "ALLOW"],
  ["amd64", "kill", [0n, 9n], "TRACE"],
  ["amd64", "kill", [0xffffffffn /* -1 */, 9n], "TRACE"],
  ["amd64", "kill", [BigInt.asUintN(64, -pid), 9n], "TRACE"],
  ["amd64", "rt_sigqueueinfo", [pid, 10n, 0n], "ALLOW"],
  ["amd64", "rt_tgsigqueueinfo", [1n, 1n, 10n, 0n], "TRACE"],
  ["amd64", "clone", [0x50f00n /* Go's runtime.newosproc */], "ALLOW"],
  ["amd64", "clone", [0x3d0f00n /* glibc pthread_create */], "ALLOW"],
  ["amd64", "clone", [0x11n /* fork: SIGCHLD */], "TRACE"],
  ["amd64", "clone", [0x4111n /* os/exec: VFORK|VM|SIGCHLD */], "TRACE"],
  ["amd64", "clone", [0x50f00n | 0x40000000n /* + NEWNET */], "TRACE"],
  ["amd64", "clone", [0x50f00n | 0x10000000n /* + NEWUSER */], "TRACE"],
  ["amd64", "clone", [0x50f00n | 0x800000n /* + UNTRACED */], "TRACE"],
  ["amd64", "clone3", [0n, 88n], "ENOSYS"],
  ["amd64", "fork", [], "TRACE"],
  ["amd64", "vfork", [], "TRACE"],
  ["amd64", "execve", [], "TRACE"],
  ["amd64", "fcntl", [3n, 3n /* F_GETFL */], "ALLOW"],
  ["amd64", "fcntl", [3n, 4n /* F_SETFL */, 0x800n], "ALLOW"],
  ["amd64", "fcntl", [3n, 1030n /* F_DUPFD_CLOEXEC */], "ALLOW"],
  ["amd64", "fcntl", [3n, 1033n /* F_ADD_SEALS */], "ALLOW"],
  ["amd64", "fcntl", [3n, 8n /* F_SETOWN */, 1n], "TRACE"],
  ["amd64", "fcntl", [3n, 10n /* F_SETSIG */, 9n], "TRACE"],
  ["amd64", "fcntl", [3n, 15n /* F_SETOWN_EX */], "TRACE"],
  ["amd64", "fcntl", [3n, 1024n /* F_SETLEASE */], "TRACE"],
  ["amd64", "fcntl", [3n, 1026n /* F_NOTIFY */], "TRACE"],
  ["amd64", "fcntl", [3n, 12n /* F_GETLK64: 32-bit only */], "TRACE"],
  ["amd64", "prlimit64", [0n, 7n, 0n, 0n], "ALLOW"],
  ["amd64", "prlimit64", [pid, 7n, 0n, 0n], "ALLOW"],
  ["amd64", "prlimit64", [1n, 7n, 0n, 0n], "TRACE"],
  ["amd64", "sendto", [3n, 0x1000n, 10n, 0n, 0n, 0n], "ALLOW"],
  ["amd64", "sendto", [3n, 0x1000n, 10n, 0n, 0xc000001000n, 16n], "TRACE"],
  ["amd64", "sendto", [3n, 0x1000n, 10n, 0n, 0x7f0000000000n /* low half 0 */, 16n], "TRACE"],
  ["amd64", "socketpair", [1n /* AF_UNIX */, 1n, 0n, 0n], "ALLOW"],
  ["amd64", "socketpair", [2n /* AF_INET */, 1n, 0n, 0n], "TRACE"],
  ["amd64", "socket", [1n, 1n, 0n], "TRACE"],
  ["amd64", "connect", [3n], "TRACE"],
  ["amd64", "bind", [3n], "TRACE"],
  ["amd64", "listen", [3n], "TRACE"],
  ["amd64", "accept4", [3n], "TRACE"],
  ["amd64", "sendmsg", [3n], "TRACE"],
  ["amd64", "seccomp", [1n], "TRACE"],
  ["amd64", "prctl", [38n, 1n], "TRACE"],
  ["amd64", "ptrace", [16n], "TRACE"],
  ["amd64", "pidfd_open", [pid, 0n], "TRACE"],
  ["amd64", "io_uring_setup", [8n, 0n], "TRACE"],
  ["amd64", "setuid", [0n], "TRACE"],
  ["amd64", "fchmod", [3n, 0o4777n], "TRACE"],
  ["amd64", "fchdir", [3n], "TRACE"],
  ["amd64", "umask", [0n], "TRACE"],
  ["arm64", "fchdir", [3n], "TRACE"],
  ["arm64", "umask", [0n], "TRACE"],
  ["amd64", "arch_prctl", [0x1002n, 0n], "ALLOW"],
  ["arm64", "read", [0n], "ALLOW"],
  ["arm64", "openat", [0xffffff9cn], "TRACE"],
  ["arm64", "ioctl", [0n, 0x5401n], "ALLOW"],
  ["arm64", "ioctl", [0n, 0x5412n], "TRACE"],
  ["arm64", "tgkill", [pid, 4243n, SIGURG], "ALLOW"],
  ["arm64", "tgkill", [pid + 1n, 4243n, SIGURG], "TRACE"],
  ["arm64", "clone", [0x50f00n], "ALLOW"],
  ["arm64", "clone", [0x11n], "TRACE"],
  ["arm64", "clone3", [0n, 88n], "ENOSYS"],
  ["arm64", "fcntl", [3n, 2n /* F_SETFD */], "ALLOW"],
  ["arm64", "fcntl", [3n, 8n], "TRACE"],
  ["arm64", "prlimit64", [0n], "ALLOW"],
  ["arm64", "sendto", [3n, 0n, 0n, 0n, 0x1000n], "TRACE"],
  ["arm64", "execve", [], "TRACE"],
  ["arm64", "newfstatat", [3n], "ALLOW"],
  ["arm64", "readlinkat", [0xffffff9cn], "TRACE"],
  ["arm64", "fstat", [3n], "ALLOW"],
  ["arm64", "mmap", [0n, 4096n, 3n /* PROT_READ|WRITE */, 0x22n], "ALLOW"],
  ["arm64", "mmap", [0n, 4096n, 0n /* PROT_NONE */, 0x22n], "ALLOW"],
  ["arm64", "mmap", [0n, 4096n, 7n /* PROT_READ|WRITE|EXEC */, 0x22n], "TRACE"],
  ["arm64", "mmap", [0n, 4096n, 5n /* PROT_READ|EXEC */, 2n, 3n], "TRACE"],
  ["arm64", "mmap", [0n, 4096n, 0x23n /* PROT_READ|WRITE|MTE */, 0x22n], "TRACE"],
  ["arm64", "mprotect", [0xc000000000n, 4096n, 1n], "ALLOW"],
  ["arm64", "mprotect", [0xc000000000n, 4096n, 0x15n /* PROT_READ|EXEC|BTI */], "TRACE"],
  ["arm64", "pkey_mprotect", [0xc000000000n, 4096n, 2n, 1n], "ALLOW"],
  ["arm64", "pkey_mprotect", [0xc000000000n, 4096n, 5n, 1n], "TRACE"],
];

describe("argument checks", () => {
  test.each(cases)("%s %s(%p) is %s", (arch, name, args, wantName) => {
    const n = arches[arch].syscalls.number(name);
    const want = actionNames[wantName].toString(16);
    expect(decideOn(arch, n, args).toString(16)).toBe(want);
    expect(referenceDecision(arch, { nr: n, arch: auditArch[arch], args }, ownPid).toString(16)).toBe(want);
  });

  test("compare the pid with the pid the filter was built for", () => {
    const other = decode(buildFilter(arches.amd64, { ownPid: 777 }));
    const tgkill = arches.amd64.syscalls.number("tgkill");
    expect(runFilter(other, { nr: tgkill, arch: X86_64, args: [777n, 778n, SIGURG] }).action).toBe(ALLOW);
    expect(runFilter(other, { nr: tgkill, arch: X86_64, args: [pid, 778n, SIGURG] }).action).toBe(TRACE);
  });
});

describe("the metadata syscalls", () => {
  const AT_FDCWD = 0xffffff9cn;
  const AT_SYMLINK_NOFOLLOW = 0x100n;
  const X_OK = 1n;
  // (arch, syscall, arguments as Go's os.Stat, os.Lstat, unix.Access and exec.LookPath pass them)
  const metadataCalls: [ArchName, string, bigint[]][] = [
    ["amd64", "lstat", [0xc000010000n, 0xc000020000n]],
    ["amd64", "access", [0xc000010000n, X_OK]],
    ...archNames.flatMap((a): [ArchName, string, bigint[]][] => [
      [a, "newfstatat", [AT_FDCWD, 0xc000010000n, 0xc000020000n, 0n]],
      [a, "newfstatat", [AT_FDCWD, 0xc000010000n, 0xc000020000n, AT_SYMLINK_NOFOLLOW]],
      [a, "newfstatat", [3n, 0xc000010000n, 0xc000020000n, 0n]],
      [a, "faccessat", [AT_FDCWD, 0xc000010000n, X_OK]],
      [a, "faccessat2", [AT_FDCWD, 0xc000010000n, X_OK, 0x200n /* AT_EACCESS */]],
    ]),
  ];
  const judge = (arch: ArchName, name: string, args: bigint[]) => runFilter(judgingPrograms[arch], { nr: arches[arch].syscalls.number(name), arch: auditArch[arch], args }).action;

  test.each(metadataCalls)("%s %s(%p): ALLOW by default, TRACE with --judge-metadata", (arch, name, args) => {
    const n = arches[arch].syscalls.number(name);
    expect(decideOn(arch, n, args)).toBe(ALLOW);
    expect(judge(arch, name, args)).toBe(TRACE);
    expect(referenceDecision(arch, { nr: n, arch: auditArch[arch], args }, ownPid)).toBe(ALLOW);
    expect(referenceDecision(arch, { nr: n, arch: auditArch[arch], args }, ownPid, JUDGING)).toBe(TRACE);
  });

  test.each(archNames)("%s: readlink, which returns content, and stat and statx stay TRACE either way", (arch) => {
    for (const name of ["readlink", "readlinkat", "stat", "statx", "openat"].filter((n) => arches[arch].syscalls.has(n))) {
      const n = arches[arch].syscalls.number(name);
      expect({ name, got: decideOn(arch, n, [AT_FDCWD, 0xc000010000n]) }).toEqual({ name, got: TRACE });
      expect({ name, got: judge(arch, name, [AT_FDCWD, 0xc000010000n]) }).toEqual({ name, got: TRACE });
    }
  });

  test.each(archNames)("%s: the two filters differ only on the metadata syscalls", (arch) => {
    const { syscalls } = arches[arch];
    const differ: string[] = [];
    for (let n = 0; n <= syscalls.maxNumber + 1; n++) {
      for (const args of [[], [AT_FDCWD, 0n, 0n, 0n], [pid, 0n, 3n, 0n, 0n]]) {
        if (decideOn(arch, n, args) !== runFilter(judgingPrograms[arch], { nr: n, arch: auditArch[arch], args }).action) differ.push(syscalls.name(n) ?? `${n}`);
      }
    }
    expect([...new Set(differ)].sort()).toEqual((arch === "amd64" ? ["access", "faccessat", "faccessat2", "lstat", "newfstatat"] : ["faccessat", "faccessat2", "newfstatat"]).sort());
  });
});

describe("buildFilter", () => {
  test("refuses a pid that is not a positive pid_t (0 would let kill(0, sig) reach the process group)", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31, Infinity]) {
      expect(() => buildFilter(arches.amd64, { ownPid: bad })).toThrow(FilterError);
    }
  });


  test("returns struct sock_filter bytes, 8 per instruction", () => {
    const bytes = buildFilter(arches.arm64, { ownPid });
    expect(bytes.length).toBe(compileFilter(arches.arm64, { ownPid }).length * 8);
    // The first instruction loads seccomp_data.arch: BPF_LD|BPF_W|BPF_ABS, k = 4.
    expect([...bytes.subarray(0, 8)]).toEqual([0x20, 0, 0, 0, 4, 0, 0, 0]);
  });
});

describe("the compiled templates (src/seccomp/templates.ts)", () => {
  test("hold the allow table as it is (else run: bun scripts/gen-filter-templates.ts)", () => {
    expect(readFileSync(templatesFile, "utf8")).toBe(templatesSource());
  });

  test("give, filled with a pid, the filter compiled for that pid, whatever the pid's neighbours", () => {
    // 1 sits next to prlimit64's 0: compiled as one range, the shape would change with the pid.
    for (const pid of [1, 2, 4242, 0x7fffffff]) {
      expect(targetFilter(pid)).toEqual(encodeProgram(compileFilter(arches[hostArchName()], { ownPid: pid })));
    }
  });

  test("give the --judge-metadata filter, filled with a pid, as compiled for that pid", () => {
    for (const pid of [1, 4242, 0x7fffffff]) {
      expect(targetFilter(pid, true)).toEqual(encodeProgram(compileFilter(arches[hostArchName()], { ownPid: pid, ...JUDGING })));
      expect(targetFilter(pid, true)).not.toEqual(targetFilter(pid));
    }
  });

  test("refuse a pid that is not a positive pid_t", () => {
    expect(() => targetFilter(0)).toThrow(FilterError);
    expect(() => targetFilter(0, true)).toThrow(FilterError);
  });
});
