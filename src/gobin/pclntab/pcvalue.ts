// Decoding of pc-value tables: the run-length encoded maps from a function's pcs to a value
// (SP delta, file number, line, inline tree index...). A table is a sequence of pairs
// (value delta as a zig-zag varint, pc delta as a varint in units of the instruction quantum),
// starting from value -1 at the function entry and ending with a zero value delta.
import type { TableBytes } from "./bytes.ts";

/** A varint of a valid table fits in 32 bits: 5 bytes. */
const MAX_VARINT_BYTES = 5;

/**
 * The value that the table at byte `off` of `t` gives for `targetPC`, or -1 when the table
 * ends before reaching it (the runtime's answer for "no value"). `off` 0 means "no table".
 */
export function pcvalue(t: TableBytes, off: number, entry: number, targetPC: number, quantum: number): number {
  if (off === 0) return -1;
  const bytes = t.bytes;
  const end = bytes.length;
  let p = off;
  let pc = entry;
  let val = -1;
  // Most deltas are one byte. Start-up runs this interpreted (jit-policy.ts), where each
  // operation counts: a one-byte delta is a read and a compare, and a longer one is decoded in
  // place (a helper's call cost more than it saved: multi-byte pc deltas are common).
  for (let first = true; ; first = false) {
    if (p >= end) return malformed(t, off);
    let uv = bytes[p++]!;
    // Like the runtime, a zero byte where a value delta starts ends the table (except at entry).
    if (uv === 0 && !first) return -1;
    if (uv >= 0x80) {
      uv &= 0x7f;
      for (let n = 1, shift = 7; ; n++, shift += 7) {
        if (p >= end || n === MAX_VARINT_BYTES) return malformed(t, off);
        const b = bytes[p++]!;
        uv += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      uv >>>= 0;
    }
    val = (val + (uv & 1 ? ~(uv >>> 1) : uv >>> 1)) | 0;
    if (p >= end) return malformed(t, off);
    let pcDelta = bytes[p++]!;
    if (pcDelta >= 0x80) {
      pcDelta &= 0x7f;
      for (let n = 1, shift = 7; ; n++, shift += 7) {
        if (p >= end || n === MAX_VARINT_BYTES) return malformed(t, off);
        const b = bytes[p++]!;
        pcDelta += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      pcDelta >>>= 0;
    }
    pc += pcDelta * quantum;
    if (targetPC < pc) return val;
  }
}

function malformed(t: TableBytes, off: number): never {
  return t.fail(`pc-value table at offset ${off} is truncated or malformed`);
}

/**
 * Every run of the table at byte `off`: calls `visit(value, start, end)` for each pc range
 * [start, end) of the function that has one value, in pc order. `off` 0 visits nothing.
 */
export function pcvalueRuns(t: TableBytes, off: number, entry: number, quantum: number, visit: (value: number, start: number, end: number) => void): void {
  if (off === 0) return;
  const bytes = t.bytes;
  const end = bytes.length;
  let p = off;
  let pc = entry;
  let val = -1;
  const varint = (): number => {
    let v = 0;
    for (let n = 0, shift = 0; ; n++, shift += 7) {
      if (p >= end || n === MAX_VARINT_BYTES) malformed(t, off);
      const b = bytes[p++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v >>> 0;
    }
  };
  for (let first = true; ; first = false) {
    if (p < end && bytes[p] === 0 && !first) return;
    const uv = varint();
    val = (val + (uv & 1 ? ~(uv >>> 1) : uv >>> 1)) | 0;
    const next = pc + varint() * quantum;
    visit(val, pc, next);
    pc = next;
  }
}
