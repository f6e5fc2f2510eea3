// Walks a Go stack from a syscall stop: the exact leaf frame from the SP-delta table (the PC is
// inside a frameless assembly stub, docs/design.md #2), pcsp for every frame above, and the inline
// tree for the logical frames of each physical one (docs/design.md #3).
import type { ArchSpec, SyscallRegs } from "../arch/arch.ts";
import { PclntabError, type LogicalFrame, type Pclntab } from "../gobin/pclntab.ts";
import type { StackWindow } from "./stack.ts";

export interface StackTrace {
  /** Physical frames, innermost first, each with its logical frames. */
  steps: PhysicalStep[];
  /** The stack pointer of each physical frame (while it runs), as the runtime's unwinder has it. */
  sps: number[];
  /** Logical frames, innermost first (built on demand: logs and blocked calls only). */
  readonly frames: LogicalFrame[];
  /** True when the walk reached a function at which every Go stack legitimately ends. */
  complete: boolean;
  /** Why the walk stopped short, when it did. */
  incompleteReason?: string;
  /** False when the syscall was made outside Go code (the dynamic loader, C code). */
  leafInGo: boolean;
}

/** What one physical frame at a pc contributes to a walk: decoded once per pc, then reused. */
export interface PhysicalStep {
  name: string;
  frames: readonly LogicalFrame[];
  root: boolean;
  spDelta: number | undefined;
}

function trace(steps: PhysicalStep[], sps: number[], complete: boolean, leafInGo: boolean, incompleteReason?: string): StackTrace {
  return {
    steps,
    sps,
    get frames() {
      return steps.flatMap((s) => s.frames);
    },
    complete,
    incompleteReason,
    leafInGo,
  };
}

// Functions at the bottom of a stack: goroutine and thread entry points, and the points where
// the runtime switches stacks (what ran before the switch is on another stack).
const STACK_ROOTS = new Set([
  "runtime.goexit",
  "runtime.mstart",
  "runtime.mstart0",
  "runtime.rt0_go",
  "runtime.mcall",
  "runtime.morestack",
  "runtime.systemstack",
  "runtime.sigtramp",
  "runtime.sigreturn__sigaction",
]);

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * `bias` is the load bias: runtime PC = link-time PC + bias (non-zero for PIE). `regs.pc` is the
 * PC after the syscall instruction; with `leaf` false it is a return address instead (a
 * goroutine's saved context), and the link register plays no part. `stackHi` is the upper bound
 * of the stack the walk starts on (the goroutine's g.stack.hi), undefined where it is unknown.
 *
 * No count of frames bounds the walk, so a stack of any depth is walked to its root. It still
 * ends: every frame but a leaf whose return address is in a register lies strictly above the
 * last, so the walk climbs through readable memory, and stops at the stack's upper bound, or
 * where memory can no longer be read (the end of its mapping) when the bound is unknown.
 */
export function unwindGoStack(
  table: Pclntab,
  arch: ArchSpec,
  regs: Pick<SyscallRegs, "pc" | "sp" | "lr">,
  bias: number,
  stack: StackWindow,
  leaf = true,
  stackHi?: number,
): StackTrace {
  return walk(true, table, arch, regs, bias, stack, leaf, stackHi) as StackTrace;
}

/**
 * unwindGoStack's walk where earlier walks decoded every pc on the way, which costs little; else
 * the first pc they did not, as looked up (decoding pcs is most of a first walk's cost).
 */
export function unwindDecoded(
  table: Pclntab,
  arch: ArchSpec,
  regs: Pick<SyscallRegs, "pc" | "sp" | "lr">,
  bias: number,
  stack: StackWindow,
  leaf: boolean,
  stackHi: number | undefined,
): StackTrace | number {
  return walk(false, table, arch, regs, bias, stack, leaf, stackHi);
}

function walk(decode: boolean, ...[table, arch, regs, bias, stack, leaf, stackHi]: Parameters<typeof unwindDecoded>): StackTrace | number {
  const steps: PhysicalStep[] = [];
  const sps: number[] = [];
  let pc = regs.pc;
  let sp = regs.sp;
  let leafInGo = false;
  const stop = (reason: string): StackTrace => trace(steps, sps, false, leafInGo, reason);
  const cache = stepCacheOf(table);
  for (let depth = 0; ; depth++) {
    // The leaf PC is just past the syscall instruction, a caller's PC just past its call: one
    // byte back is inside the instruction that is executing, as the runtime itself looks up.
    const lookup = pc - bias - 1;
    let step = cache.get(lookup);
    if (step === undefined) {
      if (!decode) return lookup;
      step = physicalStep(table, lookup);
      cache.set(lookup, step);
    }
    if (step === null) return stop(`pc ${hex(pc)} is outside Go code`);
    leafInGo = true;
    if (typeof step === "string") return stop(step);
    steps.push(step);
    sps.push(sp);
    if (step.root) return trace(steps, sps, true, leafInGo);
    // A root may sit at the very top of its stack (rt0_go's SP is g0's stack.hi); nothing else can.
    if (stackHi !== undefined && sp >= stackHi) return stop(`reached the stack's upper bound ${hex(stackHi)} without a root frame`);
    const delta = step.spDelta;
    const slot = delta === undefined ? undefined : arch.callerOf(sp, delta, leaf && depth === 0);
    if (!slot) return stop(`no usable SP delta (${delta}) in ${step.name}`);
    // Only the leaf's return address can be in a register (once); any other caller is above.
    if (slot.returnAddress !== "lr" && slot.callerSp <= sp) return stop(`SP does not increase above ${step.name} (a corrupt frame chain)`);
    const ret = slot.returnAddress === "lr" ? regs.lr : stack.word(slot.returnAddress);
    if (ret === undefined) return stop(`stack unreadable at ${hex(slot.returnAddress as number)}`);
    if (ret === 0) return stop(`zero return address above ${step.name}`);
    pc = ret;
    sp = slot.callerSp;
  }
}

/** Per table: pc -> its step, null outside Go code, or why the table cannot say. */
const stepCaches = new WeakMap<Pclntab, Map<number, PhysicalStep | null | string>>();

function stepCacheOf(table: Pclntab): Map<number, PhysicalStep | null | string> {
  let m = stepCaches.get(table);
  if (!m) stepCaches.set(table, (m = new Map()));
  return m;
}

function physicalStep(table: Pclntab, pc: number): PhysicalStep | null | string {
  const fn = table.findFunc(pc);
  if (fn === undefined) return null;
  try {
    const name = table.funcName(fn);
    const root = STACK_ROOTS.has(name);
    return { name, frames: table.frames(pc), root, spDelta: root ? undefined : table.spDelta(fn, pc) };
  } catch (e) {
    if (e instanceof PclntabError) return e.message;
    throw e;
  }
}
