// The root of a run before its exec: the pre-exec stage (stage.ts), seized by the tracer thread
// while it waits behind its gate (stage-gate.ts) or once it has stopped itself, then let on to
// its exec, where the tracer finds the target stopped
// before its first instruction.
//
// The command line starts the stage of the run it is about to make before it has read the policy
// (session/early-stage.ts), and the tracer thread seizes it as soon as the thread is up, so that
// the stage starts, and even execs, while the rest of the run is prepared. The run takes that
// stage only if it is exactly the command the request asks for; otherwise the tracer kills it
// (stopped at its exec: the target never runs an instruction of its own) and starts its own. The
// filter does not depend on the policy, so the thread installs it at the exec while it waits for
// the request (a large go.mod takes the command line milliseconds); a request that wants another
// filter kills the stage too.
import { hostArch } from "../arch/host.ts";
import { targetFilter } from "../seccomp/template.ts";
import { installFilterAtExec } from "./inject.ts";
import { close, kill, SyscallError, waitpid } from "../libc/libc.ts";
import {
  continueFromStop,
  decodeWaitStatus,
  PTRACE_EVENT_EXEC,
  PTRACE_EVENT_FORK,
  PTRACE_EVENT_VFORK,
  PTRACE_O_EXITKILL,
  PTRACE_O_TRACECLONE,
  PTRACE_O_TRACEEXEC,
  PTRACE_O_TRACEFORK,
  PTRACE_O_TRACESECCOMP,
  PTRACE_O_TRACESYSGOOD,
  PTRACE_O_TRACEVFORK,
  resumeToSyscall,
  seize,
  SIGCONT,
  SIGKILL,
  SIGSTOP,
  SYSCALL_STOP_SIGNAL,
  WALL,
  WNOTHREAD,
} from "../libc/ptrace.ts";
import { mark } from "../timeline.ts";
import { ProgramError, TracerError } from "./errors.ts";
import { sameFile } from "./program.ts";
import type { GoBinary } from "../gobin/binary.ts";
import { type ChildRequest, type Command, preExecStage } from "./stage.ts";

const WUNTRACED = 2;
const ENOEXEC = 8;
const TRACE_OPTIONS =
  PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;

/** A stage seized and taken to its exec event (or its end). */
export interface SeizedStage {
  pid: number;
  command: Command;
  /** The wait status of the stop it was taken to, for the tracer to handle first. */
  pending: number;
  /** The program it exec'd, opened while the request was awaited (worker.ts). */
  executed?: GoBinary;
  /** The filter installed at its exec while the request was awaited, if it was. */
  filtered?: FilteredAtExec;
}

/** What a stage's filter was made for (TraceRequest's fields of the same names). */
export interface FilterParams {
  judgeMetadata: boolean;
  /** The descriptors above stderr it keeps; it closes every other at the exec (inject.ts). */
  descriptors: readonly number[];
}

export interface FilteredAtExec extends FilterParams {
  /** A signal that arrived while the filter went in, to deliver on resuming. */
  signal: number;
}

/** A stage started before its request: seized, or why it could not be (it is gone then). */
export type EarlyStage = SeizedStage | { command: Command; failure: Error };

/** Starts the stage that execs `target` with `descriptors` above stderr, and takes it to its exec. */
export function startStage(target: ChildRequest, env: Record<string, string | undefined>, self: { path: string; argv: string[] }, descriptors: readonly number[]): SeizedStage {
  // Loaded only here: a run of the command line finds its stage started (session/early-stage.ts).
  const { openGate, spawnStage } = require("./stage-gate.ts") as typeof import("./stage-gate.ts");
  const gate = openGate(descriptors);
  const command = preExecStage(target, env, self, gate?.fd);
  const { pid, opener } = spawnStage(command, gate, descriptors);
  return takeToExec(pid, command, opener);
}

/**
 * Takes a stage this process started early (on any thread) to its exec; `opener` opens its gate.
 * `meanwhile` runs once the stage is seized and on its way, before the tracer waits for it.
 */
export function seizeEarlyStage(pid: number, command: Command, opener: number | undefined, meanwhile?: () => void): EarlyStage {
  try {
    return takeToExec(pid, command, opener, meanwhile);
  } catch (e) {
    try {
      discardStage(pid);
    } catch {} // already reaped
    return { command, failure: e as Error };
  }
}

/**
 * Installs the filter of `params` in a stage stopped at its exec event, its target not yet run;
 * where it cannot, kills the stage and says why. A stage that did not reach an exec is left to the
 * run, which says what became of it.
 */
export function filterAtExec(stage: EarlyStage, params: FilterParams): EarlyStage {
  if ("failure" in stage) return stage;
  const st = decodeWaitStatus(stage.pending);
  if (st.kind !== "stopped" || st.event !== PTRACE_EVENT_EXEC) return stage;
  try {
    const signal = installFilterAtExec(stage.pid, hostArch(), targetFilter(stage.pid, params.judgeMetadata), new Int32Array(1), params.descriptors);
    mark("filter_installed");
    return { ...stage, filtered: { ...params, signal } };
  } catch (e) {
    try {
      discardStage(stage.pid);
    } catch {} // already reaped
    return { command: stage.command, failure: e as Error };
  }
}

