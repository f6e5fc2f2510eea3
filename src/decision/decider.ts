// The decision for one trapped syscall of a policed process: walk the thread's Go stack (or, for
// C code called through cgo, the calling goroutine's), then the goroutine's creators
// (docs/design.md #5), and judge every logical frame met on the way.
import type { ArchSpec, SyscallRegs } from "../arch/arch.ts";
import type { ArchName } from "../arch/name.ts";
import { syscallName } from "../arch/arches.ts";
import { readOnlyOpen } from "../arch/open-flags.ts";
import { DEFER_RUNNERS, type DeferredCallFrames, deferredCallFrames } from "../confinement/defers.ts";
import type { CapabilityClass } from "../policy/classes.ts";
import { type Creators, judgeCreators, truncatedAncestry } from "../confinement/creators.ts";
import { classifySyscall } from "../confinement/syscall-classes.ts";
import { type Confinement, UNKNOWN_OWNER } from "../confinement/model.ts";
import { type LazyLoader, lazyLoaderAt, stdFunctionClass } from "../confinement/std-functions.ts";
import type { LogicalFrame, Pclntab } from "../gobin/pclntab.ts";
import { RuntimeLayoutError } from "../gobin/runtime-layout.ts";
import { GoroutineReader, type Goroutine } from "../unwind/goroutine.ts";
import { StackWindow } from "../unwind/stack.ts";
import { unwindGoStack, type StackTrace } from "../unwind/unwind.ts";
import { CCodeVerdicts } from "./c-code.ts";
import type { PolicedImage, ProcessImage } from "./image.ts";
import type { CreationVerdicts } from "./creations.ts";
import { AncestryOffError } from "./errors.ts";
import { InvolvementFinder, type Involvement } from "./involvement.ts";
import type { Tracee } from "./tracee.ts";
import { type CallClass, Judge, type Verdict } from "./verdict.ts";

/** Why a syscall from C code has no Go caller: C code started its thread. */
const NO_GOROUTINE = "a syscall from C code on a thread without a goroutine";

/** Bounds the per-goroutine cache; goroutine-heavy programs make many. */
const MAX_CACHED_GOROUTINES = 100_000;

/**
 * The creators of a goroutine whose creation was judged clean (src/tracer/creations.ts): its
 * creator's whole stack, the go statement in it, and the creator's own creators, all of which
 * g.ancestors holds a part of; so its ancestors need not be read. A block there is not used
 * this way: the ancestors, judged with the call's class, may allow what it blocks.
 */
const NO_CREATORS: Creators = { findings: [], truncated: false };

/** How much stack one read takes: most walks need one. */
const STACK_WINDOW = 4 * 1024;

export interface Decision {
  verdict: Verdict;
  /** The stack that was judged, for debug logs. */
  trace: StackTrace;
}

/** A decision and, when it blocks, every confined module that took part. */
export interface DecidedStop {
  decision: Decision;
  involvement: Involvement | undefined;
}

export interface DeciderOptions {
  strict: boolean;
  warn: (msg: string, fields: Record<string, unknown>) => void;
  /** Each goroutine's creators judged in full when it was created (src/tracer/creations.ts), where they were. */
  creations?: CreationVerdicts;
}

/** What the tracer asks of a policed image: the Decider, or a decorator of it (recorded-stop.ts's RecordingDecider). */
export interface StopDecider {
  /** Undefined while only the dynamic loader has run in this process: let through without a look. */
  decideStop(tid: number, tgid: number, regs: SyscallRegs, proc: ProcessImage): DecidedStop | undefined;
}

export class Decider implements StopDecider {
  private readonly confinement: Confinement;
  private readonly judge: Judge;
  private readonly cCode: CCodeVerdicts;
  private readonly table: Pclntab;
  private readonly goroutines: GoroutineReader | undefined;
  private readonly stack: StackWindow;
  /** Why goroutine ancestry is off for this binary, once known; reported once. */
  private ancestryOff: string | undefined;
  private warned = false;
  /** Per g address: the creators of the goroutine (process and goid) it last held. */
  private readonly creators = new Map<number, { tgid: number; goid: number; creators: Creators }>();
  /** Made on the first blocked call. */
  private involved: InvolvementFinder | undefined;

