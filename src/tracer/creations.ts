// Judges every goroutine's creator as the goroutine is created (docs/design.md #5): g.ancestors
// keeps only the innermost 50 frames of a creator's stack (100 before Go 1.21), so a goroutine
// started deeper would be blocked for what the runtime dropped. A breakpoint written into the code
// (arch.ts, CodeBreakpointSpec) where runtime.newproc1 returns in the closure newproc runs on the
// system stack stops the thread with the new g in the result register and the creator's registers
// saved in its g.sched; the creator's whole stack is judged as it is there, with the verdict on its
// own creators, and the verdict kept for the decision (src/decision/creations.ts). The new
// goroutine cannot run yet: newproc puts it on a run queue only after newproc1 returns.
//
// The trap is written once per process, at its exec, before its first instruction; a fork copies
// it with the code. At each hit the tracer runs the one instruction it covers for the thread, so
// it stays in place for the others. A process that removes it (its code made writable, or written
// through /proc/PID/mem) only loses the verdicts: what the runtime truncated then blocks.
//
// The pc tells a hit: a thread may send itself a SIGTRAP that claims the trap's si_code, but it
// is at the hit's pc only once it has run the trap (amd64: the pc is past it) or just before it
// runs it (arm64); Go code reaches the rest of the covered instruction only by jumping into it
// (unsafe or assembly, which can forge a stack anyway: README, "What run-time checking cannot
// see"). The si_code tells a SIGTRAP of the program's own that stopped the thread there: one that
// was pending when the trap ran, which the trap's then joined (amd64: a hit, and the signal is
// delivered on), or one that came before the trap ran (arm64: delivered, and the trap stops the
// thread when it runs).
//
// Every `go` statement stops its thread once, which costs about what one trapped syscall does: its
// registers read and written, its siginfo, and its memory read: the covered load's word, the new
// g, the thread's m, the creator's g and stack, in one read where the thread's last creation was
// the same goroutine's at the same place (a loop of `go` statements).
//
// Most goroutines never make a call that is stopped, and the verdict on their creators is then
// never asked for; walking the creator's stack is most of a creation stop's cost while a program
// starts (each pc's first decoding, with the JIT held back). So the stop copies the creator's stack
// and takes its creators' verdict, and the walk and the judgment wait until the decision first asks
// (src/decision/creations.ts): on the copy, they find what they would have found at the creation.
// The copies held at once are bounded; past the bound the oldest are judged. A stack whose every
// pc an earlier walk decoded is judged at once, as that costs less than a copy, and so are a loop
// of `go` statements from its second pass on (its walk decodes what every later pass needs) and a
// stack too deep to copy.
//
// Coroutines (iter.Pull: newproc1 called by runtime.newcoro) are not watched: one started deeper
// than the runtime records stays blocked.
import type { Arch, BreakpointHit, BreakpointRegisters, CodeBreakpointSpec, CoveredLoad } from "../arch/arch.ts";
import type { PolicedImage } from "../decision/image.ts";
import { CreationVerdicts, PutOffVerdict } from "../decision/creations.ts";
import { judgeCreators, truncatedAncestry } from "../confinement/creators.ts";
import type { Tracee } from "../decision/tracee.ts";
import { Judge, type Verdict } from "../decision/verdict.ts";
import { PclntabError } from "../gobin/pclntab.ts";
import { RuntimeLayoutError } from "../gobin/runtime-layout.ts";
import { SyscallError } from "../libc/libc.ts";
import { RemoteMemory } from "../libc/memory.ts";
import { pokeWord, resume, SIGTRAP, stopSignalCode } from "../libc/ptrace.ts";
import { TracerError } from "../launch/errors.ts";
import { type Goroutine, GoroutineReader, type ThreadM } from "../unwind/goroutine.ts";
import { ReadAhead } from "../unwind/read-ahead.ts";
import { StackWindow } from "../unwind/stack.ts";
import type { MemoryBuffer, MemorySource } from "../unwind/memory.ts";
import { type StackTrace, unwindDecoded, unwindGoStack } from "../unwind/unwind.ts";
import { CopiedMemory, type StackCopy } from "../unwind/copied-stack.ts";
import type { ImageCache } from "./images.ts";

/** newproc's closure, the call in it whose return is watched, and the frames the creator's saved context starts with. */
const NEWPROC_CLOSURE = "runtime.newproc.func1";
const NEWPROC1 = "runtime.newproc1";
const NEWPROC = "runtime.newproc";
const SYSTEMSTACK_SWITCH = "runtime.systemstack_switch";

