// The creation breakpoint's covered instruction (src/arch/<arch>/arch.ts, codeBreakpoint): the
// tracer runs it for the thread at each hit, so it must be decoded exactly or refused. Checked on
// hand-written encodings, and on every installed Go release, amd64 and arm64, against
// `go tool objdump` at the pc newproc1 returns to in newproc's closure, found as the tracer finds it.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { amd64 } from "../../src/arch/amd64/arch.ts";
import { arm64 } from "../../src/arch/arm64/arch.ts";
import { arches } from "../../src/arch/arches.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { type GoArch, goBuild, goTool, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const spec = amd64.codeBreakpoint;
const app = join(repoRoot, "test/fixtures/deepgo/app");
/** How go tool objdump prints a covered load, by architecture. */
const AMD64_REGISTERS = ["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"];
const hex = (n: number) => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);
const objdumpText: Record<GoArch, (register: number, displacement: number) => string> = {
  amd64: (register, displacement) => `MOVQ ${hex(displacement)}(R14), ${AMD64_REGISTERS[register]}`,
  arm64: (register, displacement) => `MOVD ${displacement}(R28), R${register}`,
};

describe("amd64's covered load", () => {
  test("MOVQ disp8(R14), REG is decoded with its register, signed displacement and length", () => {
    expect(spec.coveredLoad(new Uint8Array([0x49, 0x8b, 0x56, 0x30, 0x90]))).toEqual({ register: 2, displacement: 0x30, length: 4 });
    expect(spec.coveredLoad(new Uint8Array([0x4d, 0x8b, 0x46, 0xf8]))).toEqual({ register: 8, displacement: -8, length: 4 });
  });

  test("anything else is refused: another base, RSP as destination, a disp32, a store, an index, a short buffer", () => {
    for (const bytes of [
      [0x48, 0x8b, 0x56, 0x30], // MOVQ 0x30(SI), DX
      [0x49, 0x8b, 0x66, 0x30], // MOVQ 0x30(R14), SP
      [0x49, 0x8b, 0x96, 0x30, 0x00, 0x00, 0x00], // MOVQ 0x30(R14), DX with a disp32
      [0x49, 0x89, 0x56, 0x30], // MOVQ DX, 0x30(R14)
      [0x4b, 0x8b, 0x56, 0x30], // REX.X
      [0x41, 0x8b, 0x56, 0x30], // MOVL: no REX.W
      [0x49, 0x8b, 0x56],
    ]) {
      expect(spec.coveredLoad(new Uint8Array(bytes))).toBeUndefined();
    }
  });
});

describe("arm64's covered load", () => {
  const le = (w: number) => new Uint8Array([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]);
  test("MOVD imm(R28), Rn is decoded with its register and scaled offset", () => {
    expect(arm64.codeBreakpoint.coveredLoad(le(0xf9401b83))).toEqual({ register: 3, displacement: 48, length: 4 });
    expect(arm64.codeBreakpoint.coveredLoad(le(0xf9401b85))).toEqual({ register: 5, displacement: 48, length: 4 });
  });

  test("anything else is refused: another base, XZR as destination, a 32-bit load, a store, a short buffer", () => {
    for (const w of [0xf9401a63 /* MOVD 48(R19), R3 */, 0xf9401b9f /* to XZR */, 0xb9401b83 /* MOVWU */, 0xf9001b83 /* store */]) {
      expect(arm64.codeBreakpoint.coveredLoad(le(w))).toBeUndefined();
    }
    expect(arm64.codeBreakpoint.coveredLoad(new Uint8Array([0x83, 0x1b, 0x40]))).toBeUndefined();
  });
});

describe.each(goToolchains().flatMap((go) => (["amd64", "arm64"] as GoArch[]).map((goarch) => [go, goarch] as const)))("Go %s %s", (go, goarch) => {
  test("the instruction newproc1 returns to in newproc's closure is a covered load, as go tool objdump reads it", () => {
    const prog = goBuild({ dir: app, go, goarch });
    const b = GoBinary.open(prog);
    const arch = arches[goarch];
    const t = b.pclntab;
    const closure = t.functionNamed("runtime.newproc.func1")!;
    const newproc1 = t.funcEntry(t.functionNamed("runtime.newproc1")!);
    const entry = t.funcEntry(closure);
    const code = b.elf.readAt(entry, t.funcEnd(closure) - entry)!;
    const calls: number[] = [];
    arch.scanCode(code, entry, (r) => {
      if (r.kind === "call" && r.target === newproc1) calls.push(r.pc);
    });
    expect(calls).toHaveLength(1);
    const at = calls[0]! + arch.codeBreakpoint.callLength;
    const load = arch.codeBreakpoint.coveredLoad(b.elf.readAt(at, 16)!)!;
    expect(load).toBeDefined();
    const line = goTool(go, ["tool", "objdump", "-s", "^runtime.newproc.func1$", prog])
      .split("\n")
      .find((l) => new RegExp(`\\s0x${at.toString(16)}\\s`).test(l));
    expect(line).toContain(objdumpText[goarch](load.register, load.displacement));
    expect(line!.split(/\s+/)[3]!.length / 2).toBe(load.length);
  });
});
