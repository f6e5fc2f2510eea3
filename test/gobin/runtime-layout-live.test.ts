// The runtime layout checked on live processes: test/fixtures/glayout blocks its main goroutine
// in read(2), from Go or from C, and this test reads the runtime's structures out of it with
// process_vm_readv, following only the offsets runtimeLayout gives and the runtime's global
// symbols (`go tool nm`). Every value read must agree with what the runtime must hold: m0 and g0
// point at each other, the main goroutine is goroutine 1 created by the runtime, the goroutine
// main.spawn starts records it as creator (and, under GODEBUG=tracebackancestors, as ancestor
// with main.spawn on its stack), and the g found through TLS is the blocked thread's.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { readBuildInfo } from "../../src/gobin/buildinfo.ts";
import { Pclntab } from "../../src/gobin/pclntab.ts";
import { G_STATUS, type RuntimeLayout, runtimeLayout } from "../../src/gobin/runtime-layout.ts";
import { RemoteMemory } from "../../src/libc/memory.ts";
import { goBuild, goToolchains, goTool, repoRoot } from "../helpers/gobuild.ts";

const glayoutDir = join(repoRoot, "test/fixtures/glayout");
const SYS_READ_AMD64 = 0;

interface Binary {
  path: string;
  elf: ElfFile;
  layout: RuntimeLayout;
  pclntab: Pclntab;
  symbols: Map<string, number>;
}

function openBinary(go: string, cgo: boolean): Binary {
  const path = goBuild({ dir: glayoutDir, go, variant: cgo ? "cgo" : "default" });
  const elf = ElfFile.open(path);
  const symbols = new Map<string, number>();
  for (const line of goTool(go, ["tool", "nm", path]).split("\n")) {
    const m = /^\s*([0-9a-f]+) [A-Za-z] (\S+)$/.exec(line);
    if (m) symbols.set(m[2], parseInt(m[1], 16));
  }
  const goVersion = readBuildInfo(elf)!.goVersion;
  return { path, elf, layout: runtimeLayout(elf, goVersion), pclntab: Pclntab.fromElf(elf, { goVersion }), symbols };
}

/** Word reads from a process, failing the test on a short read. */
class Process {
  private readonly mem = new RemoteMemory(64);
  constructor(readonly pid: number) {}

  bytes(addr: number, n: number): DataView {
    expect(this.mem.read(this.pid, addr, n)).toBe(n);
    return this.mem.view;
  }
  u64(addr: number): number {
    return Number(this.bytes(addr, 8).getBigUint64(0, true));
  }
  u32(addr: number): number {
    return this.bytes(addr, 4).getUint32(0, true);
  }
  u8(addr: number): number {
    return this.bytes(addr, 1).getUint8(0);
  }
}

const running: ReturnType<typeof Bun.spawn>[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill("SIGKILL");
});