  constructor(
    private readonly image: PolicedImage,
    private readonly arch: ArchSpec,
    private readonly tracee: Tracee,
    private readonly options: DeciderOptions,
  ) {
    this.confinement = image.confinement;
    this.judge = new Judge(this.confinement);
    this.stack = new StackWindow(STACK_WINDOW, tracee.memory);
    this.cCode = new CCodeVerdicts(image, this.stack, tracee);
    this.table = image.pclntab;
    const layout = image.runtimeLayout;
    if (layout instanceof RuntimeLayoutError) this.ancestryOff = layout.reason;
    else this.goroutines = new GoroutineReader(layout, tracee.memory);
    if (!this.judge.confinesAnything) this.ancestryOff = undefined;
  }

  /**
   * Undefined while only the dynamic loader has run in this process (no Go code yet). A blocking
   * verdict names the call's class, worked out only then (reports and `learn` need it whether or
   * not the policy grants classes; an allowed call never pays for it).
   */
  decide(tid: number, tgid: number, regs: SyscallRegs, proc: ProcessImage): Decision | undefined {
    const decision = this.judgeStop(tid, tgid, regs, proc);
    if (!decision?.verdict.block || decision.verdict.class) return decision;
    return { ...decision, verdict: { ...decision.verdict, class: { name: this.callClassOf(regs, decision.trace)() ?? "none" } } };
  }

  decideStop(tid: number, tgid: number, regs: SyscallRegs, proc: ProcessImage): DecidedStop | undefined {
    const decision = this.decide(tid, tgid, regs, proc);
    if (!decision) return undefined;
    return { decision, involvement: decision.verdict.block ? this.involvement(tid, tgid, regs, proc, decision.trace) : undefined };
  }

  private judgeStop(tid: number, tgid: number, regs: SyscallRegs, proc: ProcessImage): Decision | undefined {
    // The goroutine whose stack holds SP bounds the walk (Go code's syscalls; not C code's).
    let g = this.judge.confinesAnything ? this.goroutineOnStack(tid, regs) : undefined;
    this.stack.reset(tid, regs.sp);
    let trace = unwindGoStack(this.table, this.arch, regs, proc.bias, this.stack, true, g?.stackHi);
    if (!trace.leafInGo) {
      g = undefined;
      if (!proc.goStarted) {
        // The dynamic loader, the runtime's start, or C code before Go (a constructor).
        const before = this.judge.confinesAnything ? this.cCode.beforeGo(tid, tgid, regs.sp, proc.bias) : undefined;
        return before && { verdict: before, trace };
      }
      // Code that no file holds was written at run time: no function table says whose it is,
      // and it can pass for the runtime's own C call (by setting g to g0). The syscall
      // instruction ends at pc.
      const code = this.judge.confinesAnything ? this.tracee.codeMapping(tid, regs.pc - 1) : undefined;
      if (code && !code.fileBacked) {
        const reason = `a syscall from pc 0x${regs.pc.toString(16)}, in code no file holds: ${code.mapping}`;
        return { verdict: { block: true, module: UNKNOWN_OWNER, frame: undefined, reason }, trace };
      }
      const cgo = this.cgoCaller(tid);
      if (cgo === "runtime") return { verdict: { block: false }, trace };
      if (cgo === NO_GOROUTINE && this.judge.confinesAnything) return { verdict: this.cCode.withoutGoroutine(tid, regs.sp, proc.bias), trace };
      if (typeof cgo === "string") return { verdict: this.judge.judge({ ...trace, incompleteReason: cgo }), trace };
      g = cgo;
      this.stack.reset(tid, g.syscallsp);
      const bound = g.stackLo <= g.syscallsp && g.syscallsp < g.stackHi ? g.stackHi : undefined;
      trace = unwindGoStack(this.table, this.arch, { pc: g.syscallpc, sp: g.syscallsp, lr: 0 }, proc.bias, this.stack, false, bound);
    }
    proc.goStarted = true;
    const callClass = this.confinement.grantsClasses ? this.callClassOf(regs, trace) : undefined;
    const verdict = this.judge.judge(trace, g && this.deferredCallFrames(tid, g, trace), callClass);
    if (verdict.block || !this.judge.confinesAnything) return { verdict, trace };
    g ??= this.currentGoroutine(tid, regs);
    return { verdict: g ? this.creatorsVerdict(tid, tgid, g, proc.bias, callClass) : verdict, trace };
  }

