// Judges every goroutine's creator as the goroutine is created (docs/design.md #5): g.ancestors
// keeps only the innermost 50 frames of a creator's stack (100 before Go 1.21), so a goroutine
// started deeper would be blocked for what the runtime dropped. A hardware breakpoint on the
// return from runtime.newproc1 in the closure newproc runs on the system stack stops the thread
// with the new g in the result register and the creator's registers saved in its g.sched; the
// creator's whole stack is walked and judged there, with the verdict on its own creators, and the
// verdict kept for the decision (src/decision/creations.ts). The new goroutine cannot run yet:
// newproc puts it on a run queue only after newproc1 returns.
//
// Every `go` statement stops its thread once, which costs about what one trapped syscall does.
// Coroutines (iter.Pull: newproc1 called by runtime.newcoro) are not watched: one started deeper
// than the runtime records stays blocked.
import type { Arch, BreakpointHit, HardwareBreakpoint } from "../arch/arch.ts";
import type { PolicedImage } from "../decision/image.ts";
import { CreationVerdicts } from "../decision/creations.ts";
import { judgeCreators, truncatedAncestry } from "../confinement/creators.ts";
import type { Tracee } from "../decision/tracee.ts";
import { Judge, type Verdict } from "../decision/verdict.ts";
import { PclntabError } from "../gobin/pclntab.ts";
import { RuntimeLayoutError } from "../gobin/runtime-layout.ts";
import { SyscallError } from "../libc/libc.ts";
import { getSigInfo, PTRACE_EVENT_STOP, resume, SIGTRAP, TRAP_HWBKPT } from "../libc/ptrace.ts";
import { type Goroutine, GoroutineReader, type ThreadM } from "../unwind/goroutine.ts";
import { StackWindow } from "../unwind/stack.ts";
import { unwindGoStack } from "../unwind/unwind.ts";
import type { ImageCache } from "./images.ts";

/** newproc's closure, the call in it whose return is watched, and the frames the creator's saved context starts with. */
const NEWPROC_CLOSURE = "runtime.newproc.func1";
const NEWPROC1 = "runtime.newproc1";
const NEWPROC = "runtime.newproc";
const SYSTEMSTACK_SWITCH = "runtime.systemstack_switch";

/** How much stack one read takes. */
const STACK_WINDOW = 4 * 1024;

/** What a policed image needs to have its goroutines' creations watched. */
interface WatchedImage {
  image: PolicedImage;
  /** Link-time address of the instruction after newproc's call to newproc1. */
  returnAddress: number;
  reader: GoroutineReader;
  judge: Judge;
  ancestorPcsLimit: number | undefined;
}

/** A process whose threads get the breakpoint, at `address` (runtime address). */
interface WatchedProcess {
  watched: WatchedImage;
  bias: number;
  address: number;
  /** Per thread's g0, its m: fixed for the thread's life, so read once (one read less per goroutine). */
  mOfG0: Map<number, number>;
}

/** Made by the tracer where the policy confines a module. */
export class CreationWatch {
  /** What the decision reads where the runtime truncated a goroutine's ancestry. */
  readonly verdicts = new CreationVerdicts();
  /** Per image: how it is watched, or why it cannot be (warned once). */
  private readonly images = new WeakMap<PolicedImage, WatchedImage | string>();
  /** Per process (tgid): where its threads break, or null when none of its goroutines is watched. */
  private readonly processes = new Map<number, WatchedProcess | null>();
  private readonly stack: StackWindow;
  /** Why breakpoints cannot be set on this machine, once known. */
  private unavailable: string | undefined;

  constructor(
    private readonly arch: Arch,
    private readonly breakpoint: HardwareBreakpoint,
    private readonly imageCache: ImageCache,
    private readonly tracee: Tracee,
    private readonly warn: (msg: string, fields: Record<string, unknown>) => void,
    private readonly threadGroup: (tid: number) => number,
  ) {
    this.stack = new StackWindow(STACK_WINDOW, tracee.memory);
  }

  /**
   * Process `tid` has exec'd (the root once its filter is in): its old addresses mean nothing, and
   * its one thread gets the breakpoint of its new image, if that is watched.
   */
  onExec(tid: number): void {
    this.forgetProcess(tid);
    this.arm(tid, tid);
  }

  /** A process ended. */
  forgetProcess(tgid: number): void {
    this.processes.delete(tgid);
    this.verdicts.forgetProcess(tgid);
  }

