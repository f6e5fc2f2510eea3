// Mutations of a byte buffer: bit flips, overwrites with values that break parsers (0, all ones,
// 0x7fffffff, the buffer's size, small offsets), runs copied from elsewhere, truncation,
// insertion and deletion. A large seed file is not copied for every input: writes go into one
// working copy and are undone afterwards (restore), and only a change of length copies.
import type { Random } from "./random.ts";

/** A region of a seed file worth mutating, by byte offset. */
export interface Region {
  name: string;
  from: number;
  to: number;
}

/** A little-endian field: where it is and how wide (1, 2, 4 or 8 bytes). */
export interface Field {
  name: string;
  at: number;
  size: 1 | 2 | 4 | 8;
}

export class MutableBytes {
  /** The input as it stands; a fresh array once a mutation changed the length by more than truncation. */
  bytes: Uint8Array;
  /** What was done, for the failure report. */
  readonly notes: string[] = [];
  /** Functions (indexes in the seed's table) whose data was damaged: lookups should look there. */
  readonly focus: number[] = [];
  private readonly dirty: [number, number][] = [];

  constructor(
    private readonly original: Uint8Array,
    private readonly work: Uint8Array,
  ) {
    this.bytes = work;
  }

  get length(): number {
    return this.bytes.length;
  }

  private touch(from: number, to: number): void {
    if (this.bytes.buffer === this.work.buffer) this.dirty.push([from, to]);
  }

  /** Writes `data` at `at`, clipped to the buffer. */
  write(at: number, data: ArrayLike<number>, note: string): void {
    const end = Math.min(this.bytes.length, at + data.length);
    if (at < 0 || at >= end) return;
    this.touch(at, end);
    for (let i = at; i < end; i++) this.bytes[i] = data[i - at];
    this.notes.push(note);
  }

  /** Reads the little-endian unsigned value of `size` bytes at `at` (0 past the end). */
  read(at: number, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i] ?? 0);
    return v;
  }

  setField(f: Field, value: bigint, note = `${f.name} := 0x${BigInt.asUintN(8 * f.size, value).toString(16)}`): void {
    this.write(f.at, littleEndian(value, f.size), note);
  }

  truncate(length: number): void {
    if (length >= this.bytes.length || length < 0) return;
    this.bytes = this.bytes.subarray(0, length);
    this.notes.push(`truncate to ${length}`);
  }

  /** Inserts (count > 0) or deletes (count < 0) bytes at `at`: everything after moves. */
  resize(at: number, count: number, fill: (i: number) => number): void {
    const old = this.bytes;
    at = Math.max(0, Math.min(at, old.length));
    if (count < 0) count = -Math.min(-count, old.length - at);
    const next = new Uint8Array(old.length + count);
    next.set(old.subarray(0, at));
    if (count > 0) {
      for (let i = 0; i < count; i++) next[at + i] = fill(i);
      next.set(old.subarray(at), at + count);
    } else {
      next.set(old.subarray(at - count), at);
    }
    this.bytes = next;
    this.notes.push(count > 0 ? `insert ${count} bytes at ${at}` : `delete ${-count} bytes at ${at}`);
  }

  /** Puts the working copy back as the seed was. */
  restore(): void {
    for (const [from, to] of this.dirty) this.work.set(this.original.subarray(from, to), from);
    this.dirty.length = 0;
  }
}

export function littleEndian(value: bigint, size: number): number[] {
  const v = BigInt.asUintN(8 * size, value);
  return Array.from({ length: size }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

/** Values that tend to break a field of `size` bytes that holds `current` in a buffer of `length` bytes. */
function interestingValues(size: number, current: bigint, length: number, related: readonly number[] = []): bigint[] {
  const bits = 8 * size;
  const values = [
    0n,
    1n,
    -1n,
    (1n << BigInt(bits - 1)) - 1n,
    1n << BigInt(bits - 1),
    0x7fffffffn,
    0x80000000n,
    0xffffffffn,
    1n << 32n,
    (1n << 53n) - 1n,
    1n << 53n,
    BigInt(length),
    BigInt(length) - 1n,
    BigInt(length) + 1n,
    BigInt(length >>> 1),
    8n,
    16n,
    56n,
    64n,
    0x1000n,
    current + 1n,
    current - 1n,
    current + 8n,
    current - 8n,
    current * 2n,
    current >> 1n,
    ...related.map((r) => BigInt(r)),
  ];
  return values.map((v) => BigInt.asUintN(bits, v));
}

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x0a, 0x09, 0x20];

/** One random generic mutation inside `region` (bit flip, byte or word overwrite, run, copy, truncation). */
export function mutateRegion(m: MutableBytes, rng: Random, region: Region, related: readonly number[] = []): void {
  const from = Math.max(0, Math.min(region.from, m.length));
  const to = Math.max(from, Math.min(region.to, m.length));
  if (to === from) return;
  const at = rng.range(from, to - 1);
  const where = `${region.name}+${at - region.from}`;
  switch (rng.weighted([6, 5, 6, 2, 2, 1, 1])) {
    case 0: {
      const bit = rng.int(8);
      m.write(at, [m.bytes[at] ^ (1 << bit)], `flip bit ${bit} at ${where}`);
      return;
    }
    case 1: {
      const b = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
      m.write(at, [b], `byte at ${where} := 0x${b.toString(16)}`);
      return;
    }
    case 2: {
      const size = rng.pick([2, 4, 8] as const);
      const v = rng.pick(interestingValues(size, m.read(at, size), m.length, related));
      m.write(at, littleEndian(v, size), `${8 * size}-bit word at ${where} := 0x${v.toString(16)}`);
      return;
    }
    case 3: {
      const n = rng.range(1, 16);
      m.write(at, Array.from({ length: n }, () => rng.int(256)), `${n} random bytes at ${where}`);
      return;
    }
    case 4: {
      const n = rng.range(1, 64);
      const src = rng.int(Math.max(1, m.length - n));
      m.write(at, m.bytes.slice(src, src + n), `${n} bytes from ${src} copied to ${where}`);
      return;
    }
    case 5:
      m.truncate(at);
      return;
    default: {
      const n = rng.range(1, 16) * (rng.chance(0.5) ? 1 : -1);
      m.resize(at, n, () => rng.int(256));
      return;
    }
  }
}

/** Overwrites a field with an interesting value, or flips one of its bits. */
export function mutateField(m: MutableBytes, rng: Random, f: Field, related: readonly number[] = []): void {
  if (f.at + f.size > m.length) return;
  if (rng.chance(0.2)) {
    const bit = rng.int(8 * f.size);
    m.setField(f, m.read(f.at, f.size) ^ (1n << BigInt(bit)), `${f.name}: flip bit ${bit}`);
    return;
  }
  m.setField(f, rng.pick(interestingValues(f.size, m.read(f.at, f.size), m.length, related)));
}