  /**
   * Who took part in a call whose verdict blocks it (for reports and `gomodjail learn`): every
   * confined module on `trace` and among the creators of the goroutine that made it. Quiet: what
   * cannot be read is reported as unseen, never warned about or failed on.
   */
  involvement(tid: number, tgid: number, regs: SyscallRegs, proc: ProcessImage, trace: StackTrace): Involvement {
    const layout = this.image.runtimeLayout;
    this.involved ??= new InvolvementFinder(this.confinement, this.table, this.goroutines, layout instanceof RuntimeLayoutError ? undefined : layout.ancestorPcsLimit);
    let g: Goroutine | undefined;
    if (trace.leafInGo) {
      g = this.goroutineOnStack(tid, regs);
    } else {
      const cgo = this.cgoCaller(tid);
      if (typeof cgo === "object") g = cgo;
    }
    return this.involved.find(trace, g && { tid, tgid, g, bias: proc.bias });
  }

  /** The goroutine in the g register whose stack holds SP, if it can be read; quiet. */
  private goroutineOnStack(tid: number, regs: SyscallRegs): Goroutine | undefined {
    const g = this.goroutines?.readG(tid, regs.g);
    return g && g.stackLo <= regs.sp && regs.sp < g.stackHi ? g : undefined;
  }

  /** How each frame counts where deferred calls run on top of a panic; undefined where none do. */
  private deferredCallFrames(tid: number, g: Goroutine, trace: StackTrace): DeferredCallFrames | undefined {
    if (!trace.steps.some((s) => DEFER_RUNNERS.has(s.name))) return undefined;
    return deferredCallFrames(
      trace.steps.map((s) => s.name),
      trace.sps,
      this.goroutines?.runningDeferSps(tid, g) ?? [],
    );
  }

  /** The goroutine running Go code on this thread (R14/R28), checked against its stack bounds. */
  private currentGoroutine(tid: number, regs: SyscallRegs): Goroutine | undefined {
    if (!this.goroutines) return this.ancestryUnavailable();
    const g = this.goroutines.readG(tid, regs.g);
    if (g && g.stackLo <= regs.sp && regs.sp < g.stackHi) return g;
    // A process that is exiting (its threads killed out of their stops) has no memory left to
    // read: that says nothing about the layout.
    if (!g && this.tracee.hasNoMemory(tid)) return undefined;
    return this.ancestryUnavailable(`the g register does not point at a goroutine whose stack holds SP (layout from ${this.layoutSource()})`);
  }

  /**
   * For a syscall made by C code: the goroutine that called into C (its saved syscall context),
   * "runtime" for the runtime's own C calls, or why it cannot be known.
   */
  private cgoCaller(tid: number): Goroutine | "runtime" | string {
    const reader = this.goroutines;
    const layout = this.image.runtimeLayout;
    if (!reader || layout instanceof RuntimeLayoutError) return "a syscall from C code, and the runtime's layout is unknown";
    if (!layout.tlsG.known) return `a syscall from C code, and where threads keep g is unknown (${layout.tlsG.reason})`;
    const gAddr = reader.readWord(tid, this.tracee.threadPointer(tid) + layout.tlsG.offset);
    if (!gAddr) return NO_GOROUTINE;
    const g0 = reader.readG(tid, gAddr);
    const m = g0 && reader.readM(tid, g0.m);
    if (!g0 || !m || m.g0 !== gAddr) return `a syscall from C code, and the thread's g (0x${gAddr.toString(16)}) is not its m's g0`;
    if (!m.incgo) return "runtime";
    const curg = reader.readG(tid, m.curg);
    if (!curg || curg.syscallsp === 0) return "a syscall from C code whose Go caller cannot be read";
    return curg;
  }

  private layoutSource(): string {
    const l = this.image.runtimeLayout;
    return l instanceof RuntimeLayoutError ? "nowhere" : l.source;
  }

  /** Ancestry is off for this binary: warn once (an error with --strict). */
  private ancestryUnavailable(reason?: string): undefined {
    if (reason !== undefined) this.ancestryOff ??= reason;
    if (!this.warned && this.ancestryOff !== undefined) {
      this.warned = true;
      const msg = `goroutine ancestry is off for this binary: ${this.ancestryOff}`;
      if (this.options.strict) throw new AncestryOffError(`${this.image.path}: ${msg} (--strict)`);
      this.options.warn(msg, { exe: this.image.path });
    }
    return undefined;
  }