/** How much stack one read takes. */
const STACK_WINDOW = 4 * 1024;
/** How much a creation stop's first read takes at most: a word, two g's, an m and a stack window. */
const READ_AHEAD = 16 * 1024;
/** A creator's stack deeper than this is judged at its creation, not copied. */
const MAX_COPIED_STACK = 64 * 1024;
/** The most bytes of creators' stacks held unjudged at once, and the most creations in the queue of those put off. */
const MAX_COPIED_BYTES = 16 * 1024 * 1024;
const MAX_PUT_OFF = 100_000;

/** What a policed image needs to have its goroutines' creations watched. */
interface WatchedImage {
  image: PolicedImage;
  /** Link-time address of the instruction after newproc's call to newproc1. */
  returnAddress: number;
  reader: GoroutineReader;
  judge: Judge;
  ancestorPcsLimit: number | undefined;
  /** The instruction at the return address, which the trap covers, and its bytes in the file. */
  covered: CoveredLoad;
  original: Uint8Array;
}

/** A process whose threads get the breakpoint, at `address` (runtime address). */
interface WatchedProcess {
  watched: WatchedImage;
  bias: number;
  address: number;
  /** Per thread's g0, what its last creation found. */
  threads: Map<number, ThreadSeen>;
}

/**
 * What a thread's last creation found: its m, fixed for the thread's life, and the goroutine that
 * ran `go` with the stack pointer it saved, which a loop of `go` statements finds again: the next
 * creation reads them with its first read, and reads them again only where they changed.
 */
interface ThreadSeen {
  m: number;
  creator: number;
  creatorSp: number;
  /** Where the walk of its last creator's stack met a pc not decoded yet, if it did. */
  undecoded: number | undefined;
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
  /** A hit's first reads, made together (src/unwind/read-ahead.ts); the goroutine readers and the stack window read through it. */
  private readonly ahead: ReadAhead;
  private readonly aheadSpans: number[] = [];
  /** Where the tracer reads the word a covered instruction loads, and the code it covers. */
  private readonly word: MemoryBuffer;

  private readonly spec: CodeBreakpointSpec;
  private readonly registers: BreakpointRegisters;

  /** Where a creator's stack is read to be copied. */
  private readonly copyBuffer: MemoryBuffer;
  /** The judgments put off, oldest first (those before `firstPending` are done), and the bytes their copies hold. */
  private readonly queue: PutOffCreation[] = [];
  private firstPending = 0;
  private copiedBytes = 0;
  /** The walk of a copied stack. */
  private readonly copied = new CopiedMemory();
  private readonly copiedStack: StackWindow;

  constructor(
    private readonly arch: Arch,
    private readonly imageCache: ImageCache,
    private readonly tracee: Tracee,
    private readonly warn: (msg: string, fields: Record<string, unknown>) => void,
    private readonly threadGroup: (tid: number) => number,
  ) {
    this.spec = arch.codeBreakpoint;
    this.registers = arch.breakpoint;
    this.ahead = new ReadAhead(tracee.memory, new RemoteMemory(READ_AHEAD));
    this.stack = new StackWindow(STACK_WINDOW, this.ahead.source);
    this.word = this.ahead.source(8);
    this.copyBuffer = this.ahead.source(MAX_COPIED_STACK);
    this.copiedStack = new StackWindow(STACK_WINDOW, this.copied.source);
  }

  /**
   * Process `tid` has exec'd (the root once its filter is in), and has not run an instruction of
   * its new image: its old addresses mean nothing, and the trap goes in, if the image is watched.
   */
  onExec(tid: number): void {
    this.forgetProcess(tid);
    this.insert(tid);
  }

  /** A process ended. */
  forgetProcess(tgid: number): void {
    this.processes.delete(tgid);
    // Its judgments put off are discarded with its records.
    this.verdicts.forgetProcess(tgid);
  }

  /** Looks at every stop before the tracer does. Returns true for a stop it handled and resumed: a hit of the breakpoint. */
  onStop(tid: number, signal: number, event: number): boolean {
    if (signal !== SIGTRAP || event !== 0) return false;
    return this.onTrap(tid);
  }

