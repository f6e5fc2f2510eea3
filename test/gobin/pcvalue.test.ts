// pcvalue() on hand-encoded tables: the edges real binaries rarely show in one place (deltas of
// one and of several bytes, the end marker, damage). The oracle tests check it on real binaries.
import { describe, expect, test } from "bun:test";
import { PclntabError, TableBytes } from "../../src/gobin/pclntab/bytes.ts";
import { pcvalue, pcvalueRuns } from "../../src/gobin/pclntab/pcvalue.ts";

function varint(v: number): number[] {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v & 0x7f) | 0x80);
  out.push(v);
  return out;
}

/** A table of (value, pc length) runs, as the linker writes it: zig-zag value deltas from -1. */
function encode(runs: [number, number][]): number[] {
  const bytes: number[] = [];
  let prev = -1;
  for (const [value, length] of runs) {
    const d = value - prev;
    bytes.push(...varint(d < 0 ? -2 * d - 1 : 2 * d), ...varint(length));
    prev = value;
  }
  return [...bytes, 0];
}

/** The table at offset 1 (0 means "no table"). */
function table(bytes: number[]): TableBytes {
  return new TableBytes(new Uint8Array([0xff, ...bytes]), "test");
}

describe("pcvalue", () => {
  // Values far apart and runs longer than 127 bytes take several bytes each.
  const runs: [number, number][] = [
    [8, 3],
    [-5, 200],
    [100000, 1],
    [24, 70000],
  ];
  const t = table(encode(runs));
  const entry = 0x401000;

  test("gives each pc the value of the run that holds it, with deltas of one and of several bytes", () => {
    let start = entry;
    for (const [value, length] of runs) {
      for (const pc of [start, start + length - 1]) expect(pcvalue(t, 1, entry, pc, 1)).toBe(value);
      start += length;
    }
  });

  test("agrees with pcvalueRuns on every run", () => {
    const seen: [number, number, number][] = [];
    pcvalueRuns(t, 1, entry, 1, (value, start, end) => seen.push([value, start, end]));
    expect(seen.length).toBe(runs.length);
    for (const [value, start, end] of seen) expect([pcvalue(t, 1, entry, start, 1), pcvalue(t, 1, entry, end - 1, 1)]).toEqual([value, value]);
  });

  test("counts pc deltas in instruction quanta", () => {
    expect(pcvalue(t, 1, entry, entry + 4 * 3 - 1, 4)).toBe(8);
    expect(pcvalue(t, 1, entry, entry + 4 * 3, 4)).toBe(-5);
  });

  test("answers -1 past the table's end and for no table", () => {
    expect(pcvalue(t, 1, entry, entry + 3 + 200 + 1 + 70000, 1)).toBe(-1);
    expect(pcvalue(t, 0, entry, entry, 1)).toBe(-1);
  });

  test("fails on a table cut off inside a delta, and on a varint longer than 32 bits can need", () => {
    const cut = encode(runs).slice(0, 4);
    expect(() => pcvalue(table(cut), 1, entry, entry + 1000, 1)).toThrow(PclntabError);
    expect(() => pcvalue(table(cut.slice(0, 3)), 1, entry, entry + 1000, 1)).toThrow(/truncated or malformed/);
    expect(() => pcvalue(table([0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 0]), 1, entry, entry, 1)).toThrow(/truncated or malformed/);
  });
});
