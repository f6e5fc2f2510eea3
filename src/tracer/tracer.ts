// The tracer: starts the target through the pre-exec stage, then follows every thread, fork and
// exec of it, and judges each seccomp stop. It blocks in waitpid, so it runs on a thread of its
// own (see worker.ts); every ptrace request comes from that thread.
import { existsSync, readFileSync } from "node:fs";
import type { Arch } from "../arch/arch.ts";
import { syscallName } from "../arch/arches.ts";
import { hostArch } from "../arch/host.ts";
import type { LogicalFrame } from "../gobin/pclntab.ts";
import { confinesAnyModule } from "../policy/profile.ts";
import { EPERM, kill, SyscallError, waitpid } from "../libc/libc.ts";
import {
  continueFromStop,
  decodeWaitStatus,
  getEventMsg,
  PTRACE_EVENT_CLONE,
  PTRACE_EVENT_EXEC,
  PTRACE_EVENT_FORK,
  PTRACE_EVENT_SECCOMP,
  PTRACE_EVENT_VFORK,
  resume,
  SIGKILL,
  SIGTRAP,
  WALL,
  WNOTHREAD,
} from "../libc/ptrace.ts";
import { TracerError } from "../launch/errors.ts";
import { installFilterAtExec } from "../launch/inject.ts";
import { targetFilter } from "../seccomp/template.ts";
import { discardStage, type EarlyStage, type FilteredAtExec, filteredFor, sameCommand, type SeizedStage, startStage } from "../launch/seized-stage.ts";
import { sameFile } from "../launch/program.ts";
import { preExecStage } from "../launch/stage.ts";
import type { GoBinary } from "../gobin/binary.ts";
import { checkFirstTarget, mayHoldConfinedCode } from "../launch/target.ts";
import { mark } from "../timeline.ts";
import { ImageCache } from "./images.ts";
import { classOfCall, Decider, type StopDecider, stdInitialization } from "../decision/decider.ts";
import type { PolicedImage, ProcessImage } from "../decision/image.ts";
import type { Involvement } from "../decision/involvement.ts";
import { RecordingDecider } from "../decision/recorded-stop.ts";
import type { Tracee } from "../decision/tracee.ts";
import type { Verdict } from "../decision/verdict.ts";
import { liveTracee } from "./live-tracee.ts";
import { LoaderEnvCheck } from "./loader-env.ts";
import { CreationWatch } from "./creations.ts";
import { FLAGS_ARG, StdInitialization } from "./std-initialization.ts";
import type { TargetExit, TraceHooks, TraceRequest } from "./hooks.ts";

/** Stops that count as the program's start-up (see TraceHooks.startUpOver). */
const START_UP_STOPS = 64;

function formatEntry(f: LogicalFrame | undefined): string {
  return f ? `${f.file}:${f.line}:${f.func}` : "unknown";
}

/**
 * Traces the program to its end. `early` is a stage seized before the request came: the run takes
 * it if it is the stage the request needs, and kills it otherwise.
 */
export function traceProgram(req: TraceRequest, hooks: TraceHooks, early?: EarlyStage): TargetExit {
  return new Tracer(req, hooks, hostArch()).run(early);
}

class Tracer {
  private readonly status = new Int32Array(1);
  /** Thread id -> thread group id, where known. */
  private readonly tgidOf = new Map<number, number>();
  private readonly processes = new Map<number, ProcessImage>();
  /** Processes that have exec'd since they were forked. */
  private readonly execed = new Set<number>();
  /** Forks (not yet exec'd) of processes in which Go code had run. */
  private readonly forkedFromGo = new Set<number>();
  private readonly deciders = new WeakMap<PolicedImage, StopDecider>();
  private readonly images: ImageCache | undefined;
  private readonly tracee: Tracee;
  /** Judges every new image's environment at its exec; unset where nothing is confined. */
  private readonly loaderEnv: LoaderEnvCheck | undefined;
  /** Judges each goroutine's creator as it is created; unset where nothing is confined. */
  private readonly creations: CreationWatch | undefined;
  /** Lets the standard library's lazy loaders open their files, checked; unset where nothing is confined. */
  private readonly stdInit: StdInitialization | undefined;
  /** A thread whose wait status this.status holds already, taken by a call the tracer made it run. */
  private waitedFor: number | undefined;
  private root = 0;
  /** The root before its exec is still the pre-exec stage, without a filter. */
  private rootExecuted = false;
  /** The program the root exec'd, if it was opened before the request came. */
  private executed: GoBinary | undefined;
  /** The filter installed at the root's exec before the request came, if it was. */
  private filtered: FilteredAtExec | undefined;
  /** Whether the root's first syscall after its exec has been judged (for the start-up timeline). */
  private rootJudged = false;
  /** Stops handled so far, and of them seccomp stops and creation-breakpoint hits: for the --debug record at the end. */
  private stops = 0;
  private seccompStops = 0;
  private creationHits = 0;