  private onTrap(tid: number): boolean {
    const tgid = this.threadGroup(tid);
    const proc = this.processOf(tgid);
    if (!proc) return false;
    /** The stop carries a SIGTRAP of the program's own (see the top of this file): delivered on. */
    let programsSignal: boolean;
    try {
      const hit = this.registers.readHit(tid);
      if (hit.pc !== proc.address) return false;
      programsSignal = stopSignalCode(tid) !== this.spec.hitCode;
      if (programsSignal && !this.spec.stopsPastTrap) return false;
      this.readAhead(tid, proc, hit);
      try {
        // First, so that a failure to judge never leaves the thread inside the covered instruction.
        this.runCovered(tid, proc.watched.covered, hit);
        this.judgeCreation(tid, tgid, proc, hit);
      } finally {
        this.ahead.clear();
      }
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ESRCH") return true;
      throw e;
    }
    resume(tid, programsSignal ? SIGTRAP : 0);
    return true;
  }

  /**
   * Reads in one call the word the covered instruction loads, the new g and, as the thread's last
   * creation found them, its m, the creator's g and the creator's stack.
   */
  private readAhead(tid: number, proc: WatchedProcess, hit: BreakpointHit): void {
    const { covered, reader } = proc.watched;
    const spans = this.aheadSpans;
    spans.length = 0;
    spans.push(hit.g + covered.displacement, 8, hit.result, reader.gSpan);
    const seen = proc.threads.get(hit.g);
    if (seen) {
      spans.push(seen.m, reader.mSpan);
      if (seen.creator !== 0) spans.push(seen.creator, reader.gSpan, seen.creatorSp, STACK_WINDOW);
    }
    this.ahead.fill(tid, spans);
  }

  /** Runs for `tid`, stopped at `hit`, the instruction the trap covers: the load of a word at g + displacement. */
  private runCovered(tid: number, load: CoveredLoad, hit: BreakpointHit): void {
    const at = hit.g + load.displacement;
    if (this.word.read(tid, at, 8) !== 8) {
      throw new TracerError(`thread ${tid}: cannot run the instruction under the creation breakpoint: the word at 0x${at.toString(16)} cannot be read`);
    }
    this.registers.completeLoad(tid, hit.pc, load, this.word.view.getUint32(0, true), this.word.view.getUint32(4, true));
  }

  /**
   * Records the verdict on the creation `tid` is stopped at, or its judgment put off with a copy of
   * the creator's stack; records nothing where the stop is not newproc's.
   */
  private judgeCreation(tid: number, tgid: number, proc: WatchedProcess, hit: BreakpointHit): void {
    const { watched, bias } = proc;
    const reader = watched.reader;
    const newg = reader.readG(tid, hit.result);
    if (!newg || newg.goid === 0) return;
    // The closure runs on g0; the goroutine that ran `go` is its m's curg, with its registers
    // saved by systemstack (gosave_systemstack_switch: pc in systemstack_switch, sp, no lr).
    const thread = this.threadSeen(tid, hit.g, proc);
    const creator = thread && reader.readG(tid, thread.m.curg);
    if (!creator) return;
    thread.seen.creator = creator.addr;
    thread.seen.creatorSp = creator.schedsp;
    // Taken now: the creator's g and its ancestors are read while they are still its.
    const creators = this.creatorsOf(tid, tgid, creator, watched, bias);
    const creation: Creation = { watched, bias, creatorGoid: creator.goid, schedpc: creator.schedpc, stackHi: creator.stackHi, newGoid: newg.goid, creators };
    // Judged at once where that is cheap (every pc decoded already), where the stack cannot be
    // copied, or where the walk stops undecoded where the thread's last one did: a loop of `go`
    // statements, whose one full walk decodes what every later pass needs. Else put off.
    this.stack.reset(tid, creator.schedsp);
    const walked = unwindDecoded(watched.image.pclntab, this.arch, savedContext(creator.schedpc, creator.schedsp), bias, this.stack, false, creator.stackHi);
    const undecoded = typeof walked === "number" ? walked : undefined;
    const loop = undecoded !== undefined && undecoded === thread.seen.undecoded;
    thread.seen.undecoded = undecoded;
    const copy = undecoded !== undefined && !loop ? this.copyStack(tid, creator.schedsp, creator.stackHi) : undefined;
    if (copy) {
      this.putOff(tgid, newg, creation, copy);
      return;
    }
    const trace = typeof walked === "number" ? this.walk(creation, creator.schedsp, this.stack) : walked;
    const verdict = this.creationVerdict(creation, trace);
    if (verdict) this.verdicts.record(tgid, newg.addr, newg.goid, verdict);
  }

