// The few AArch64 instructions `gomodjail analyze` reads (see ../code.ts): BL and B (imm26),
// SVC #0, and the ADRP+ADD pair (and ADR) by which Go code loads an address. Instructions are
// fixed 4-byte words, so a sweep never loses its place; the words of a literal pool decode as
// whatever they happen to spell, which is why callers trust only targets that are function entries.
import type { CodeRef } from "../code.ts";

const BL = 0x94000000;
const B = 0x14000000;
const IMM26_OPCODE = 0xfc000000;
const SVC0 = 0xd4000001;
const ADRP = 0x90000000;
const ADR = 0x10000000;
const ADR_OPCODE = 0x9f000000;
/** ADD (immediate), 64-bit: sf=1, op=0, S=0. */
const ADD_IMM64 = 0x91000000;
const ADD_IMM64_OPCODE = 0xff800000;

/** Decodes the words of `code` (at link-time address `addr`) in order; see ../code.ts. */
export function scanArm64(code: Uint8Array, addr: number, visit: (ref: CodeRef) => void): void {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const words = code.length >>> 2;
  for (let i = 0; i < words; i++) {
    const w = view.getUint32(4 * i, true);
    const pc = addr + 4 * i;
    const top = (w & IMM26_OPCODE) >>> 0;
    if (top === BL || top === B) {
      const offset = ((w << 6) >> 6) * 4;
      visit({ kind: top === BL ? "call" : "jump", pc, target: pc + offset });
    } else if (w >>> 0 === SVC0) {
      visit({ kind: "syscall", pc });
    } else if (((w & ADR_OPCODE) >>> 0) === ADRP || ((w & ADR_OPCODE) >>> 0) === ADR) {
      const imm = ((((w >> 5) & 0x7ffff) << 2) | ((w >>> 29) & 3)) << 11 >> 11; // signed 21 bits
      if (((w & ADR_OPCODE) >>> 0) === ADR) {
        visit({ kind: "address", pc, target: pc + imm });
        continue;
      }
      const page = Math.floor(pc / 4096) * 4096 + imm * 4096;
      const rd = w & 31;
      const next = i + 1 < words ? view.getUint32(4 * (i + 1), true) : 0;
      // ADRP Xd, page; ADD Xd, Xd, #lo12: the whole address.
      if (((next & ADD_IMM64_OPCODE) >>> 0) === ADD_IMM64 && ((next >> 5) & 31) === rd && (next & 31) === rd) {
        const shift = (next >> 22) & 1 ? 12 : 0;
        visit({ kind: "address", pc, target: page + ((next >> 10) & 0xfff) * 2 ** shift });
      }
    }
  }
}
