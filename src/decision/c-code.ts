// Verdicts on syscalls from C code that no goroutine stands behind (issue 13): before the Go
// runtime has started (a C constructor, run by libc before main) and on a thread without a
// goroutine (a thread that C code started). No Go stack says whose such a call is, but the
// confinement model knows which modules have C code (src/confinement/c-code.ts): where no
// confined module has C code and none is of unknown owner, the call cannot be a confined
// module's doing and is allowed; else it is blocked, naming the module when one of its C
// functions is on the stack.
import { type CCode, cModuleAt, placesCFunctions } from "../confinement/c-code.ts";
import { UNKNOWN_OWNER } from "../confinement/model.ts";
import type { ModuleRef } from "../gobin/modules.ts";
import type { StackWindow } from "../unwind/stack.ts";
import type { PolicedImage } from "./image.ts";
import type { Tracee } from "./tracee.ts";
import type { Verdict } from "./verdict.ts";

const PF_X = 1;
/** How much of a thread's stack is searched for return addresses into the program's code. */
const MAX_SCAN = 64 * 1024;

/**
 * How far past the entry point the startup code (crt1's _start) calls libc's start routine: the
 * return address of that call, on the stack from then on, says the program's own code runs.
 */
const START_CALL_SPAN = 128;

/** What the words of a stack show of the program's own code. */
interface StackEvidence {
  /** The return address of the startup code's call: the dynamic loader is done. */
  started: boolean;
  /** A return address into Go code (not a function's entry, which is a pointer, not a return address). */
  go: boolean;
  /** The return addresses into the program's C code (link-time), innermost first. */
  cReturns: number[];
}

export class CCodeVerdicts {
  private code: CCode | undefined;
  private readonly text: { start: number; end: number }[];

  constructor(
    private readonly image: PolicedImage,
    private readonly stack: StackWindow,
    private readonly tracee: Tracee,
  ) {
    this.text = image.elf.segments.filter((s) => s.type === "load" && s.flags & PF_X).map((s) => ({ start: s.vaddr, end: s.vaddr + s.memsz }));
  }

  /** The confined modules that have C code, or why the binary's C code may be a confined module's. */
  private confinedWithC(): ModuleRef[] | string {
    this.code ??= this.image.confinement.cCode();
    if (this.code.kind === "none") return "the program has no C code of its own";
    if (this.code.unknownOwner.length > 0) return `the program has C code of unknown owner: ${this.code.unknownOwner.join(", ")}`;
    return [...this.code.byModule.keys()].filter((m) => this.image.confinement.isConfined(m));
  }

  /**
   * A syscall from C code before any Go code has made one in this process. On the main thread:
   * undefined (allowed, as before) while only the dynamic loader has run (the startup code has
   * not called libc yet) or the runtime's own start calls C (Go code is on the stack); a verdict
   * when the program's C code runs without Go (a constructor). Another thread has no goroutine
   * yet: see withoutGoroutine.
   */
  beforeGo(tid: number, tgid: number, sp: number, bias: number): Verdict | undefined {
    if (tid !== tgid) return this.withoutGoroutine(tid, sp, bias);
    const seen = this.scan(tid, sp, bias, this.tracee.stackStart(tid));
    // The dynamic loader's calls: the C code's table, which costs a cgo program's first stop
    // a millisecond or two, is read only where a verdict needs it.
    if (!seen.started) return undefined;
    const confinedC = this.confinedCAt(seen.cReturns);
    // The runtime's own start calls C (its cgo set-up): Go code is on the stack, and no confined
    // C code (a word of Go's text on a constructor's stack proves nothing).
    if (seen.go && confinedC === undefined) return undefined;
    return this.judgeC(confinedC, "a syscall from C code before the Go runtime started (a C constructor)");
  }

  /** A syscall from C code on a thread without a goroutine (C code started the thread). */
  withoutGoroutine(tid: number, sp: number, bias: number): Verdict {
    const seen = this.scan(tid, sp, bias, sp + MAX_SCAN);
    return this.judgeC(this.confinedCAt(seen.cReturns), "a syscall from C code on a thread without a goroutine");
  }

  /** `confinedC`: the first confined module whose C code the stack returns into. */
  private judgeC(confinedC: ModuleRef | undefined, what: string): Verdict {
    if (confinedC) return { block: true, module: confinedC.path, frame: undefined, reason: `${what}, returning into C code of ${confinedC.path}` };
    const confined = this.confinedWithC();
    if (typeof confined === "string") return { block: true, module: UNKNOWN_OWNER, frame: undefined, reason: `${what}; ${confined}` };
    if (confined.length === 0) return { block: false };
    const names = confined.map((m) => m.path).join(", ");
    return { block: true, module: confined.length === 1 ? names : UNKNOWN_OWNER, frame: undefined, reason: `${what}, and confined ${names} ${confined.length === 1 ? "has" : "have"} C code: whose it is cannot be told` };
  }

  /** The return addresses into the program's code among the stack words from `sp` up to `end`. */
  private scan(tid: number, sp: number, bias: number, end: number): StackEvidence {
    const seen: StackEvidence = { started: false, go: false, cReturns: [] };
    const table = this.image.pclntab;
    const entry = this.image.elf.entry;
    this.stack.reset(tid, sp);
    for (let at = sp; at < Math.min(end, sp + MAX_SCAN); at += 8) {
      const word = this.stack.word(at);
      if (word === undefined) break;
      const pc = word - bias;
      if (!this.text.some((t) => pc >= t.start && pc < t.end)) continue;
      if (pc > entry && pc < entry + START_CALL_SPAN) seen.started = true;
      const fn = table.findFunc(pc);
      if (fn !== undefined) {
        if (table.funcEntry(fn) !== pc) seen.go = true;
        continue;
      }
      seen.cReturns.push(pc);
    }
    return seen;
  }

  /** The first confined module whose C code one of `pcs` lies in. */
  private confinedCAt(pcs: readonly number[]): ModuleRef | undefined {
    // Without DWARF no C function is placed: the runtime's start, calling C, costs nothing.
    if (pcs.length === 0 || !placesCFunctions(this.image.elf)) return undefined;
    this.code ??= this.image.confinement.cCode();
    for (const pc of pcs) {
      const module = cModuleAt(this.code, pc);
      if (module && this.image.confinement.isConfined(module)) return module;
    }
    return undefined;
  }
}