  /** Records the judgment of a creation put off, with the copy of its creator's stack. */
  private putOff(tgid: number, newg: Goroutine, creation: Creation, copy: StackCopy): void {
    const size = copy.bytes.length;
    this.makeRoom(size);
    const putOff = new PutOffCreation(
      () => this.judgeCopy(creation, copy),
      () => (this.copiedBytes -= size),
    );
    this.queue.push(putOff);
    this.copiedBytes += size;
    this.verdicts.record(tgid, newg.addr, newg.goid, putOff);
  }

  /** The creator's stack from `sp` to its top, copied; undefined where it is too deep or cannot be read whole. */
  private copyStack(tid: number, sp: number, stackHi: number): StackCopy | undefined {
    const depth = stackHi - sp;
    if (!(depth > 0 && depth <= MAX_COPIED_STACK)) return undefined;
    let n: number;
    try {
      n = this.copyBuffer.read(tid, sp, depth);
    } catch (e) {
      if (e instanceof SyscallError) return undefined;
      throw e;
    }
    return n === depth ? { base: sp, bytes: this.copyBuffer.buffer.slice(0, depth) } : undefined;
  }

  /** Judges the oldest judgments put off until one more of `incoming` bytes fits in the bounds. */
  private makeRoom(incoming: number): void {
    const queue = this.queue;
    for (;;) {
      // Those the decision asked for, and those discarded, are done already.
      while (this.firstPending < queue.length && queue[this.firstPending]!.done) this.firstPending++;
      if (this.firstPending === queue.length) break;
      if (this.copiedBytes + incoming <= MAX_COPIED_BYTES && queue.length - this.firstPending < MAX_PUT_OFF) break;
      queue[this.firstPending++]!.settle();
    }
    if (this.firstPending > 1024 && this.firstPending * 2 > queue.length) {
      queue.splice(0, this.firstPending);
      this.firstPending = 0;
    }
  }

  /** Judges a creation put off on the copy of its creator's stack (for its PutOffCreation, once). */
  private judgeCopy(creation: Creation, copy: StackCopy): Verdict | undefined {
    this.copiedBytes -= copy.bytes.length;
    this.copied.use(copy);
    try {
      this.copiedStack.reset(0, copy.base);
      return this.creationVerdict(creation, this.walk(creation, copy.base, this.copiedStack));
    } finally {
      this.copied.use(undefined);
    }
  }

  /** The walk of a creator's stack, read through `stack` from `sp`. */
  private walk(c: Creation, sp: number, stack: StackWindow): StackTrace {
    return unwindGoStack(c.watched.image.pclntab, this.arch, savedContext(c.schedpc, sp), c.bias, stack, false, c.stackHi);
  }

  /**
   * The verdict on a creation: the walk of its creator's stack, and the creator's own creators;
   * undefined where the stack is not newproc's switch to the system stack.
   */
  private creationVerdict(c: Creation, trace: StackTrace): Verdict | undefined {
    const { watched, creatorGoid } = c;
    // Anything else is not newproc's switch to the system stack: the runtime's first goroutine,
    // made by rt0_go on g0, or a `go` in code already on the system stack.
    if (trace.steps[0]?.name !== SYSTEMSTACK_SWITCH || trace.steps[1]?.name !== NEWPROC) return undefined;
    const found = watched.judge.judge(trace);
    if (!found.block) return c.creators;
    if (found.reason === "confined") return { ...found, reason: `goroutine ${creatorGoid} created goroutine ${c.newGoid} with confined code on its stack` };
    return { ...found, reason: `goroutine ${creatorGoid} created goroutine ${c.newGoid} with a stack that was not fully walked: ${trace.incompleteReason}` };
  }

