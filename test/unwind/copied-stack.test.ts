// A walk reads a copied stack as the memory it was copied from, and nothing outside it.
import { describe, expect, test } from "bun:test";
import { CopiedMemory } from "../../src/unwind/copied-stack.ts";
import { StackWindow } from "../../src/unwind/stack.ts";

const base = 0xc000100000;

/** A copy of `words` 64-bit words: word i holds 1000 + i. */
function copyOf(words: number): { base: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(8 * words);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words; i++) view.setBigUint64(8 * i, BigInt(1000 + i), true);
  return { base, bytes };
}

describe("CopiedMemory", () => {
  test("a stack window reads every word of the copy, across its own windows", () => {
    const memory = new CopiedMemory();
    memory.use(copyOf(1000));
    const stack = new StackWindow(4096, memory.source);
    stack.reset(0, base);
    for (const i of [0, 1, 511, 512, 513, 999]) expect(stack.word(base + 8 * i)).toBe(1000 + i);
  });

  test("nothing below, at or past the copy's end can be read, nor a word that runs over it", () => {
    const memory = new CopiedMemory();
    memory.use(copyOf(4));
    const stack = new StackWindow(4096, memory.source);
    stack.reset(0, base);
    expect(stack.word(base + 24)).toBe(1003);
    expect(stack.word(base + 28)).toBeUndefined();
    expect(stack.word(base + 32)).toBeUndefined();
    expect(stack.word(base - 8)).toBeUndefined();
  });

  test("with no copy in use, nothing can be read", () => {
    const memory = new CopiedMemory();
    memory.use(copyOf(4));
    memory.use(undefined);
    const stack = new StackWindow(4096, memory.source);
    stack.reset(0, base);
    expect(stack.word(base)).toBeUndefined();
  });
});