  constructor(
    private readonly req: TraceRequest,
    private readonly hooks: TraceHooks,
    private readonly arch: Arch,
  ) {
    this.images = req.profile && new ImageCache(req.profile, hooks.warn);
    this.tracee = liveTracee(arch);
    if (this.images && confinesAnyModule(req.profile!)) {
      this.loaderEnv = new LoaderEnvCheck(req.env, req.allowLoaderEnv ?? [], req.audit, hooks.blocked);
      this.stdInit = new StdInitialization(arch, this.status, req.env, req.audit, hooks);
      this.creations = new CreationWatch(arch, this.images, this.tracee, hooks.warn, (tid) => this.threadGroup(tid));
    }
  }

  run(early: EarlyStage | undefined): TargetExit {
    const stage = this.stage(early);
    this.root = stage.pid;
    this.executed = stage.executed;
    this.filtered = stage.filtered;
    this.tgidOf.set(stage.pid, stage.pid);
    this.hooks.started(this.root);
    let pending: number | undefined = stage.pending;
    for (;;) {
      let tid: number;
      try {
        if (pending !== undefined) {
          [tid, this.status[0]] = [stage.pid, pending];
          pending = undefined;
        } else if (this.waitedFor !== undefined) {
          tid = this.waitedFor;
          this.waitedFor = undefined;
        } else {
          // Every tracee is this thread's: the root because this thread seized it, and the tasks
          // it starts because auto-attach (TRACECLONE/FORK/VFORK) gives them the same tracer.
          tid = waitpid(-1, this.status, WALL | WNOTHREAD);
        }
      } catch (e) {
        if (e instanceof SyscallError && e.code === "EINTR") continue;
        if (e instanceof SyscallError && e.code === "ECHILD") throw new TracerError("lost the target: no traced process left");
        throw e;
      }
      const st = decodeWaitStatus(this.status[0]!);
      if (st.kind === "exited" || st.kind === "signaled") {
        this.forget(tid);
        if (tid === this.root) {
          mark("program_exited");
          const { seccompStops: seccomp, creationHits: creations } = this;
          this.hooks.debug?.("stops", { seccomp, creations, other: this.stops - seccomp - creations });
          return st.kind === "exited" ? { status: st.code, signal: undefined } : { status: 128 + st.signal, signal: st.signal };
        }
        continue;
      }
      this.onStop(tid, st.signal, st.event);
      if (++this.stops === START_UP_STOPS) this.hooks.startUpOver?.();
    }
  }

  /** The root's stage, at its exec: the early one if it runs what the request asks for, else a new one. */
  private stage(early: EarlyStage | undefined): SeizedStage {
    const target = { path: this.req.path, argv: this.req.argv };
    // With the early stage's gate descriptor: the two may differ only in what they run.
    const wanted = preExecStage(target, this.req.env, this.req.self, early?.command.gate);
    const filter = { judgeMetadata: this.req.judgeMetadata ?? false, descriptors: this.req.descriptors };
    if (early && sameCommand(early.command, wanted)) {
      if ("failure" in early) throw early.failure;
      if (!early.filtered || filteredFor(early.filtered, filter)) return early;
      const { judgeMetadata, descriptors } = early.filtered;
      this.hooks.debug?.("the stage started early has another filter: dropped", { judgeMetadata, descriptors: descriptors.join(",") });
      discardStage(early.pid);
    } else if (early) {
      this.hooks.debug?.("the stage started early runs another program: dropped", { started: early.command.target, program: wanted.target });
      if (!("failure" in early)) discardStage(early.pid);
    }
    return startStage(target, this.req.env, this.req.self, this.req.descriptors);
  }