  /** The m of the thread whose g0 is `g0`, where `g0` is one, and what its last creation found. */
  private threadSeen(tid: number, g0: number, proc: WatchedProcess): { m: ThreadM; seen: ThreadSeen } | undefined {
    const reader = proc.watched.reader;
    let seen = proc.threads.get(g0);
    let m = seen && reader.readM(tid, seen.m);
    if (seen && m?.g0 === g0) return { m, seen };
    const g = reader.readG(tid, g0);
    m = g && reader.readM(tid, g.m);
    if (m?.g0 !== g0) return undefined;
    seen = { m: g!.m, creator: 0, creatorSp: 0, undecoded: undefined };
    proc.threads.set(g0, seen);
    return { m, seen };
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

  /**
   * Writes the trap into process `tgid` (stopped at its exec), where its image is watched and its
   * code at the return address is the file's; else its creations go unwatched, and it is told.
   */
  private insert(tgid: number): void {
    const proc = this.processOf(tgid);
    if (!proc) return;
    const { original } = proc.watched;
    try {
      if (this.word.read(tgid, proc.address, 8) !== 8) throw new TracerError(`the code at 0x${proc.address.toString(16)} cannot be read`);
      const code = this.word.buffer;
      if (original.some((b, i) => code[i] !== b)) throw new TracerError(`the code at 0x${proc.address.toString(16)} is not the file's`);
      code.set(this.spec.trap);
      pokeWord(tgid, proc.address, this.word.view.getBigUint64(0, true));
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ESRCH") return; // gone
      if (!(e instanceof SyscallError || e instanceof TracerError)) throw e;
      this.processes.set(tgid, null);
      this.warn("the creation breakpoint cannot be written: goroutines started deeper than the runtime records their creators stay blocked", { pid: tgid, error: e.message });
    }
  }

  private processOf(tgid: number): WatchedProcess | null {
    let proc = this.processes.get(tgid);
    if (proc !== undefined) return proc;
    proc = null;
    try {
      const { image, bias } = this.imageCache.forProcess(tgid);
      const watched = image.kind === "policed" ? this.watchedImage(image) : undefined;
      if (watched) proc = { watched, bias, address: watched.returnAddress + bias, threads: new Map() };
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
        w = watchImage(image, this.arch, this.spec, this.ahead.source);
      } catch (e) {
        if (!(e instanceof PclntabError)) throw e;
        w = e.message;
      }
      if (typeof w === "string") this.warn(`goroutines started deeper than the runtime records their creators stay blocked: ${w}`, { exe: image.path });
      this.images.set(image, w ?? "ancestry is off");
    }
    return typeof w === "string" ? undefined : w;
  }
}

/** What watching `image` needs, why it cannot be had, or undefined where ancestry is off (the Decider warns of that). */
function watchImage(image: PolicedImage, arch: Arch, spec: CodeBreakpointSpec, memory: MemorySource): WatchedImage | string | undefined {
  const layout = image.runtimeLayout;
  if (layout instanceof RuntimeLayoutError) return undefined;
  const returnAddress = newprocReturnAddress(image, arch, spec);
  if (typeof returnAddress === "string") return returnAddress;
  const code = image.elf.readAt(returnAddress, 16);
  const covered = code && spec.coveredLoad(code);
  if (!covered) return `the instruction ${NEWPROC1} returns to in ${NEWPROC_CLOSURE} is not one the tracer can run at a breakpoint`;
  return {
    image,
    returnAddress,
    reader: new GoroutineReader(layout, memory),
    judge: new Judge(image.confinement),
    ancestorPcsLimit: layout.ancestorPcsLimit,
    covered,
    original: code.slice(0, covered.length),
  };
}

/** The link-time address newproc1 returns to in newproc's closure, or why it cannot be found. */
function newprocReturnAddress(image: PolicedImage, arch: Arch, spec: CodeBreakpointSpec): number | string {
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
  return calls[0]! + spec.callLength;
}

/**
 * Where a walk of a creator's stack starts: its saved context. The saved pc is where the goroutine
 * resumes, not a return address, and the walk looks up the byte before the pc it is given (before
 * Go 1.21 on amd64 the saved pc is systemstack_switch's entry): one past it.
 */
function savedContext(schedpc: number, sp: number): { pc: number; sp: number; lr: number } {
  return { pc: schedpc + 1, sp, lr: 0 };
}

/** What judging a creation needs besides the creator's stack. */
interface Creation {
  watched: WatchedImage;
  bias: number;
  /** The creator's goid, saved pc and stack top. */
  creatorGoid: number;
  schedpc: number;
  stackHi: number;
  newGoid: number;
  /** The verdict on the creator's own creators, taken at the creation. */
  creators: Verdict;
}

/** A creation whose judgment is put off: `judge` holds the copy of its creator's stack until it runs or is discarded. */
class PutOffCreation extends PutOffVerdict {
  private verdict: Verdict | undefined;

  constructor(
    private judge: (() => Verdict | undefined) | undefined,
    /** Hands the copy's bytes back to the bound when it is discarded unjudged. */
    private readonly release: () => void,
  ) {
    super();
  }

  /** Judged or discarded. */
  get done(): boolean {
    return this.judge === undefined;
  }

  settle(): Verdict | undefined {
    const judge = this.judge;
    if (judge) {
      this.judge = undefined;
      this.verdict = judge();
    }
    return this.verdict;
  }

  discard(): void {
    if (!this.judge) return;
    this.judge = undefined;
    this.release();
  }
}
