// The shape of the allow table (allow.ts) and the argument conditions its entries test. A syscall
// the table does not name is traced: the tracer decides.
import type { ArchName } from "../arch/arch.ts";
import {
  AF_UNIX,
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  CLONE_THREAD,
  CLONE_UNTRACED,
  F_ADD_SEALS,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GET_SEALS,
  F_GETFD,
  F_GETFL,
  F_GETLEASE,
  F_GETLK,
  F_GETOWN,
  F_GETOWN_EX,
  F_GETOWNER_UIDS,
  F_GETPIPE_SZ,
  F_GETSIG,
  F_OFD_GETLK,
  F_OFD_SETLK,
  F_OFD_SETLKW,
  F_SETFD,
  F_SETFL,
  F_SETLK,
  F_SETLKW,
  F_SETPIPE_SZ,
  FIONREAD,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  TCGETS,
  TIOCGWINSZ,
} from "./abi.ts";

export type ArgIndex = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * A test on one syscall argument: the filter allows the call when it holds and traces it when it
 * does not. Tests on the low 32 bits are exact for int-typed arguments (pids, ioctl requests,
 * fcntl commands, clone flags): the kernel itself ignores the high half of those.
 */
export type ArgCondition =
  /** The low 32 bits are one of `values`; "ownPid" stands for the filtered process's pid. */
  | { kind: "oneOf"; arg: ArgIndex; values: readonly (number | "ownPid")[] }
  /** The low 32 bits have every bit of `required` and none of `forbidden`. */
  | { kind: "flags"; arg: ArgIndex; required: number; forbidden: number }
  /** All 64 bits are zero: a NULL pointer. */
  | { kind: "null"; arg: ArgIndex };

/** A syscall the filter lets through without a stop, always or when `when` holds. */
export interface AllowRule {
  readonly name: string;
  /** The one architecture that has this syscall; absent when every architecture has it. */
  readonly only?: ArchName;
  /** One line: why this cannot reach outside the process. */
  readonly why: string;
  readonly when?: ArgCondition;
  /**
   * Tells whether a path exists and its metadata, and reads nothing: let through by default, as
   * the original gomodjail does, and traced when the run judges metadata (--judge-metadata).
   */
  readonly metadata?: true;
}

/** A syscall the filter fails with `errno` itself, without running it and without a stop. */
export interface FailRule {
  readonly name: string;
  /** As for AllowRule. */
  readonly only?: ArchName;
  readonly errno: number;
  readonly why: string;
}

/** The filter's rules by syscall name, for every architecture. */
export interface AllowTable {
  readonly allow: readonly AllowRule[];
  readonly fail: readonly FailRule[];
}

/**
 * ioctl requests that only read the state of a descriptor the process has: isatty and
 * x/term.IsTerminal/GetState (TCGETS), x/term.GetSize (TIOCGWINSZ), bytes ready to read
 * (FIONREAD). Everything else is traced: TIOCSTI types into the terminal, TCSETS changes it,
 * TIOCSCTTY/TIOCSPGRP take it over.
 */
export const readOnlyIoctl: ArgCondition = { kind: "oneOf", arg: 1, values: [TCGETS, TIOCGWINSZ, FIONREAD] };

/**
 * fcntl commands that act on the descriptor itself: dup, close-on-exec and status flags, record
 * locks, pipe size, memfd seals, and reads of owner/signal/lease. Traced: F_SETOWN, F_SETOWN_EX and
 * F_SETSIG (they aim SIGIO, or any signal, at another process), F_SETLEASE (stalls other
 * processes' opens), F_NOTIFY, and commands newer than this list.
 */
export const ownDescriptorFcntl: ArgCondition = {
  kind: "oneOf",
  arg: 1,
  values: [
    F_DUPFD,
    F_GETFD,
    F_SETFD,
    F_GETFL,
    F_SETFL,
    F_GETLK,
    F_SETLK,
    F_SETLKW,
    F_GETOWN,
    F_GETSIG,
    F_GETOWN_EX,
    F_GETOWNER_UIDS,
    F_OFD_GETLK,
    F_OFD_SETLK,
    F_OFD_SETLKW,
    F_GETLEASE,
    F_DUPFD_CLOEXEC,
    F_SETPIPE_SZ,
    F_GETPIPE_SZ,
    F_ADD_SEALS,
    F_GET_SEALS,
  ],
};

/**
 * clone(2) that makes a thread of the calling process (Go's runtime: VM|FS|FILES|SIGHAND|SYSVSEM|
 * THREAD; glibc adds TLS and tid flags). A fork (no CLONE_THREAD), new namespaces, and
 * CLONE_UNTRACED (the new task would escape PTRACE_O_TRACECLONE) are traced.
 */
export const threadClone: ArgCondition = {
  kind: "flags",
  arg: 0,
  required: CLONE_THREAD,
  forbidden:
    CLONE_NEWNS |
    CLONE_UNTRACED |
    CLONE_NEWCGROUP |
    CLONE_NEWUTS |
    CLONE_NEWIPC |
    CLONE_NEWUSER |
    CLONE_NEWPID |
    CLONE_NEWNET,
};

/**
 * The first argument (a pid or thread-group id) is the filtered process itself. Go preempts its
 * own threads with tgkill(getpid(), tid, SIGURG), about 100 times a second per busy P
 * (bench/seccomp-tgkill.ts: 70-100/s at GOMAXPROCS=2, 390-450/s at 16), so thousands a second on
 * a large machine. Trapping one costs ~14 µs against 0.23 µs and stalls the preempting thread
 * (sysmon, or the GC stopping the world) meanwhile; comparing the pid costs two instructions.
 * A forked child keeps this filter, so it may signal the first process without a stop: a signal
 * to the program's own first process, which a confined module could end with exit_group anyway.
 */
export const toOwnProcess: ArgCondition = { kind: "oneOf", arg: 0, values: ["ownPid"] };

/** prlimit64's pid is 0 (the caller, as Go's syscall.Setrlimit passes) or the process's own pid. */
export const ownLimits: ArgCondition = { kind: "oneOf", arg: 0, values: [0, "ownPid"] };

/** sendto without a destination address: on a connected socket; with one it reaches a new peer. */
export const noDestination: ArgCondition = { kind: "null", arg: 4 };

/** socketpair in AF_UNIX: two connected sockets inside the process, like a pipe. */
export const unixPair: ArgCondition = { kind: "oneOf", arg: 0, values: [AF_UNIX] };

/**
 * mmap, mprotect and pkey_mprotect (prot is argument 2 of each) that make data memory: none,
 * read, write or both. Executable memory is traced: code in it has no frame in the function
 * table, so a confined module that made it could run syscalls no stack shows. Other bits
 * (PROT_SEM, PROT_GROWSDOWN, arm64's PROT_MTE) are traced too: rare, and new ones unknown.
 */
export const dataProtection: ArgCondition = { kind: "oneOf", arg: 2, values: [PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE] };