  /**
   * The root's exec of the target: the new image has not run an instruction. Checks it is the
   * file the request names and a program the policy can hold (a ProgramError if not), and
   * installs the filter unless it went in while the request was awaited. Returns a signal to
   * deliver on resuming.
   */
  private startTarget(tid: number): number {
    try {
      const { profile, path } = this.req;
      let confinedCode = false;
      if (profile) {
        if (!sameFile(`/proc/${tid}/exe`, path)) throw new TracerError(`${path}: the program executed is not the file that was checked (was it replaced?)`);
        const binary = checkFirstTarget(path, profile, this.executed);
        confinedCode = mayHoldConfinedCode(binary, profile);
        if (confinedCode && this.req.strict) {
          if (!this.hooks.refuseConfinedCode) throw new TracerError("--strict: no check of the confined modules' code was given");
          this.hooks.refuseConfinedCode(path, profile);
        }
        // The checks' reading of the binary is the tracer's too (images.ts).
        this.images!.adopt(tid, binary);
      }
      mark("program_exec");
      // Installed already where the stage started early (seized-stage.ts): stage() kept it only
      // with this request's filter. Its own-pid rules name the root, which the target is.
      let signal: number;
      if (this.filtered) {
        signal = this.filtered.signal;
        this.filtered = undefined;
      } else {
        signal = installFilterAtExec(tid, this.arch, targetFilter(this.root, this.req.judgeMetadata ?? false), this.status, this.req.descriptors);
        mark("filter_installed");
      }
      this.creations?.onExec(tid);
      this.hooks.admitted?.(confinedCode);
      // What is left before the program's first instruction is the tracer's resuming it.
      mark("program_released");
      return signal;
    } catch (e) {
      // Never let the target run on without its filter.
      kill(tid, SIGKILL);
      throw e;
    }
  }

  private onStop(tid: number, signal: number, event: number): void {
    // Creation-breakpoint hits (creations.ts).
    if (this.creations?.onStop(tid, signal, event)) {
      this.creationHits++;
      return;
    }
    // The exit of a lazy loader's open let on, and signals before it (std-initialization.ts).
    const std = this.stdInit?.onStop(tid, signal, event) ?? "not-ours";
    if (std !== "not-ours") {
      if (std !== "handled") this.waitedFor = tid;
      return;
    }
    if (signal === SIGTRAP && event !== 0) {
      switch (event) {
        case PTRACE_EVENT_SECCOMP:
          this.seccompStops++;
          this.onSeccomp(tid);
          return;
        case PTRACE_EVENT_EXEC: {
          const first = tid === this.root && !this.rootExecuted;
          this.onExec(tid);
          // Before the new image's loader runs: a loader variable set since the start kills it.
          if (this.loaderEnv?.refuses(tid)) return;
          if (!first) this.creations?.onExec(tid);
          resume(tid, first ? this.startTarget(tid) : 0);
          return;
        }
        case PTRACE_EVENT_CLONE:
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
          this.onNewTask(tid, event);
          resume(tid);
          return;
      }
    }
    continueFromStop(tid, signal, event);
  }

  private onNewTask(tid: number, event: number): void {
    // A thread's process is found lazily (its first stop can come before this event). A fork
    // is a process of its own, running its parent's binary at the same addresses until it execs.
    if (event === PTRACE_EVENT_CLONE) return;
    let child: number;
    try {
      child = getEventMsg(tid);
    } catch {
      return;
    }
    this.tgidOf.set(child, child);
    // The child may have exec'd already (its events can come before this one): then it runs
    // another binary, and what its parent ran is no longer its business.
    if (this.execed.has(child)) return;
    if (this.processes.get(this.threadGroup(tid))?.goStarted) this.forkedFromGo.add(child);
  }

  private onExec(tid: number): void {
    // After exec the thread group has one thread whose tid is the tgid (even if a non-leader
    // thread called exec), and runs a new binary.
    this.tgidOf.set(tid, tid);
    this.processes.delete(tid);
    this.forkedFromGo.delete(tid);
    this.execed.add(tid);
    this.stdInit?.forget(tid);
    if (tid === this.root) this.rootExecuted = true;
  }

  private forget(tid: number): void {
    const tgid = this.tgidOf.get(tid);
    this.tgidOf.delete(tid);
    this.stdInit?.forget(tid);
    if (tgid === tid) {
      this.creations?.forgetProcess(tid);
      this.processes.delete(tid);
      this.execed.delete(tid);
      this.forkedFromGo.delete(tid);
    }
  }

