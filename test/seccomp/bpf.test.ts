import { describe, expect, test } from "bun:test";
import { BpfAssembler, BpfError, decodeProgram, encodeProgram, Label } from "../../src/seccomp/bpf.ts";
import { BpfProgramError, checkProgram, runFilter } from "../helpers/bpf-interpreter.ts";

const X86_64 = 0xc000003e;

/** nr == 39 ? 1 : nr >= 100 ? 2 : 3 */
function smallProgram(): BpfAssembler {
  const is39 = new Label("is 39");
  const big = new Label("big");
  return new BpfAssembler()
    .loadWord(0)
    .jump("jeq", 39, is39)
    .jump("jge", 100, big)
    .ret(3)
    .bind(is39)
    .ret(1)
    .bind(big)
    .ret(2);
}

describe("BpfAssembler", () => {
  test("encodes struct sock_filter {u16 code; u8 jt; u8 jf; u32 k} little-endian", () => {
    const bytes = encodeProgram(smallProgram().assemble());
    expect([...bytes.subarray(0, 24)]).toEqual([
      0x20, 0x00, 0, 0, 0, 0, 0, 0, // ld [0]
      0x15, 0x00, 2, 0, 39, 0, 0, 0, // jeq #39, +2, +0
      0x35, 0x00, 2, 0, 100, 0, 0, 0, // jge #100, +2, +0
    ]);
    expect(decodeProgram(bytes)).toEqual(smallProgram().assemble());
  });

  test("resolves labels and falls through when a target is omitted", () => {
    const program = smallProgram().assemble();
    const run = (nr: number) => runFilter(program, { nr, arch: X86_64 }).action;
    expect([run(39), run(100), run(5000), run(0), run(99)]).toEqual([1, 2, 2, 3, 3]);
  });

  test("relaxes a conditional jump further than 255 instructions into JA jumps", () => {
    const far = new Label("far");
    const asm = new BpfAssembler().loadWord(0).jump("jeq", 7, far);
    for (let i = 0; i < 300; i++) asm.ret(100 + i);
    const program = asm.bind(far).ret(1).assemble();
    checkProgram(program);
    expect(program.some((insn) => insn.code === 0x05)).toBe(true);
    expect(runFilter(program, { nr: 7, arch: X86_64 }).action).toBe(1);
    expect(runFilter(program, { nr: 8, arch: X86_64 }).action).toBe(100);
  });

  test("relaxes chains of jumps whose distances grow as others become long", () => {
    // 40 jumps to one far label: relaxing the last ones pushes the first ones out of range.
    const target = new Label("target");
    const asm = new BpfAssembler().loadWord(0);
    for (let i = 0; i < 40; i++) asm.jump("jeq", i, target);
    for (let i = 0; i < 250; i++) asm.ret(1000);
    const program = asm.bind(target).ret(7).assemble();
    checkProgram(program);
    for (let i = 0; i < 40; i++) expect(runFilter(program, { nr: i, arch: X86_64 }).action).toBe(7);
    expect(runFilter(program, { nr: 40, arch: X86_64 }).action).toBe(1000);
  });

  test("rejects backward jumps, unbound and rebound labels, and labels past the end", () => {
    const back = new Label("back");
    expect(() => new BpfAssembler().bind(back).loadWord(0).jump("jeq", 1, back).ret(0).assemble()).toThrow(BpfError);
    const self = new Label("self");
    expect(() => new BpfAssembler().loadWord(0).bind(self).goto(self).ret(0).assemble()).toThrow(BpfError);
    expect(() => new BpfAssembler().loadWord(0).jump("jeq", 1, new Label("nowhere")).ret(0).assemble()).toThrow(BpfError);
    const twice = new Label("twice");
    expect(() => new BpfAssembler().bind(twice).bind(twice)).toThrow(BpfError);
    const end = new Label("end");
    expect(() => new BpfAssembler().loadWord(0).jump("jeq", 1, end).ret(0).bind(end).assemble()).toThrow(BpfError);
  });

  test("rejects a program that is empty, does not end in a return, or is too long", () => {
    expect(() => new BpfAssembler().assemble()).toThrow(BpfError);
    expect(() => new BpfAssembler().ret(0).loadWord(0).assemble()).toThrow(BpfError);
    const long = new BpfAssembler();
    for (let i = 0; i < 4097; i++) long.ret(0);
    expect(() => long.assemble()).toThrow(BpfError);
  });

  test("rejects loads outside seccomp_data or unaligned, and operands that are not 32-bit", () => {
    for (const offset of [-4, 2, 62, 64, 1.5]) expect(() => new BpfAssembler().loadWord(offset)).toThrow(BpfError);
    for (const k of [-1, 2 ** 32, 0.5, Number.NaN]) {
      expect(() => new BpfAssembler().ret(k)).toThrow(BpfError);
      expect(() => new BpfAssembler().jump("jeq", k, undefined)).toThrow(BpfError);
    }
  });
});

describe("the BPF interpreter (the tests' oracle)", () => {
  test("rejects what the kernel's loader rejects", () => {
    expect(() => checkProgram([])).toThrow(BpfProgramError);
    expect(() => checkProgram([{ code: 0x15, jt: 1, jf: 0, k: 0 }, { code: 0x06, jt: 0, jf: 0, k: 0 }])).toThrow(BpfProgramError);
    expect(() => checkProgram([{ code: 0x20, jt: 0, jf: 0, k: 0 }])).toThrow(BpfProgramError);
    expect(() => checkProgram([{ code: 0x28 /* ld half */, jt: 0, jf: 0, k: 0 }, { code: 0x06, jt: 0, jf: 0, k: 0 }])).toThrow(BpfProgramError);
    expect(() => checkProgram([{ code: 0x20, jt: 0, jf: 0, k: 64 }, { code: 0x06, jt: 0, jf: 0, k: 0 }])).toThrow(BpfProgramError);
    expect(() => checkProgram([{ code: 0x05, jt: 0, jf: 0, k: 5 }, { code: 0x06, jt: 0, jf: 0, k: 0 }])).toThrow(BpfProgramError);
  });

  test("reads arguments as little-endian 64-bit words", () => {
    // The high half of argument 2 is the word at 16 + 8 * 2 + 4.
    const hit = new Label("hit");
    const probe = new BpfAssembler().loadWord(16 + 8 * 2 + 4).jump("jeq", 0xabcd, hit).ret(0).bind(hit).ret(1).assemble();
    expect(runFilter(probe, { nr: 0, arch: 0, args: [0n, 0n, 0xabcd_0000_0001n] }).action).toBe(1);
    expect(runFilter(probe, { nr: 0, arch: 0, args: [0n, 0n, 0x0000_abcdn] }).action).toBe(0);
  });
});
