// ptrace requests, options and wait-status decoding (ptrace(2), wait(2)).
import { ptr, type Pointer } from "bun:ffi";
import { ptrace, SyscallError } from "./libc.ts";

const PTRACE_POKEDATA = 5;
const PTRACE_CONT = 7;
const PTRACE_SYSCALL = 24;
const PTRACE_SETOPTIONS = 0x4200;
const PTRACE_GETEVENTMSG = 0x4201;
const PTRACE_GETSIGINFO = 0x4202;
const PTRACE_GETREGSET = 0x4204;
const PTRACE_SETREGSET = 0x4205;
const PTRACE_SEIZE = 0x4206;
const PTRACE_INTERRUPT = 0x4207;
const PTRACE_LISTEN = 0x4208;

/** Syscall stops report SIGTRAP|0x80, told apart from a real SIGTRAP (used only while injecting). */
export const PTRACE_O_TRACESYSGOOD = 0x1;
export const SYSCALL_STOP_SIGNAL = 0x85;
export const PTRACE_O_TRACEFORK = 0x2;
export const PTRACE_O_TRACEVFORK = 0x4;
export const PTRACE_O_TRACECLONE = 0x8;
export const PTRACE_O_TRACEEXEC = 0x10;
export const PTRACE_O_TRACESECCOMP = 0x80;
export const PTRACE_O_EXITKILL = 0x100000;

export const PTRACE_EVENT_FORK = 1;
export const PTRACE_EVENT_VFORK = 2;
export const PTRACE_EVENT_CLONE = 3;
export const PTRACE_EVENT_EXEC = 4;
export const PTRACE_EVENT_SECCOMP = 7;
const PTRACE_EVENT_STOP = 128;

export const NT_PRSTATUS = 1;
export const NT_ARM_TLS = 0x401;
export const NT_ARM_SYSTEM_CALL = 0x404;

const WNOHANG = 1;
export const WALL = 0x40000000;
/**
 * Wait for the calling thread's own children and tracees only: without it a thread also reaps
 * the children of every other thread of its process (wait(2)), such as a library caller's.
 */
export const WNOTHREAD = 0x20000000;

export const SIGKILL = 9;
export const SIGTRAP = 5;
export const SIGSTOP = 19;
export const SIGCONT = 18;
const SIGTSTP = 20;
const SIGTTIN = 21;
const SIGTTOU = 22;

type WaitStatus =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: number }
  | { kind: "stopped"; signal: number; event: number };

export function decodeWaitStatus(s: number): WaitStatus {
  const low = s & 0x7f;
  if (low === 0) return { kind: "exited", code: (s >> 8) & 0xff };
  if ((s & 0xff) === 0x7f) return { kind: "stopped", signal: (s >> 8) & 0xff, event: (s >> 16) & 0xff };
  return { kind: "signaled", signal: low };
}

const TWO32 = 2 ** 32;

/**
 * A register set buffer with its iovec, reused for every GETREGSET/SETREGSET of one kind.
 * Words are read as doubles: user-space addresses fit in 53 bits.
 */
export class RegSet {
  readonly words: Uint32Array;
  private readonly iov = new Uint32Array(4);
  private readonly iovPtr: Pointer;

  constructor(
    readonly note: number,
    readonly size: number,
  ) {
    this.words = new Uint32Array(size / 4);
    const p = ptr(this.words);
    this.iov[0] = p >>> 0;
    this.iov[1] = Math.floor(p / TWO32);
    this.iovPtr = ptr(this.iov);
  }

  /** The i-th 64-bit word as a number (exact below 2^53). */
  word(i: number): number {
    return this.words[2 * i]! + this.words[2 * i + 1]! * TWO32;
  }

  /** The i-th 64-bit word's low half, sign-extended: syscall numbers and return values. */
  int32(i: number): number {
    return this.words[2 * i]! | 0;
  }

  setWord(i: number, value: number): void {
    this.words[2 * i] = value >>> 0;
    this.words[2 * i + 1] = value < 0 ? 0xffffffff : Math.floor(value / TWO32);
  }

  get(tid: number): void {
    this.iov[2] = this.size;
    this.iov[3] = 0;
    ptrace(PTRACE_GETREGSET, tid, this.note, this.iovPtr);
  }

  set(tid: number): void {
    this.iov[2] = this.size;
    this.iov[3] = 0;
    ptrace(PTRACE_SETREGSET, tid, this.note, this.iovPtr);
  }
}

const eventMsg = new BigUint64Array(1);
const eventMsgPtr = ptr(eventMsg);

export function getEventMsg(tid: number): number {
  ptrace(PTRACE_GETEVENTMSG, tid, 0, eventMsgPtr);
  return Number(eventMsg[0]);
}

/** siginfo_t is 128 bytes; si_code is its third int. */
const sigInfo = new Int32Array(32);
const sigInfoPtr = ptr(sigInfo);

/** The si_code of the signal a thread is stopped for. */
export function stopSignalCode(tid: number): number {
  ptrace(PTRACE_GETSIGINFO, tid, 0, sigInfoPtr);
  return sigInfo[2]!;
}

/**
 * Resumes a stopped thread, delivering `signal` (0 for none). Returns false if the thread is
 * gone (ESRCH): a thread can die at any moment, that is not the tracer's failure.
 */
export function resume(tid: number, signal = 0): boolean {
  return tolerateGone(() => ptrace(PTRACE_CONT, tid, 0, signal));
}

/** Resumes a stopped thread until its next syscall entry or exit (a syscall stop), delivering `signal`. */
export function resumeToSyscall(tid: number, signal = 0): void {
  ptrace(PTRACE_SYSCALL, tid, 0, signal);
}

/** Writes one 64-bit word into the tracee's memory, read-only text included (PTRACE_POKEDATA). */
export function pokeWord(tid: number, addr: number, word: bigint): void {
  ptrace(PTRACE_POKEDATA, tid, addr, word);
}

/** Leaves a thread in group-stop while still reporting what wakes it (PTRACE_LISTEN). */
function listen(tid: number): boolean {
  return tolerateGone(() => ptrace(PTRACE_LISTEN, tid, 0, 0));
}

/**
 * Lets a tracee on from a stop of no concern to the tracer: a new task's first stop or the end of
 * a group-stop (it runs on), a group-stop (SIGSTOP, SIGTSTP...: it stays stopped, and the tracer
 * keeps hearing of SIGCONT), another event (it runs on), a signal on its way (delivered).
 */
export function continueFromStop(tid: number, signal: number, event: number): void {
  if (event === PTRACE_EVENT_STOP) {
    if (signal === SIGSTOP || signal === SIGTSTP || signal === SIGTTIN || signal === SIGTTOU) listen(tid);
    else resume(tid);
    return;
  }
  resume(tid, event === 0 ? signal : 0);
}

export function seize(pid: number, options: number): void {
  ptrace(PTRACE_SEIZE, pid, 0, options);
}

function tolerateGone(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof SyscallError && e.code === "ESRCH") return false;
    throw e;
  }
}

