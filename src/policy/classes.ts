// The capability classes a confined module may be allowed (`// gomodjail:confined allow=FILES/READ,NETWORK`),
// with the names and tiers of the original gomodjail's v2, which are Capslock's classes with FILES
// split in two. Tiers are what static analysis makes of a class reached by a confined module:
// deny (a violation), caveat (the analysis cannot vouch for the module), allow (benign). Enforced
// classes are also checked at run time, each syscall's class worked out from its registers
// (src/confinement/syscall-classes.ts) or from the standard library function that makes it
// (STD_FUNCTION_CLASSES in src/confinement/std-functions.ts); the others are accepted by allow=
// and used by `analyze` only. A syscall that falls in no class is denied to every confined module.

export type CapabilityClass =
  | "FILES/READ"
  | "FILES/WRITE"
  | "NETWORK"
  | "EXEC"
  | "SYSTEM_CALLS"
  | "OPERATING_SYSTEM"
  | "MODIFY_SYSTEM_STATE"
  | "CGO"
  | "REFLECT"
  | "UNSAFE_POINTER"
  | "ARBITRARY_EXECUTION"
  | "UNANALYZED"
  | "SAFE"
  | "READ_SYSTEM_STATE"
  | "RUNTIME";

export type CapabilityTier = "deny" | "caveat" | "allow";

interface CapabilityClassRow {
  name: CapabilityClass;
  tier: CapabilityTier;
  /** Checked at run time (a syscall can fall in it); otherwise accepted by allow= and used by analyze only. */
  enforced: boolean;
  reason: string;
  /**
   * How a module allowed this class can reach every other one, where it can: `learn` then leaves
   * a module that needed it unconfined, unless told to allow every class.
   */
  reachesAll?: string;
}

export const CAPABILITY_CLASSES: readonly CapabilityClassRow[] = [
  {
    name: "FILES/READ",
    tier: "deny",
    enforced: true,
    reason:
      "opening a path read-only and reading a path's metadata (stat, access, readlink, xattrs, statfs): " +
      "every such syscall names a path and is stopped, and open's access mode is in a register",
  },
  {
    name: "FILES/WRITE",
    tier: "deny",
    enforced: true,
    reason:
      "opening with write access, O_CREAT, O_TRUNC or O_TMPFILE, and changing the tree or metadata (unlink, rename, " +
      "mkdir, link, chmod, chown, utimes, xattrs): all stopped. Allowing it allows writing /proc/self/mem, which " +
      "patches the program's code: it then runs under other functions' names, past any run-time check",
    reachesAll: "it can patch what the program runs (/proc/self/mem) or a file it loads",
  },
  {
    name: "NETWORK",
    tier: "deny",
    enforced: true,
    reason:
      "creating sockets of any family (AF_UNIX included: the Docker socket is one) and reaching a peer: socket, " +
      "connect, bind, listen, accept, sendto/sendmsg with an address; sockets the process has are used without a stop",
  },
  {
    name: "EXEC",
    tier: "deny",
    enforced: true,
    reason:
      "starting processes (execve, fork, vfork, clone without CLONE_THREAD, pidfd_open), and what os/exec does " +
      "to run one. A program it runs is not the policy's, so nothing confines it: allowing EXEC allows everything",
    reachesAll: "nothing confines the programs it runs, a shell among them",
  },
  {
    name: "SYSTEM_CALLS",
    tier: "deny",
    enforced: true,
    reason:
      "raw system access whose effect is the kernel's or a driver's to say, not a path's or a peer's: executable " +
      "memory (mmap/mprotect with PROT_EXEC, which JITs need; code in it has no frame, so its own syscalls stay " +
      "blocked), device ioctls, SysV and POSIX IPC objects; also needed, with the call's class, by a module " +
      "that makes the syscall itself rather than through the standard library",
    reachesAll: "executable memory and raw syscalls of its own are code no stack names",
  },
  {
    name: "OPERATING_SYSTEM",
    tier: "deny",
    enforced: false,
    reason:
      "Capslock's default for the os package's functions that no other class names (os.FindProcess, " +
      "(*os.Process).Signal...): what they do at the syscall level is EXEC or MODIFY_SYSTEM_STATE already, so " +
      "no syscall is this class's alone and enforcing it would only alias those",
  },
  {
    name: "MODIFY_SYSTEM_STATE",
    tier: "deny",
    enforced: true,
    reason:
      "changing state beyond the module's own data that the rest of the program or system relies on: the working " +
      "directory, umask, credentials, limits, signals to other processes, scheduling, namespaces, mounts, clocks, " +
      "host name, terminals' process groups; all stopped, some by argument (kill, prlimit64)",
  },
  {
    name: "CGO",
    tier: "deny",
    enforced: false,
    reason:
      "calling C code makes no syscall of its own: the syscalls of a module's C code are judged by their own " +
      "class, from the goroutine that called into C; what the C code hides from analysis is analyze's to report",
  },
  {
    name: "REFLECT",
    tier: "caveat",
    enforced: false,
    reason: "reflection makes no syscall; it can hide a call from the call graph, which only analyze can say",
  },
  {
    name: "UNSAFE_POINTER",
    tier: "caveat",
    enforced: false,
    reason:
      "unsafe pointers make no syscall; they can rewrite memory (a standard library path variable, a return " +
      "address) so that run-time checks see something else: a limit of run-time checking (README)",
  },
  {
    name: "ARBITRARY_EXECUTION",
    tier: "caveat",
    enforced: false,
    reason: "assembly and go:linkname make no syscall as such; they escape the call graph, which only analyze can say",
  },
  {
    name: "UNANALYZED",
    tier: "caveat",
    enforced: false,
    reason: "a call path the static analysis could not follow: a statement about the analysis, not about any syscall",
  },
  {
    name: "SAFE",
    tier: "allow",
    enforced: false,
    reason: "no capability: nothing to check at run time",
  },
  {
    name: "READ_SYSTEM_STATE",
    tier: "allow",
    enforced: false,
    reason:
      "environment, identity and host queries: the syscalls behind most run without a stop (getuid, uname, " +
      "getcwd); those that open a file (os.Hostname, os.Executable) or a socket (net.Interfaces) are FILES/READ " +
      "or NETWORK at run time, since the syscall cannot tell them from other reads",
  },
  {
    name: "RUNTIME",
    tier: "allow",
    enforced: false,
    reason: "Go runtime settings (GOMAXPROCS, GC percent, finalizers) make no stopped syscall",
  },
];

/** The classes a name in an `allow=` list stands for: FILES for both FILES/ classes; undefined if unknown. */
export function expandClass(name: string): CapabilityClass[] | undefined {
  if (name === "FILES") return ["FILES/READ", "FILES/WRITE"];
  return CAPABILITY_CLASSES.some((c) => c.name === name) ? [name as CapabilityClass] : undefined;
}
