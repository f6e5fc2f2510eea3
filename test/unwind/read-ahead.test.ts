// ReadAhead (src/unwind/read-ahead.ts) over process_vm_readv of this very process: the reads a
// creation stop makes one by one come from one call, byte for byte, and whatever did not arrive
// whole is read as it would be without it.
import { describe, expect, test } from "bun:test";
import { ptr } from "bun:ffi";
import { raw } from "../../src/libc/libc.ts";
import { RemoteMemory } from "../../src/libc/memory.ts";
import type { MemorySource } from "../../src/unwind/memory.ts";
import { ReadAhead } from "../../src/unwind/read-ahead.ts";

/** Memory of this process, counting the reads that reach the kernel one by one. */
function counted(): { source: MemorySource; reads: number[] } {
  const reads: number[] = [];
  const source: MemorySource = (capacity) => {
    const m = new RemoteMemory(capacity);
    return { buffer: m.buffer, view: m.view, read: (pid, addr, length) => (reads.push(addr), m.read(pid, addr, length)) };
  };
  return { source, reads };
}

/** A read-ahead of `capacity` bytes over counted memory, and a buffer of `size` bytes reading through it. */
function readAhead(capacity = 8192, size = 4096) {
  const { source, reads } = counted();
  const ahead = new ReadAhead(source, new RemoteMemory(capacity));
  return { ahead, buf: ahead.source(size), reads };
}

const filled = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
/** An address no process maps: the first page. */
const UNMAPPED = 0x10;
const PROT_READ_WRITE = 3;
const MAP_PRIVATE_ANONYMOUS = 0x22;

describe("a read-ahead of this process's memory", () => {
  const a = filled(64, 1);
  const b = filled(4096, 2);
  const c = filled(200, 3);
  const [pa, pb, pc] = [ptr(a), ptr(b), ptr(c)];

  test("serves reads at the spans' addresses with their bytes, without a read of their own", () => {
    const { ahead, buf, reads } = readAhead();
    ahead.fill(process.pid, [pa, 64, pb, 4096, pc, 200]);
    expect(buf.read(process.pid, pb, 4096)).toBe(4096);
    expect(buf.buffer).toEqual(b);
    expect(buf.read(process.pid, pc, 100)).toBe(100);
    expect(buf.buffer.subarray(0, 100)).toEqual(c.subarray(0, 100));
    expect(buf.read(process.pid, pa, 64)).toBe(64);
    expect(buf.buffer.subarray(0, 64)).toEqual(a);
    expect(reads).toEqual([]);
  });

  test("reads for itself what lies elsewhere, what is longer than its span, another process's, and all once cleared", () => {
    const { ahead, buf, reads } = readAhead();
    ahead.fill(process.pid, [pa, 32, pc, 200]);
    expect(buf.read(process.pid, pa + 8, 8)).toBe(8);
    expect(buf.read(process.pid, pa, 64)).toBe(64);
    expect(buf.buffer.subarray(0, 64)).toEqual(a);
    try {
      buf.read(process.ppid, pc, 8);
    } catch {
      // Nothing of the parent's at that address, most likely: what counts is that it was asked for.
    }
    ahead.clear();
    expect(buf.read(process.pid, pc, 8)).toBe(8);
    expect(reads).toEqual([pa + 8, pa, pc, pc]);
  });

  test("after a span that cannot be read, the spans behind it are read one by one, as without it", () => {
    const { ahead, buf, reads } = readAhead();
    ahead.fill(process.pid, [pa, 64, UNMAPPED, 8, pc, 200]);
    expect(buf.read(process.pid, pa, 64)).toBe(64);
    expect(() => buf.read(process.pid, UNMAPPED, 8)).toThrow();
    expect(buf.read(process.pid, pc, 200)).toBe(200);
    expect(buf.buffer.subarray(0, 200)).toEqual(c);
    expect(reads).toEqual([UNMAPPED, pc]);
    // A first span that cannot be read fails the whole call: every read is its own.
    ahead.fill(process.pid, [UNMAPPED, 8, pa, 64]);
    expect(buf.read(process.pid, pa, 64)).toBe(64);
    expect(reads).toEqual([UNMAPPED, pc, pa]);
  });

  test("a span that runs off its mapping does not serve, though the kernel copied the part before", () => {
    // Two pages, the second unmapped again: a span across the end arrives in part.
    const page = Number(raw.mmap(null, 8192, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0));
    raw.munmap(page + 4096, 4096);
    try {
      const { ahead, buf, reads } = readAhead();
      const across = page + 4096 - 32;
      ahead.fill(process.pid, [pa, 64, across, 64, pc, 200]);
      expect(buf.read(process.pid, pa, 64)).toBe(64);
      expect(buf.read(process.pid, across, 64)).toBe(32);
      expect(buf.read(process.pid, pc, 200)).toBe(200);
      expect(reads).toEqual([across, pc]);
    } finally {
      raw.munmap(page, 4096);
    }
  });

  test("reads nothing ahead where the spans are more than its reader takes: every read is its own", () => {
    const { ahead, buf, reads } = readAhead(256);
    ahead.fill(process.pid, [pb, 4096]);
    expect(buf.read(process.pid, pb, 4096)).toBe(4096);
    ahead.fill(process.pid, Array.from({ length: 9 }, () => [pa, 8]).flat());
    expect(buf.read(process.pid, pa, 8)).toBe(8);
    expect(reads).toEqual([pb, pa]);
  });

  test("a read longer than the asking buffer is its own, which takes what fits", () => {
    const { ahead, buf: small, reads } = readAhead(8192, 16);
    ahead.fill(process.pid, [pb, 4096]);
    expect(small.read(process.pid, pb, 64)).toBe(16);
    expect(small.buffer).toEqual(b.subarray(0, 16));
    expect(reads).toEqual([pb]);
  });
});
