// The instruction decoders of `gomodjail analyze` (src/arch/*/decode.ts), against hand-written
// encodings and against the Go toolchain's own disassembler on real binaries: every direct call
// and every syscall instruction that `go tool objdump` shows is found, at the same pc, with the
// same target, and nothing else.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { scanArm64 } from "../../src/arch/arm64/decode.ts";
import { scanAmd64 } from "../../src/arch/amd64/decode.ts";
import { arches } from "../../src/arch/arches.ts";
import type { CodeRef } from "../../src/arch/code.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { type GoArch, goBuild, goTool, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const app = join(repoRoot, "test/fixtures/analyze/app");
const oldest = goToolchains()[0]!;
const newest = goToolchains().at(-1)!;

function refs(scan: (code: Uint8Array, addr: number, visit: (r: CodeRef) => void) => void, bytes: number[], addr = 0x1000): CodeRef[] {
  const out: CodeRef[] = [];
  scan(new Uint8Array(bytes), addr, (r) => out.push(r));
  return out;
}

describe("amd64 decoder", () => {
  test("CALL rel32, JMP rel32, Jcc rel32 and SYSCALL are found after prefixes, VEX and EVEX instructions", () => {
    const code = [
      0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00, // nopw 0(rax,rax,1)
      0xc5, 0xfd, 0x6f, 0x04, 0x24, // vmovdqa ymm0, [rsp] (VEX, SIB)
      0x62, 0xf1, 0x7d, 0x48, 0x6f, 0x44, 0x24, 0x01, // vmovdqa32 zmm0, [rsp+64] (EVEX, disp8)
      0xc4, 0xe3, 0x7d, 0x39, 0xc1, 0x01, // vextracti128 xmm1, ymm0, 1 (VEX map 0F3A: imm8)
      0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, // movabs rax, imm64 (no address: above user space)
      0xe8, 0x10, 0x00, 0x00, 0x00, // call +0x10
      0x0f, 0x84, 0xf0, 0xff, 0xff, 0xff, // je -0x10
      0x0f, 0x05, // syscall
      0xe9, 0x00, 0x01, 0x00, 0x00, // jmp +0x100
      0xcc, 0xcc, // int3 padding
    ];
    const at = (n: number) => 0x1000 + n;
    expect(refs(scanAmd64, code)).toEqual([
      { kind: "call", pc: at(35), target: at(40) + 0x10 },
      { kind: "jump", pc: at(40), target: at(46) - 0x10 },
      { kind: "syscall", pc: at(46) },
      { kind: "jump", pc: at(48), target: at(53) + 0x100 },
    ]);
  });

  test("a RIP-relative operand and an absolute immediate are addresses the code loads", () => {
    const code = [
      0x48, 0x8d, 0x05, 0x00, 0x10, 0x00, 0x00, // lea rax, [rip+0x1000]
      0x48, 0xc7, 0xc3, 0x00, 0x20, 0x40, 0x00, // mov rbx, 0x402000
      0xf7, 0xc1, 0x01, 0x00, 0x00, 0x00, // test ecx, 1 (F7 /0 has an imm32)
      0xcd, 0x80, // int 0x80
    ];
    expect(refs(scanAmd64, code)).toEqual([
      { kind: "address", pc: 0x1000, target: 0x1007 + 0x1000 },
      { kind: "address", pc: 0x1007, target: 0x402000 },
      { kind: "syscall", pc: 0x1014 },
    ]);
  });
});

describe("arm64 decoder", () => {
  const word = (w: number) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24];
  test("BL, B, SVC #0 and ADRP+ADD are found; other words are not", () => {
    const code = [
      ...word(0x94000004), // bl +16
      ...word(0x17ffffff), // b -4
      ...word(0xd4000001), // svc #0
      ...word(0x90000010), // adrp x16, +0 pages
      ...word(0x91010210), // add x16, x16, #0x40
      ...word(0xd65f03c0), // ret
    ];
    expect(refs(scanArm64, code, 0x10000)).toEqual([
      { kind: "call", pc: 0x10000, target: 0x10010 },
      { kind: "jump", pc: 0x10004, target: 0x10000 },
      { kind: "syscall", pc: 0x10008 },
      { kind: "address", pc: 0x1000c, target: 0x10040 },
    ]);
  });
});

/**
 * The direct calls and syscall instructions `go tool objdump` shows in the functions matching
 * `pattern`, as "PC CALL TARGET" and "PC SYSCALL" lines (ABI0 names without their suffix).
 */
function objdumpRefs(go: string, prog: string, pattern: string): string[] {
  const out: string[] = [];
  for (const line of goTool(go, ["tool", "objdump", "-s", pattern, prog]).split("\n")) {
    const m = /^\s+\S+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+(CALL (\S+)\(SB\)|SYSCALL|SVC\b.*)/.exec(line);
    if (!m) continue;
    const pc = Number.parseInt(m[1]!, 16);
    out.push(m[3] ? `${pc.toString(16)} CALL ${m[3].replace(/\.abi0$/, "")}` : `${pc.toString(16)} SYSCALL`);
  }
  return out.sort();
}

function decodedRefs(prog: string, pattern: RegExp): string[] {
  const b = GoBinary.open(prog);
  const t = b.pclntab;
  const out: string[] = [];
  for (let fn = 0; fn < t.funcCount; fn++) {
    if (!pattern.test(t.funcName(fn))) continue;
    const entry = t.funcEntry(fn);
    arches[b.arch].scanCode(b.elf.readAt(entry, t.funcEnd(fn) - entry)!, entry, (r) => {
      if (r.kind === "syscall") out.push(`${r.pc.toString(16)} SYSCALL`);
      if (r.kind !== "call") return;
      const callee = t.findFunc(r.target);
      // objdump names a target inside a function as NAME+OFFSET, which the pattern above skips.
      if (callee !== undefined && t.funcEntry(callee) === r.target) out.push(`${r.pc.toString(16)} CALL ${t.funcName(callee)}`);
    });
  }
  return out.sort();
}

describe.each([oldest, newest])("Go %s: the decoders agree with go tool objdump", (go) => {
  // The fixture's modules, its main package, and some of the runtime and fmt (hand-written
  // assembly with syscalls, AVX code, large compiled functions).
  const pattern = "^(example\\.com/|main\\.|fmt\\.|strconv\\.|runtime\\.(mallocgc|newproc|schedule|memmove|memclrNoHeapPointers|write1|exit|open|rt0_go|gogo|asmcgocall|morestack|sigtramp|futex))";
  test.each(["amd64", "arm64"] as GoArch[])("%s", (goarch) => {
    const prog = goBuild({ dir: app, go, goarch });
    const expected = objdumpRefs(go, prog, pattern);
    expect(expected.length).toBeGreaterThan(500);
    expect(expected.some((l) => l.endsWith("SYSCALL"))).toBe(true);
    expect(decodedRefs(prog, new RegExp(pattern))).toEqual(expected);
  });
});