/** Whether a filter installed early is the one `params` asks for. */
export function filteredFor(filtered: FilteredAtExec, params: FilterParams): boolean {
  const a = filtered.descriptors;
  const b = params.descriptors;
  return filtered.judgeMetadata === params.judgeMetadata && a.length === b.length && a.every((fd, i) => fd === b[i]);
}

function takeToExec(pid: number, command: Command, opener: number | undefined, meanwhile?: () => void): SeizedStage {
  if (opener === undefined) seizeStopped(pid);
  else seizeBehindGate(pid, opener);
  meanwhile?.();
  return { pid, command, pending: runToExec(pid, command) };
}

/** Seizes a stage waiting behind its gate (stage-gate.ts), and opens the gate. */
function seizeBehindGate(pid: number, opener: number): void {
  try {
    seize(pid, TRACE_OPTIONS);
  } finally {
    // Untraced, a stage let through exits (stage.ts).
    close(opener);
  }
  mark("stage_seized");
}

/**
 * Seizes a stage once it has stopped itself, and resumes it. Seized only then, it can exec
 * nothing before the tracer is there.
 */
function seizeStopped(pid: number): void {
  const status = new Int32Array(1);
  const got = waitpid(pid, status, WUNTRACED);
  mark("stage_stopped");
  const st = decodeWaitStatus(status[0]!);
  if (got !== pid || st.kind !== "stopped" || st.signal !== SIGSTOP) {
    const how = st.kind === "exited" ? `exited with ${st.code}` : st.kind === "signaled" ? `was killed by signal ${st.signal}` : "stopped unexpectedly";
    throw new TracerError(`the pre-exec stage ${how} before it could be traced`);
  }
  seize(pid, TRACE_OPTIONS);
  kill(pid, SIGCONT);
}

/**
 * Lets the stage on through its stops up to its exec event, or its end, and returns that stop's
 * wait status. The shell stage stops itself once more right before `exec`: from there on it is
 * stepped through its syscalls, because an execve the kernel refuses with ENOEXEC would make the
 * shell run the file as a script of its own, with no exec for the tracer to see (and so no
 * filter). Such a stage is killed instead (a ProgramError).
 */
function runToExec(pid: number, command: Command): number {
  const status = new Int32Array(1);
  let stepping = false;
  /** Stepping, whether the stage is inside a syscall: stops alternate between entry and exit. */
  let inSyscall = false;
  let stops = 0;
  for (;;) {
    const tid = waitpid(-1, status, WALL | WNOTHREAD);
    const st = decodeWaitStatus(status[0]!);
    if (tid !== pid) {
      // Another thread of the stage (the tool's own child mode has several): let it be.
      if (st.kind === "stopped") continueFromStop(tid, st.signal, st.event);
      continue;
    }
    if (st.kind !== "stopped") return status[0]!;
    const first = ++stops === 1;
    if (st.event === PTRACE_EVENT_EXEC) {
      // posix_spawn returns once the stage's own exec is under way: seized behind its gate, the
      // stage may report that exec first, before it has run anything. Any other exec is taken
      // for the target's, and gets its filter.
      if (command.gate !== undefined && first && sameFile(`/proc/${pid}/exe`, command.path)) {
        continueFromStop(pid, st.signal, st.event);
        continue;
      }
      return status[0]!;
    }
    if (st.event === PTRACE_EVENT_FORK || st.event === PTRACE_EVENT_VFORK) throw new TracerError("the pre-exec stage forked before its exec");
    if (st.event === 0 && st.signal === SYSCALL_STOP_SIGNAL) {
      inSyscall = !inSyscall;
      if (!inSyscall && hostArch().returnValue(pid) === -ENOEXEC) {
        throw new ProgramError(`${command.target}: not a file the kernel can execute (ENOEXEC)`);
      }
      resumeToSyscall(pid);
    } else if (st.event === 0 && (st.signal === SIGSTOP || stepping)) {
      // The stage's stop before its exec (or, after it, any signal): step on, the stop undone.
      stepping = true;
      resumeToSyscall(pid, st.signal === SIGSTOP ? 0 : st.signal);
    } else {
      continueFromStop(pid, st.signal, st.event);
    }
  }
}

/** Kills a stage that no run takes, and waits for its end. */
export function discardStage(pid: number): void {
  try {
    kill(pid, SIGKILL);
  } catch (e) {
    if (!(e instanceof SyscallError && e.code === "ESRCH")) throw e;
  }
  const status = new Int32Array(1);
  for (;;) {
    waitpid(pid, status, WALL);
    if (decodeWaitStatus(status[0]!).kind !== "stopped") return;
  }
}

/** Whether two stage commands are the same: the same file, arguments and environment. */
export function sameCommand(a: Command, b: Command): boolean {
  if (a.path !== b.path || a.target !== b.target || a.argv.length !== b.argv.length || a.argv.some((arg, i) => arg !== b.argv[i])) return false;
  const aEnv = Object.entries(a.env).filter(([, v]) => v !== undefined);
  const bEnv = Object.entries(b.env).filter(([, v]) => v !== undefined);
  return aEnv.length === bEnv.length && aEnv.every(([k, v]) => b.env[k] === v);
}
