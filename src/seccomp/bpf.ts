// A small classic-BPF assembler for seccomp filters: 32-bit loads from seccomp_data, conditional
// jumps to labels, unconditional jumps, returns. Conditional jumps carry 8-bit offsets; when a
// target is further than 255 instructions the assembler relaxes that jump into a short one over
// two JA (32-bit offset) instructions, repeating until every offset fits.
import { SECCOMP_DATA_SIZE } from "./abi.ts";

/** struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}
export const SOCK_FILTER_SIZE = 8;
/** The kernel's limit on a program's length (BPF_MAXINSNS). */
const BPF_MAXINSNS = 4096;

// Opcode parts (linux/bpf_common.h).
const BPF_LD = 0x00;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_W = 0x00;
const BPF_ABS = 0x20;
const BPF_K = 0x00;
const BPF_JA = 0x00;
const BPF_JEQ = 0x10;
const BPF_JGT = 0x20;
const BPF_JGE = 0x30;
const BPF_JSET = 0x40;

type JumpCondition = "jeq" | "jgt" | "jge" | "jset";
const conditionOps: Record<JumpCondition, number> = { jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET };

/** The program cannot be assembled: a bad operand, an unbound or reused label, a backward jump. */
export class BpfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BpfError";
  }
}

/** A jump target; bind it to a position with `BpfAssembler.bind`. */
export class Label {
  constructor(readonly name: string) {}
}

type Item =
  | { op: "ld"; offset: number }
  | { op: "jcond"; cond: JumpCondition; k: number; ifTrue: Label | undefined; ifFalse: Label | undefined }
  | { op: "ja"; target: Label }
  | { op: "ret"; k: number };

function checkU32(what: string, k: number): void {
  if (!Number.isInteger(k) || k < 0 || k > 0xffffffff) throw new BpfError(`${what}: ${k} is not a 32-bit unsigned value`);
}

export class BpfAssembler {
  private readonly items: Item[] = [];
  /** Label -> index into items of the instruction it names. */
  private readonly bound = new Map<Label, number>();

  /** A = the 32-bit word at `offset` of seccomp_data (seccomp allows only aligned words). */
  loadWord(offset: number): this {
    if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0 || offset + 4 > SECCOMP_DATA_SIZE) {
      throw new BpfError(`load: offset ${offset} is not an aligned 32-bit word of seccomp_data`);
    }
    this.items.push({ op: "ld", offset });
    return this;
  }

  /** if (A <cond> k) goto ifTrue else goto ifFalse; an omitted target is the next instruction. */
  jump(cond: JumpCondition, k: number, ifTrue: Label | undefined, ifFalse?: Label): this {
    checkU32(cond, k);
    this.items.push({ op: "jcond", cond, k, ifTrue, ifFalse });
    return this;
  }

  goto(target: Label): this {
    this.items.push({ op: "ja", target });
    return this;
  }

  ret(k: number): this {
    checkU32("ret", k);
    this.items.push({ op: "ret", k });
    return this;
  }

  /** Binds `label` to the next instruction emitted. */
  bind(label: Label): this {
    if (this.bound.has(label)) throw new BpfError(`label ${label.name} is bound twice`);
    this.bound.set(label, this.items.length);
    return this;
  }

  /** Resolves labels and returns the instructions. */
  assemble(): SockFilter[] {
    const n = this.items.length;
    if (n === 0) throw new BpfError("empty program");
    const last = this.items[n - 1];
    if (last.op !== "ret") throw new BpfError("the program does not end with a return");
    for (const item of this.items) {
      for (const target of targetsOf(item)) {
        const at = this.bound.get(target);
        if (at === undefined) throw new BpfError(`label ${target.name} is never bound`);
        if (at >= n) throw new BpfError(`label ${target.name} is bound past the last instruction`);
      }
    }

    // Relaxation: a conditional jump whose offset does not fit in 8 bits becomes long
    // (jcond 0,1; ja T; ja F). Sizes only grow, so this terminates.
    const long = new Array<boolean>(n).fill(false);
    let addr: number[];
    for (;;) {
      addr = new Array<number>(n + 1);
      addr[0] = 0;
      for (let i = 0; i < n; i++) addr[i + 1] = addr[i] + (long[i] ? 3 : 1);
      let changed = false;
      for (let i = 0; i < n; i++) {
        const item = this.items[i];
        if (item.op !== "jcond" || long[i]) continue;
        const from = addr[i] + 1;
        const far = [item.ifTrue, item.ifFalse].some((t) => this.offset(t, i, from, addr) > 255);
        if (far) {
          long[i] = true;
          changed = true;
        }
      }
      if (!changed) break;
    }
    if (addr[n] > BPF_MAXINSNS) throw new BpfError(`the program has ${addr[n]} instructions, more than ${BPF_MAXINSNS}`);

    const out: SockFilter[] = [];
    for (let i = 0; i < n; i++) {
      const item = this.items[i];
      switch (item.op) {
        case "ld":
          out.push({ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: item.offset });
          break;
        case "ret":
          out.push({ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: item.k });
          break;
        case "ja":
          out.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: this.offset(item.target, i, addr[i] + 1, addr) });
          break;
        case "jcond": {
          const code = BPF_JMP | conditionOps[item.cond] | BPF_K;
          if (long[i]) {
            out.push({ code, jt: 0, jf: 1, k: item.k });
            out.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: this.offset(item.ifTrue, i, addr[i] + 2, addr) });
            out.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: this.offset(item.ifFalse, i, addr[i] + 3, addr) });
          } else {
            const from = addr[i] + 1;
            out.push({ code, jt: this.offset(item.ifTrue, i, from, addr), jf: this.offset(item.ifFalse, i, from, addr), k: item.k });
          }
          break;
        }
      }
    }
    return out;
  }

  /** The forward distance from instruction address `from` to `target` (undefined: item i's successor). */
  private offset(target: Label | undefined, i: number, from: number, addr: number[]): number {
    const to = addr[target === undefined ? i + 1 : this.bound.get(target)!];
    if (to < from) throw new BpfError(`jump to ${target?.name ?? "next"} goes backward (classic BPF jumps only forward)`);
    return to - from;
  }
}

function targetsOf(item: Item): Label[] {
  if (item.op === "ja") return [item.target];
  if (item.op === "jcond") return [item.ifTrue, item.ifFalse].filter((t): t is Label => t !== undefined);
  return [];
}

/** The program as the kernel takes it: an array of struct sock_filter, little-endian. */
export function encodeProgram(program: readonly SockFilter[]): Uint8Array {
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, i) => {
    const at = i * SOCK_FILTER_SIZE;
    view.setUint16(at, insn.code, true);
    view.setUint8(at + 2, insn.jt);
    view.setUint8(at + 3, insn.jf);
    view.setUint32(at + 4, insn.k, true);
  });
  return bytes;
}

export function decodeProgram(bytes: Uint8Array): SockFilter[] {
  if (bytes.length % SOCK_FILTER_SIZE !== 0) {
    throw new BpfError(`a program of ${bytes.length} bytes is not a whole number of ${SOCK_FILTER_SIZE}-byte instructions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: SockFilter[] = [];
  for (let at = 0; at < bytes.length; at += SOCK_FILTER_SIZE) {
    program.push({ code: view.getUint16(at, true), jt: view.getUint8(at + 2), jf: view.getUint8(at + 3), k: view.getUint32(at + 4, true) });
  }
  return program;
}