/** Starts the fixture and waits until its main thread sits in read(2); returns its pid, tid and thread pointer. */
async function startBlocked(b: Binary, mode: "go" | "cgo", env: Record<string, string>): Promise<{ proc: Process; tid: number; threadPointer: number }> {
  const child = Bun.spawn([b.path, mode], { stdout: "pipe", stderr: "inherit", env });
  running.push(child);
  const reader = child.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${b.path} ${mode} exited before reporting: ${out}`);
    out += new TextDecoder().decode(value);
  }
  const m = /^tid=(\d+) threadpointer=(\d+)$/m.exec(out);
  if (!m) throw new Error(`unexpected report: ${out}`);
  const tid = Number(m[1]);
  // The report comes just before the read; wait (a bounded number of polls) until the kernel shows it.
  const syscallFile = `/proc/${child.pid}/task/${tid}/syscall`;
  for (let i = 0; i < 2000 && readFileSync(syscallFile, "utf8").split(" ")[0] !== String(SYS_READ_AMD64); i++) await Bun.sleep(5);
  expect(readFileSync(syscallFile, "utf8").split(" ")[0]).toBe(String(SYS_READ_AMD64));
  return { proc: new Process(child.pid), tid, threadPointer: Number(m[2]) };
}

function funcAt(b: Binary, pc: number): string | undefined {
  const fn = b.pclntab.findFunc(pc);
  return fn === undefined ? undefined : b.pclntab.funcName(fn);
}

function entryOf(b: Binary, name: string): number {
  for (const f of b.pclntab.funcs()) if (f.name === name) return f.entry;
  throw new Error(`${name} not in ${b.path}`);
}

function symbol(b: Binary, name: string): number {
  const addr = b.symbols.get(name);
  if (addr === undefined) throw new Error(`${name} not in ${b.path}`);
  return addr;
}

/** The goroutines in runtime.allgs. */
function allGs(b: Binary, p: Process): number[] {
  const allgs = symbol(b, "runtime.allgs");
  const data = p.u64(allgs);
  const len = p.u64(allgs + 8);
  expect(len).toBeGreaterThanOrEqual(2);
  expect(len).toBeLessThan(100);
  return Array.from({ length: len }, (_, i) => p.u64(data + 8 * i));
}

/**
 * The one goroutine `creator` started. `go wait(started)` has an argument, so the compiler starts a
 * wrapper closure named after the creator (main.spawn.func1; main.spawn.gowrap1 from Go 1.22).
 */
function spawnedGoroutine(b: Binary, p: Process, gs: number[], creator = "main.spawn"): number {
  const spawned = gs.filter((g) => funcAt(b, p.u64(g + b.layout.g.gopc) - 1) === creator);
  expect(spawned.length).toBe(1);
  expect(funcAt(b, p.u64(spawned[0] + b.layout.g.startpc))).toBe(`${creator}.${goMinor(b) >= 22 ? "gowrap1" : "func1"}`);
  return spawned[0];
}

function goMinor(b: Binary): number {
  return Number(b.layout.goVersion!.split(".")[1].replace(/\D.*/, ""));
}

/** The pcs of a goroutine's first ancestor (its creator), as the runtime recorded them. */
function firstAncestorPcs(b: Binary, p: Process, g: number): number[] {
  const { g: G, ancestorInfo: A } = b.layout;
  const ancestors = p.u64(g + G.ancestors);
  expect(ancestors).not.toBe(0);
  expect(p.u64(ancestors + 8)).toBe(1);
  const info = p.u64(ancestors);
  const data = p.u64(info + A.pcs);
  const len = p.u64(info + A.pcs + 8);
  return Array.from({ length: len }, (_, i) => p.u64(data + 8 * i));
}

/**
 * Checks a goroutine blocked in a syscall: its status, and that its saved context lies on its own
 * stack; returns the function its syscallpc is in. entersyscall saves the same context in g.sched,
 * but a cgo call then moves to the system stack through asmcgocall, which saves its own.
 */
function expectInSyscall(b: Binary, p: Process, g: number, via: "go" | "cgo"): string | undefined {
  const { g: G } = b.layout;
  expect(p.u32(g + G.atomicstatus) & ~G_STATUS.scan).toBe(G_STATUS.syscall);
  const lo = p.u64(g + G.stackLo);
  const hi = p.u64(g + G.stackHi);
  const sp = p.u64(g + G.syscallsp);
  expect(lo).toBeLessThan(sp);
  expect(sp).toBeLessThan(hi);
  const schedSP = p.u64(g + G.sched.sp);
  const schedBP = p.u64(g + G.sched.bp);
  if (via === "go") {
    expect(schedSP).toBe(sp);
    expect(p.u64(g + G.sched.pc)).toBe(p.u64(g + G.syscallpc));
    // Before Go 1.23 entersyscall saves no frame pointer: g.sched.bp is stale then.
    if (G.syscallbp !== undefined) expect(schedBP).toBe(p.u64(g + G.syscallbp));
  } else {
    expect(funcAt(b, p.u64(g + G.sched.pc))).toBe("runtime.systemstack_switch");
    expect(lo < schedSP && schedSP < sp).toBe(true);
    expect(schedBP >= schedSP && schedBP < hi).toBe(true);
  }
  if (G.syscallbp !== undefined) {
    const bp = p.u64(g + G.syscallbp);
    expect(bp > sp && bp < hi).toBe(true);
  }
  return funcAt(b, p.u64(g + G.syscallpc));
}

const host = process.arch === "x64";

describe.skipIf(!host)("runtime layout on live amd64 processes", () => {
  for (const go of goToolchains()) {
    test(`go${go}: m0/g0, the main goroutine, spawned goroutines and their ancestry (cut at ancestorPcsLimit pcs), and g through TLS while blocked in Go`, async () => {
      const b = openBinary(go, false);
      const { g: G, m: M, ancestorInfo: A } = b.layout;
      const { proc: p, tid, threadPointer } = await startBlocked(b, "go", { GODEBUG: "tracebackancestors=3" });
      const m0 = symbol(b, "runtime.m0");
      const g0 = symbol(b, "runtime.g0");
      expect(p.u64(m0 + M.g0)).toBe(g0);
      expect(p.u64(g0 + G.m)).toBe(m0);
      expect(p.u64(m0 + M.procid)).toBe(p.pid);

      const gs = allGs(b, p);
      const main = gs[0];
      expect(p.u64(main + G.goid)).toBe(1);
      // rt0_go creates it through the ABI0 wrapper of runtime.newproc, which is the caller newproc sees.
      expect(funcAt(b, p.u64(main + G.gopc) - 1)).toBe("runtime.newproc");
      expect(p.u64(main + G.startpc)).toBe(entryOf(b, "runtime.main"));

      const w = spawnedGoroutine(b, p, gs);
      expect(p.u64(w + G.goid)).toBeGreaterThan(1);
      if (G.parentGoid !== undefined) expect(p.u64(w + G.parentGoid)).toBe(1);

      // Ancestry: one ancestor (goroutine 1, whose creator is g0), with the creating stack.
      const ancestors = p.u64(w + G.ancestors);
      expect(ancestors).not.toBe(0);
      expect(p.u64(ancestors + 8)).toBe(1);
      const info = p.u64(ancestors);
      expect(A.size).toBe(40);
      expect(p.u64(info + A.goid)).toBe(1);
      expect(p.u64(info + A.gopc)).toBe(p.u64(main + G.gopc));
      const stackFuncs = firstAncestorPcs(b, p, w).map((pc) => funcAt(b, pc - 1));
      expect(stackFuncs.length).toBeLessThan(b.layout.ancestorPcsLimit!);
      expect(stackFuncs).toContain("main.spawn");
      expect(stackFuncs).toContain("main.main");
      // From 120 frames deep the runtime keeps only the innermost ancestorPcsLimit pcs.
      const deep = firstAncestorPcs(b, p, spawnedGoroutine(b, p, gs, "main.deepSpawn")).map((pc) => funcAt(b, pc - 1));
      expect(deep.length).toBe(b.layout.ancestorPcsLimit!);
      expect(deep).not.toContain("main.main");
      expect(deep.filter((f) => f === "main.deepSpawn").length).toBeGreaterThanOrEqual(b.layout.ancestorPcsLimit! - 3);

      // The blocked thread: g through TLS is the main goroutine, in a syscall made by package syscall.
      expect(b.layout.tlsG).toEqual({ known: true, register: "fs_base", offset: -8 });
      const g = p.u64(threadPointer + (b.layout.tlsG.known ? b.layout.tlsG.offset : NaN));
      expect(g).toBe(main);
      const m = p.u64(g + G.m);
      expect(p.u64(m + M.curg)).toBe(g);
      expect(p.u64(m + M.procid)).toBe(tid);
      expect(p.u8(m + M.incgo)).toBe(0);
      // Without cgo the thread pointer is &m.tls[1]: g is m.tls[0].
      expect(threadPointer).toBe(m + M.tls + 8);
      expect(expectInSyscall(b, p, g, "go")).toMatch(/^syscall\.(Raw)?Syscall/);
    });

    test(`go${go}: a thread blocked in C called through cgo: g0 through TLS, incgo, and the goroutine's saved syscall context in runtime.cgocall`, async () => {
      const b = openBinary(go, true);
      const { g: G, m: M } = b.layout;
      const { proc: p, tid, threadPointer } = await startBlocked(b, "cgo", {});
      expect(b.layout.tlsG).toEqual({ known: true, register: "fs_base", offset: -40 });
      const g0 = p.u64(threadPointer + (b.layout.tlsG.known ? b.layout.tlsG.offset : NaN));
      const m = p.u64(g0 + G.m);
      expect(p.u64(m + M.g0)).toBe(g0);
      expect(p.u64(m + M.procid)).toBe(tid);
      expect(p.u8(m + M.incgo)).toBe(1);
      expect(p.u32(m + M.ncgo)).toBe(1);
      const curg = p.u64(m + M.curg);
      const gs = allGs(b, p);
      expect(curg).toBe(gs[0]);
      expect(p.u64(curg + G.goid)).toBe(1);
      expect(p.u64(curg + G.m)).toBe(m);
      expect(expectInSyscall(b, p, curg, "cgo")).toBe("runtime.cgocall");
      // Without GODEBUG=tracebackancestors the runtime records no ancestry.
      expect(p.u64(spawnedGoroutine(b, p, gs) + G.ancestors)).toBe(0);
    });
  }
});
