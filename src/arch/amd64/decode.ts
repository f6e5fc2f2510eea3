// An x86-64 instruction length decoder, for a linear sweep of a function's code: prefixes (legacy,
// REX, VEX, EVEX), the one-, two- and three-byte opcode maps, ModRM/SIB/displacement and
// immediates. It reports only what `gomodjail analyze` needs (see ../code.ts): CALL rel32,
// JMP/Jcc rel32, SYSCALL/SYSENTER/INT 0x80, RIP-relative operands and 32/64-bit immediates
// loaded into registers. A byte that starts no valid 64-bit instruction counts as one byte, so
// the sweep goes on; Go pads between functions with INT3, which decodes as itself.
import type { CodeRef } from "../code.ts";

/** Opcodes of the one-byte map that take a ModRM byte. */
const MODRM_1 = new Uint8Array(256);
/** Immediate bytes of one-byte opcodes: a count, or Z (2 or 4 by operand size), V (B8-BF), M (moffs). */
const IMM_1 = new Int8Array(256);
const Z = -1;
const V = -2;
const M = -3;
/** Opcodes of the 0F map that take a ModRM byte, and those with an 8-bit immediate. */
const MODRM_0F = new Uint8Array(256);
const IMM8_0F = new Uint8Array(256);

function mark(table: Uint8Array | Int8Array, value: number, ...ranges: [number, number][]): void {
  for (const [lo, hi] of ranges) for (let op = lo; op <= hi; op++) table[op] = value;
}

// The ALU rows (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP): r/m forms x0-x3, AL/eAX immediates x4-x5.
for (let row = 0x00; row <= 0x38; row += 8) {
  mark(MODRM_1, 1, [row, row + 3]);
  IMM_1[row + 4] = 1;
  IMM_1[row + 5] = Z;
}
mark(MODRM_1, 1, [0x63, 0x63], [0x69, 0x69], [0x6b, 0x6b], [0x80, 0x8f], [0xc0, 0xc1], [0xc6, 0xc7], [0xd0, 0xd3], [0xd8, 0xdf], [0xf6, 0xf7], [0xfe, 0xff]);
mark(IMM_1, 1, [0x6a, 0x6b], [0x70, 0x7f], [0x80, 0x80], [0x82, 0x83], [0xa8, 0xa8], [0xb0, 0xb7], [0xc0, 0xc1], [0xc6, 0xc6], [0xcd, 0xcd], [0xe0, 0xe7], [0xeb, 0xeb]);
mark(IMM_1, Z, [0x68, 0x69], [0x81, 0x81], [0xa9, 0xa9], [0xc7, 0xc7]);
mark(IMM_1, 4, [0xe8, 0xe9]);
mark(IMM_1, V, [0xb8, 0xbf]);
mark(IMM_1, M, [0xa0, 0xa3]);
mark(IMM_1, 2, [0xc2, 0xc2], [0xca, 0xca]);
IMM_1[0xc8] = 3;

// 0F map: everything has ModRM except these.
MODRM_0F.fill(1);
mark(MODRM_0F, 0, [0x04, 0x09], [0x0a, 0x0c], [0x0e, 0x0e], [0x30, 0x37], [0x77, 0x77], [0x80, 0x8f], [0xa0, 0xa2], [0xa8, 0xaa], [0xc8, 0xcf]);
mark(IMM8_0F, 1, [0x70, 0x73], [0xa4, 0xa4], [0xac, 0xac], [0xba, 0xba], [0xc2, 0xc2], [0xc4, 0xc6]);

/** Legacy prefixes: operand size, address size, segments, LOCK, REP. */
const LEGACY_PREFIX = new Uint8Array(256);
mark(LEGACY_PREFIX, 1, [0x26, 0x26], [0x2e, 0x2e], [0x36, 0x36], [0x3e, 0x3e], [0x64, 0x67], [0xf0, 0xf0], [0xf2, 0xf3]);

/** The architectural limit on an instruction's length. */
const MAX_LENGTH = 15;