  /**
   * Looks at every stop before the tracer does. Returns true for a stop it handled and resumed:
   * a hit of the breakpoint. It arms a new thread at its first stop
   * (PTRACE_EVENT_STOP under PTRACE_SEIZE), before it runs an instruction: debug registers are
   * per thread, and neither clone nor fork copies them.
   */
  onStop(tid: number, signal: number, event: number): boolean {
    // A new thread's first stop; a group-stop of an armed one is armed again, which is harmless.
    if (event === PTRACE_EVENT_STOP) {
      this.arm(tid, this.threadGroup(tid));
      return false;
    }
    if (signal !== SIGTRAP || event !== 0) return false;
    return this.onTrap(tid);
  }

  private onTrap(tid: number): boolean {
    const info = this.trapInfo(tid);
    if (!info) return true; // gone
    if (info.code !== TRAP_HWBKPT) return false;
    const tgid = this.threadGroup(tid);
    const proc = this.processOf(tgid);
    if (!proc || info.addr !== proc.address) return false;
    try {
      // si_addr is whatever a sender of the signal chose: the registers tell.
      const hit = this.breakpoint.readHit(tid);
      if (hit.pc !== proc.address) return false;
      this.judgeCreation(tid, tgid, proc, hit);
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ESRCH") return true;
      throw e;
    }
    resume(tid);
    return true;
  }

  /** Judges the creation `tid` is stopped at and records the verdict; records nothing where the stop is not newproc's. */
  private judgeCreation(tid: number, tgid: number, proc: WatchedProcess, hit: BreakpointHit): void {
    const { watched, bias } = proc;
    const reader = watched.reader;
    const newg = reader.readG(tid, hit.result);
    if (!newg || newg.goid === 0) return;
    // The closure runs on g0; the goroutine that ran `go` is its m's curg, with its registers
    // saved by systemstack (gosave_systemstack_switch: pc in systemstack_switch, sp, no lr).
    const m = this.threadM(tid, hit.g, proc);
    const creator = m && reader.readG(tid, m.curg);
    if (!creator) return;
    this.stack.reset(tid, creator.schedsp);
    // The saved pc is where the goroutine resumes, not a return address: the walk looks up the
    // byte before the pc it is given (before Go 1.21 on amd64 the saved pc is systemstack_switch's entry).
    const saved = { pc: creator.schedpc + 1, sp: creator.schedsp, lr: 0 };
    const trace = unwindGoStack(watched.image.pclntab, this.arch, saved, bias, this.stack, false, creator.stackHi);
    // Anything else is not newproc's switch to the system stack: the runtime's first goroutine,
    // made by rt0_go on g0, or a `go` in code already on the system stack.
    if (trace.steps[0]?.name !== SYSTEMSTACK_SWITCH || trace.steps[1]?.name !== NEWPROC) return;
    const found = watched.judge.judge(trace);
    let verdict: Verdict;
    if (!found.block) verdict = this.creatorsOf(tid, tgid, creator, watched, bias);
    else if (found.reason === "confined") verdict = { ...found, reason: `goroutine ${creator.goid} created goroutine ${newg.goid} with confined code on its stack` };
    else verdict = { ...found, reason: `goroutine ${creator.goid} created goroutine ${newg.goid} with a stack that was not fully walked: ${trace.incompleteReason}` };
    this.verdicts.record(tgid, newg.addr, newg.goid, verdict);
  }

  /** The m of the thread whose g0 is `g0`, where `g0` is one. */
  private threadM(tid: number, g0: number, proc: WatchedProcess): ThreadM | undefined {
    const reader = proc.watched.reader;
    const known = proc.mOfG0.get(g0);
    let m = known === undefined ? undefined : reader.readM(tid, known);
    if (m?.g0 === g0) return m;
    const g = reader.readG(tid, g0);
    m = g && reader.readM(tid, g.m);
    if (m?.g0 !== g0) return undefined;
    proc.mOfG0.set(g0, g!.m);
    return m;
  }