  private threadGroup(tid: number): number {
    let tgid = this.tgidOf.get(tid);
    if (tgid === undefined) {
      tgid = readTgid(tid);
      this.tgidOf.set(tid, tgid);
    }
    return tgid;
  }

  private onSeccomp(tid: number): void {
    let regs;
    try {
      regs = this.arch.readSyscallRegs(tid);
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ESRCH") return;
      throw e;
    }
    const tgid = this.threadGroup(tid);
    const profile = this.req.profile;
    if (!this.images || !profile) {
      resume(tid);
      return;
    }
    let proc = this.processes.get(tgid);
    if (!proc) {
      try {
        proc = this.images.forProcess(tgid);
        // A fork of a process that ran Go code runs Go code from its first instruction on.
        proc.goStarted = this.forkedFromGo.has(tgid);
      } catch (e) {
        if (!existsSync(`/proc/${tgid}`)) return; // died while we looked
        throw e;
      }
      this.processes.set(tgid, proc);
      if (tgid === this.root && !this.rootJudged) {
        this.rootJudged = true;
        mark("first_syscall_judged");
      }
      this.hooks.debug?.("first traced syscall", { pid: tgid, exe: proc.image.path, syscall: syscallName(this.arch.name, regs.nr) });
    }
    const image = proc.image;
    const syscall = syscallName(this.arch.name, regs.nr);
    let verdict: Verdict;
    let involvement: Involvement | undefined;
    if (image.kind === "exempt") {
      resume(tid);
      return;
    } else if (image.kind === "unreadable") {
      // No stack to read: the syscall's own class.
      const cls = classOfCall(this.arch.name, regs, [], () => false) ?? "none";
      verdict = { block: true, module: "unknown", frame: undefined, reason: `cannot read the program's function table: ${image.reason}`, class: { name: cls } };
    } else {
      const decided = this.deciderOf(image).decideStop(tid, tgid, regs, proc);
      if (!decided) {
        resume(tid);
        return;
      }
      const { decision } = decided;
      involvement = decided.involvement;
      const { trace } = decision;
      verdict = decision.verdict;
      this.hooks.debug?.(verdict.block ? "block" : "allow", {
        pid: tid,
        syscall,
        complete: trace.complete,
        stack: trace.frames.map((f) => `${f.func} ${f.file}:${f.line}`).join(" <- "),
      });
      // A lazy loader's read-only open: on, to be checked at its exit (std-initialization.ts).
      const std = this.stdInit && stdInitialization(image, decision, syscall, () => regs.args[FLAGS_ARG]!);
      if (std && verdict.block) {
        const call = { pid: tgid, exe: image.path, syscall, entry: formatEntry(verdict.frame), module: verdict.module, class: verdict.class, audit: this.req.audit, involvement };
        this.stdInit!.letOn(tid, std.loader, std.flags, image.goVersion, call);
        return;
      }
    }
    if (verdict.block && !this.req.audit) {
      try {
        this.arch.failSyscall(tid, EPERM);
      } catch (e) {
        if (e instanceof SyscallError && e.code === "ESRCH") return;
        throw e;
      }
    }
    if (verdict.block) {
      const entry = formatEntry(verdict.frame);
      this.hooks.blocked({ pid: tgid, exe: image.path, syscall, entry, module: verdict.module, reason: verdict.reason, class: verdict.class, audit: this.req.audit, involvement });
    }
    resume(tid);
  }

  /** The decider of a policed image's stops: recording them where the hooks ask for it. */
  private deciderOf(image: PolicedImage): StopDecider {
    let decider = this.deciders.get(image);
    if (!decider) {
      const options = { strict: this.req.strict, warn: this.hooks.warn, creations: this.creations?.verdicts };
      decider = this.hooks.recorded ? new RecordingDecider(image, this.arch, this.tracee, options, this.hooks.recorded) : new Decider(image, this.arch, this.tracee, options);
      this.deciders.set(image, decider);
    }
    return decider;
  }
}

function readTgid(tid: number): number {
  try {
    const m = /^Tgid:\s*(\d+)/m.exec(readFileSync(`/proc/${tid}/status`, "utf8"));
    if (m) return Number(m[1]);
  } catch {}
  return tid;
}
