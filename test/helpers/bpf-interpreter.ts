// A classic-BPF interpreter for seccomp programs: the oracle the filter tests run compiled
// programs on. It decodes the bytes the kernel would get, checks them the way the kernel's
// loader does (length, known opcodes, jumps inside the program, a return at the end, aligned
// loads inside seccomp_data), then runs them on a seccomp_data. It knows only the instructions
// gomodjail's assembler emits, with opcode values written out here rather than imported, so a
// wrong constant in the assembler cannot agree with itself.

export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  args?: readonly bigint[];
}

export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export interface RunResult {
  /** The 32-bit value of the return instruction (action | data). */
  action: number;
  /** Instructions executed, the return included. */
  steps: number;
}

/** The program would be rejected by the kernel, or misbehaves when run. */
export class BpfProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BpfProgramError";
  }
}

const LD_W_ABS = 0x20;
const JMP_JA = 0x05;
const JMP_JEQ_K = 0x15;
const JMP_JGT_K = 0x25;
const JMP_JGE_K = 0x35;
const JMP_JSET_K = 0x45;
const RET_K = 0x06;
const MAX_INSNS = 4096;
const DATA_SIZE = 64;

export function decode(bytes: Uint8Array): Instruction[] {
  if (bytes.length % 8 !== 0) throw new BpfProgramError(`${bytes.length} bytes is not a whole number of instructions`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Instruction[] = [];
  for (let at = 0; at < bytes.length; at += 8) {
    out.push({ code: view.getUint16(at, true), jt: view.getUint8(at + 2), jf: view.getUint8(at + 3), k: view.getUint32(at + 4, true) });
  }
  return out;
}

/** The loader's static checks; throws BpfProgramError on the first violation. */
export function checkProgram(program: readonly Instruction[]): void {
  const n = program.length;
  if (n === 0 || n > MAX_INSNS) throw new BpfProgramError(`program length ${n} is outside 1..${MAX_INSNS}`);
  program.forEach((insn, pc) => {
    const target = (off: number) => {
      if (pc + 1 + off >= n) throw new BpfProgramError(`instruction ${pc} jumps to ${pc + 1 + off}, past the end (${n})`);
    };
    switch (insn.code) {
      case LD_W_ABS:
        if (insn.k % 4 !== 0 || insn.k + 4 > DATA_SIZE) throw new BpfProgramError(`instruction ${pc} loads at bad offset ${insn.k}`);
        break;
      case JMP_JA:
        target(insn.k);
        break;
      case JMP_JEQ_K:
      case JMP_JGT_K:
      case JMP_JGE_K:
      case JMP_JSET_K:
        target(insn.jt);
        target(insn.jf);
        break;
      case RET_K:
        break;
      default:
        throw new BpfProgramError(`instruction ${pc} has unknown opcode 0x${insn.code.toString(16)}`);
    }
  });
  if (program[n - 1].code !== RET_K) throw new BpfProgramError("the last instruction is not a return");
}

function seccompDataBytes(data: SeccompData): DataView {
  const view = new DataView(new ArrayBuffer(DATA_SIZE));
  view.setUint32(0, data.nr >>> 0, true);
  view.setUint32(4, data.arch >>> 0, true);
  view.setBigUint64(8, BigInt.asUintN(64, data.instructionPointer ?? 0n), true);
  const args = data.args ?? [];
  if (args.length > 6) throw new BpfProgramError(`seccomp_data holds 6 arguments, not ${args.length}`);
  args.forEach((a, i) => view.setBigUint64(16 + 8 * i, BigInt.asUintN(64, a), true));
  return view;
}

/** Checks and runs `program` on `data`. */
export function runFilter(program: Uint8Array | readonly Instruction[], data: SeccompData): RunResult {
  const insns = program instanceof Uint8Array ? decode(program) : program;
  checkProgram(insns);
  const input = seccompDataBytes(data);
  let a = 0;
  let pc = 0;
  let steps = 0;
  for (;;) {
    if (pc >= insns.length) throw new BpfProgramError(`ran past the end at ${pc} without a return`);
    const { code, jt, jf, k } = insns[pc];
    steps++;
    pc++;
    switch (code) {
      case LD_W_ABS:
        a = input.getUint32(k, true);
        break;
      case JMP_JA:
        pc += k;
        break;
      case JMP_JEQ_K:
        pc += a === k ? jt : jf;
        break;
      case JMP_JGT_K:
        pc += a > k ? jt : jf;
        break;
      case JMP_JGE_K:
        pc += a >= k ? jt : jf;
        break;
      case JMP_JSET_K:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case RET_K:
        return { action: k, steps };
    }
  }
}