  /**
   * The verdict on the creators of `g`: recorded when it was created; else (it was created
   * before its process was watched, or by rt0_go) judged from its g.ancestors as the decision
   * judges them, and kept.
   */
  private creatorsOf(tid: number, tgid: number, g: Goroutine, watched: WatchedImage, bias: number): Verdict {
    const recorded = this.verdicts.verdict(tgid, g.addr, g.goid);
    if (recorded) return recorded;
    const table = watched.image.pclntab;
    const { findings, truncated } = judgeCreators(watched.image.confinement, (pc) => table.frames(pc - bias - 1), g, watched.reader.readAncestors(tid, g), watched.ancestorPcsLimit);
    const first = findings[0] ?? (truncated ? truncatedAncestry(g.goid) : undefined);
    const verdict: Verdict = first ? { block: true, ...first } : { block: false };
    this.verdicts.record(tgid, g.addr, g.goid, verdict);
    return verdict;
  }

  /** Sets the breakpoint of thread `tid` of process `tgid`, where its image is watched. */
  private arm(tid: number, tgid: number): void {
    if (this.unavailable !== undefined) return;
    const proc = this.processOf(tgid);
    if (!proc) return;
    try {
      this.breakpoint.arm(tid, proc.address);
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      // The thread died, or is not in a stop the tracer can act on.
      if (e.code === "ESRCH") return;
      this.unavailable = e.message;
      this.warn("hardware breakpoints are unavailable: goroutines started deeper than the runtime records their creators stay blocked", { error: e.message });
    }
  }

  private processOf(tgid: number): WatchedProcess | null {
    let proc = this.processes.get(tgid);
    if (proc !== undefined) return proc;
    proc = null;
    try {
      const { image, bias } = this.imageCache.forProcess(tgid);
      const watched = image.kind === "policed" ? this.watchedImage(image) : undefined;
      if (watched) proc = { watched, bias, address: watched.returnAddress + bias, mOfG0: new Map() };
    } catch {
      // The process is gone (its /proc entry with it).
    }
    this.processes.set(tgid, proc);
    return proc;
  }

  private watchedImage(image: PolicedImage): WatchedImage | undefined {
    let w = this.images.get(image);
    if (w === undefined) {
      try {
        w = watchImage(image, this.arch, this.breakpoint, this.tracee);
      } catch (e) {
        if (!(e instanceof PclntabError)) throw e;
        w = e.message;
      }
      if (typeof w === "string") this.warn(`goroutines started deeper than the runtime records their creators stay blocked: ${w}`, { exe: image.path });
      this.images.set(image, w ?? "ancestry is off");
    }
    return typeof w === "string" ? undefined : w;
  }

  private trapInfo(tid: number): { code: number; addr: number } | undefined {
    try {
      return getSigInfo(tid);
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ESRCH") return undefined;
      throw e;
    }
  }
}

/** What watching `image` needs, why it cannot be had, or undefined where ancestry is off (the Decider warns of that). */
function watchImage(image: PolicedImage, arch: Arch, breakpoint: HardwareBreakpoint, tracee: Tracee): WatchedImage | string | undefined {
  const layout = image.runtimeLayout;
  if (layout instanceof RuntimeLayoutError) return undefined;
  const returnAddress = newprocReturnAddress(image, arch, breakpoint);
  if (typeof returnAddress === "string") return returnAddress;
  return {
    image,
    returnAddress,
    reader: new GoroutineReader(layout, tracee.memory),
    judge: new Judge(image.confinement),
    ancestorPcsLimit: layout.ancestorPcsLimit,
  };
}

/** The link-time address newproc1 returns to in newproc's closure, or why it cannot be found. */
function newprocReturnAddress(image: PolicedImage, arch: Arch, breakpoint: HardwareBreakpoint): number | string {
  const table = image.pclntab;
  const closure = table.functionNamed(NEWPROC_CLOSURE);
  const calleeFn = table.functionNamed(NEWPROC1);
  const callee = calleeFn === undefined ? undefined : table.funcEntry(calleeFn);
  if (closure === undefined || callee === undefined) return `the binary has no ${closure === undefined ? NEWPROC_CLOSURE : NEWPROC1}`;
  const entry = table.funcEntry(closure);
  const code = image.elf.readAt(entry, table.funcEnd(closure) - entry);
  if (!code) return `the code of ${NEWPROC_CLOSURE} cannot be read`;
  const calls: number[] = [];
  arch.scanCode(code, entry, (ref) => {
    if (ref.kind === "call" && ref.target === callee) calls.push(ref.pc);
  });
  if (calls.length !== 1) return `${NEWPROC_CLOSURE} calls ${NEWPROC1} ${calls.length} times, not once`;
  return breakpoint.returnAddressOfCall(code, entry, calls[0]!) ?? `no call instruction at 0x${calls[0]!.toString(16)} in ${NEWPROC_CLOSURE}`;
}