  /**
   * Judges the goroutine's creator and the recorded stacks of its ancestors: each confined module
   * among them must allow the call's class (`callClass`, where classes are granted).
   */
  private creatorsVerdict(tid: number, tgid: number, g: Goroutine, bias: number, callClass: CallClass | undefined): Verdict {
    const creators = this.creatorsOf(tid, tgid, g, bias);
    let cls: CapabilityClass | undefined | null = null;
    for (const f of creators.findings) {
      if (!callClass) return { block: true, ...f };
      cls = cls === null ? callClass() : cls;
      const blocked = this.judge.classBlock(f.module, f.frame, f.reason, cls);
      if (blocked) return blocked;
    }
    if (!creators.truncated) return { block: false };
    // What the runtime dropped is known where the creators were judged in full at the creation
    // (all or nothing: a block there stays one, whatever the classes).
    return this.options.creations?.verdict(tgid, g.addr, g.goid) ?? { block: true, ...truncatedAncestry(g.goid) };
  }

  /** The confined modules among a goroutine's creators, read once per goroutine. */
  private creatorsOf(tid: number, tgid: number, g: Goroutine, bias: number): Creators {
    // A g is reused for later goroutines (another goid), and forks share addresses (another tgid).
    const cached = this.creators.get(g.addr);
    if (cached && cached.tgid === tgid && cached.goid === g.goid) return cached.creators;
    const creators = this.options.creations?.verdict(tgid, g.addr, g.goid)?.block === false ? NO_CREATORS : this.judgeAncestors(tid, g, bias);
    if (this.creators.size >= MAX_CACHED_GOROUTINES) this.creators.clear();
    this.creators.set(g.addr, { tgid, goid: g.goid, creators });
    return creators;
  }

  /** The confined modules among the creators g.ancestors records. */
  private judgeAncestors(tid: number, g: Goroutine, bias: number): Creators {
    const layout = this.image.runtimeLayout;
    const limit = layout instanceof RuntimeLayoutError ? undefined : layout.ancestorPcsLimit;
    return judgeCreators(this.confinement, (pc) => this.table.frames(pc - bias - 1), g, this.goroutines!.readAncestors(tid, g), limit);
  }

  /** The class of the call at this stop: what the standard library function on the stack does, else the syscall's. */
  private callClassOf(regs: SyscallRegs, trace: StackTrace): CallClass {
    const isStd = (f: Pick<LogicalFrame, "func" | "file">) => this.confinement.moduleOfFrame(f).kind === "std";
    return () => classOfCall(this.arch.name, regs, trace.frames, isStd);
  }
}

/**
 * The capability class of a syscall made under `frames` (innermost first; none where no stack
 * could be read): the standard library function's that makes it, else the syscall's own.
 */
export function classOfCall(
  arch: ArchName,
  regs: Pick<SyscallRegs, "nr" | "args">,
  frames: readonly Pick<LogicalFrame, "func" | "file">[],
  isStd: (frame: Pick<LogicalFrame, "func" | "file">) => boolean,
): CapabilityClass | undefined {
  return stdFunctionClass(frames, isStd) ?? classifySyscall(arch, syscallName(arch, regs.nr), regs.args);
}

/**
 * The lazy loader of the standard library that makes a call the decision blocks, when the call is
 * a read-only openat of that loader's, with the open's flags (`flagsOf` reads them, only then):
 * the tracer lets it on, on the condition that the file the kernel opens is one of the loader's
 * (src/tracer/std-initialization.ts). Blocks that come from a goroutine's creators count too: the
 * loader's own frames are what is looked at.
 */
export function stdInitialization(image: PolicedImage, decision: Decision, syscall: string, flagsOf: () => number): { loader: LazyLoader; flags: number } | undefined {
  if (!decision.verdict.block || syscall !== "openat") return undefined;
  const loader = lazyLoaderAt(decision.trace.frames, (f) => image.confinement.moduleOfFrame(f).kind === "std", image.goVersion);
  if (!loader) return undefined;
  const flags = flagsOf();
  return readOnlyOpen(flags) ? { loader, flags } : undefined;
}