/** Decodes the instructions of `code` (at link-time address `addr`) in order; see ../code.ts. */
export function scanAmd64(code: Uint8Array, addr: number, visit: (ref: CodeRef) => void): void {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const end = code.length;
  for (let at = 0; at < end; ) {
    const start = at;
    let opsize16 = false;
    let addr32 = false;
    let rexW = false;
    // Prefixes; a REX counts only right before the opcode.
    for (; at < end && at - start < MAX_LENGTH; at++) {
      const b = code[at];
      if (LEGACY_PREFIX[b]) {
        if (b === 0x66) opsize16 = true;
        else if (b === 0x67) addr32 = true;
        rexW = false;
      } else if ((b & 0xf0) === 0x40) {
        rexW = (b & 8) !== 0;
      } else break;
    }
    if (at >= end) break;
    const op = code[at++];
    let hasModrm = false;
    let imm = 0;
    let map = 0; // 0: one-byte, 1: 0F, 2: 0F38, 3: 0F3A
    let vex = false;
    if (op === 0xc4 || op === 0xc5 || op === 0x62) {
      // VEX (3- and 2-byte) and EVEX, which in 64-bit mode are never LES, LDS or BOUND.
      vex = true;
      if (op === 0xc5) map = 1;
      else if (op === 0xc4) map = at < end ? code[at] & 0x1f : 0;
      else map = at < end ? code[at] & 0x07 : 0;
      at += op === 0xc5 ? 1 : op === 0xc4 ? 2 : 3;
      if (at >= end) break;
      const vop = code[at++];
      hasModrm = !(map === 1 && vop === 0x77);
      imm = map === 3 || (map === 1 && IMM8_0F[vop]) ? 1 : 0;
    } else if (op === 0x0f) {
      if (at >= end) break;
      const op2 = code[at++];
      if (op2 === 0x38 || op2 === 0x3a) {
        map = op2 === 0x38 ? 2 : 3;
        at++; // the third opcode byte
        hasModrm = true;
        imm = map === 3 ? 1 : 0;
      } else {
        map = 1;
        hasModrm = MODRM_0F[op2] === 1;
        if (op2 === 0x0f) imm = 1; // 3DNow!: its opcode is a trailing byte
        else if (op2 >= 0x80 && op2 <= 0x8f) imm = 4;
        else imm = IMM8_0F[op2];
        if (op2 === 0x05 || op2 === 0x34) visit({ kind: "syscall", pc: addr + start });
      }
    } else {
      hasModrm = MODRM_1[op] === 1;
      const kind = IMM_1[op];
      if (kind === Z) imm = opsize16 ? 2 : 4;
      else if (kind === V) imm = rexW ? 8 : opsize16 ? 2 : 4;
      else if (kind === M) imm = addr32 ? 4 : 8;
      else imm = kind;
    }
    // TEST r/m, imm (F6/F7 /0 and /1) has an immediate that the opcode alone does not tell.
    let ripDisp = -1;
    if (hasModrm) {
      if (at >= end) break;
      const modrm = code[at++];
      const mod = modrm >> 6;
      const rm = modrm & 7;
      if (!vex && map === 0 && (op === 0xf6 || op === 0xf7) && (modrm & 0x38) <= 0x08) imm = op === 0xf6 ? 1 : opsize16 ? 2 : 4;
      if (mod !== 3) {
        if (rm === 4) {
          const sib = at < end ? code[at] : 0;
          at++;
          if (mod === 0 && (sib & 7) === 5) at += 4;
        } else if (mod === 0 && rm === 5) {
          ripDisp = at;
          at += 4;
        }
        if (mod === 1) at += 1;
        else if (mod === 2) at += 4;
      }
    }
    const immAt = at;
    at += imm;
    if (at > end) break;
    const pc = addr + start;
    const next = addr + at;
    if (ripDisp >= 0) visit({ kind: "address", pc, target: next + view.getInt32(ripDisp, true) });
    if (map === 0 && !vex) {
      if (op === 0xe8) visit({ kind: "call", pc, target: next + view.getInt32(immAt, true) });
      else if (op === 0xe9) visit({ kind: "jump", pc, target: next + view.getInt32(immAt, true) });
      else if (op === 0xcd && code[immAt] === 0x80) visit({ kind: "syscall", pc });
      else if ((op >= 0xb8 && op <= 0xbf) || op === 0xc7) {
        // MOV reg, imm: an absolute address in a position-dependent binary.
        const value = imm === 8 ? view.getUint32(immAt, true) + view.getUint32(immAt + 4, true) * 2 ** 32 : imm === 4 ? view.getInt32(immAt, true) : -1;
        // User-space addresses stay below 2^47; a larger value is a constant.
        if (value > 0 && value < 2 ** 47) visit({ kind: "address", pc, target: value });
      }
    } else if (map === 1 && !vex && imm === 4) {
      visit({ kind: "jump", pc, target: next + view.getInt32(immAt, true) });
    }
  }
}
