// Walks a Go stack from a syscall stop: the exact leaf frame from the SP-delta table (the PC is
// inside a frameless assembly stub, DESIGN.md #2), pcsp for every frame above, and the inline
// tree for the logical frames of each physical one (DESIGN.md #3).
import type { Arch, SyscallRegs } from "../arch/arch.ts";
import { PclntabError, type LogicalFrame, type Pclntab } from "../gobin/pclntab.ts";
import type { StackWindow } from "./stack.ts";

export interface StackTrace {
  /** Logical frames, innermost first. */
  frames: LogicalFrame[];
  /** True when the walk reached a function at which every Go stack legitimately ends. */
  complete: boolean;
  /** Why the walk stopped short, when it did. */
  incompleteReason?: string;
  /** False when the syscall was made outside Go code (the dynamic loader, C code). */
  leafInGo: boolean;
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

const MAX_PHYSICAL_FRAMES = 1024;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * `bias` is the load bias: runtime PC = link-time PC + bias (non-zero for PIE). `regs.pc` is the
 * PC after the syscall instruction; with `leaf` false it is a return address instead (a
 * goroutine's saved context), and the link register plays no part.
 */
export function unwindGoStack(
  table: Pclntab,
  arch: Arch,
  regs: Pick<SyscallRegs, "pc" | "sp" | "lr">,
  bias: number,
  stack: StackWindow,
  leaf = true,
): StackTrace {
  const frames: LogicalFrame[] = [];
  let pc = regs.pc;
  let sp = regs.sp;
  let leafInGo = false;
  const stop = (reason: string): StackTrace => ({ frames, complete: false, incompleteReason: reason, leafInGo });
  const done = (): StackTrace => ({ frames, complete: true, leafInGo });

  for (let depth = 0; depth < MAX_PHYSICAL_FRAMES; depth++) {
    // The leaf PC is just past the syscall instruction, a caller's PC just past its call: one
    // byte back is inside the instruction that is executing, as the runtime itself looks up.
    const lookup = pc - bias - 1;
    const fn = table.findFunc(lookup);
    if (fn === undefined) return stop(`pc ${hex(pc)} is outside Go code`);
    leafInGo = true;
    let delta: number | undefined;
    try {
      for (const f of table.frames(lookup)) frames.push(f);
      if (STACK_ROOTS.has(table.funcName(fn))) return done();
      delta = table.spDelta(fn, lookup);
    } catch (e) {
      if (e instanceof PclntabError) return stop(e.message);
      throw e;
    }
    const slot = delta === undefined ? undefined : arch.callerOf(sp, delta, leaf && depth === 0);
    if (!slot) return stop(`no usable SP delta (${delta}) in ${table.funcName(fn)}`);
    const ret = slot.returnAddress === "lr" ? regs.lr : stack.word(slot.returnAddress);
    if (ret === undefined) return stop(`stack unreadable at ${hex(slot.returnAddress as number)}`);
    if (ret === 0) return stop(`zero return address above ${table.funcName(fn)}`);
    pc = ret;
    sp = slot.callerSp;
  }
  return stop(`more than ${MAX_PHYSICAL_FRAMES} frames`);
}
