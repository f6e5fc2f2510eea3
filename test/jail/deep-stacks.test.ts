// Stacks thousands of frames deep (test/fixtures/deepstack): the walk is bounded by the
// goroutine's stack, not by a count of frames, so the main module's deep recursion is walked to
// its root and allowed, and a confined module at the root of such a stack is found and blocked.
// Then the walk itself on a recorded deep stack: to its root, cut at a lower bound, and ended
// by a frame chain that does not climb.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { amd64 } from "../../src/arch/amd64/arch.ts";
import { arm64 } from "../../src/arch/arm64/arch.ts";
import { withTracebackAncestors } from "../../src/confinement/godebug.ts";
import { ReplayTracee, type RecordedStop } from "../../src/decision/recorded-stop.ts";
import type { LogicalFrame, Pclntab } from "../../src/gobin/pclntab.ts";
import { RuntimeLayoutError } from "../../src/gobin/runtime-layout.ts";
import { loadProfile } from "../../src/policy/profile.ts";
import { selfCommand } from "../../src/launch/stage.ts";
import { traceProgram } from "../../src/tracer/tracer.ts";
import { GoroutineReader } from "../../src/unwind/goroutine.ts";
import { StackWindow } from "../../src/unwind/stack.ts";
import { unwindGoStack } from "../../src/unwind/unwind.ts";
import { goBuild, goToolchains, repoRoot, testGoArch } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";
import { replayStop, replayTarget, type StopFixture } from "../helpers/stops.ts";

const app = join(repoRoot, "test/fixtures/deepstack/app");
const goMod = join(app, "go.mod");
const allowed = ["main-1100", "main-5000", "goroutine-5000"];
const blocked = ["confined-root-1100", "confined-root-5000"];

for (const go of goToolchains()) {
  describe(`Go ${go}`, () => {
    const prog = () => goBuild({ dir: app, go });

    test("the main module's syscall 1,100 and 5,000 frames deep in its own recursion is allowed", async () => {
      const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), ...allowed]);
      expect(r.stdout.trim().split("\n")).toEqual(allowed.map((c) => `${c}: ok`));
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("a confined module's function at the root of such a stack is found there and blocks it", async () => {
      const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), ...blocked]);
      expect(r.stdout.trim().split("\n")).toEqual(blocked.map((c) => `${c}: open /dev/null: operation not permitted`));
      const lines = blockedLines(r.stderr);
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) {
        expect(l.module).toBe("example.com/deepconfined");
        expect(l.entry).toContain("example.com/deepconfined.Call");
      }
      expect(r.exitCode).toBe(0);
    });
  });
}

describe("the walk on a recorded stack 5,000 frames deep", () => {
  const go = goToolchains().at(-1);
  const DEPTH = 5000;

  /** The open at the bottom of main-5000, recorded under the tracer, with the binary it ran. */
  const recorded = (() => {
    let cached: { stop: RecordedStop; fixture: StopFixture } | undefined;
    return () => {
      if (cached) return cached;
      const binary = goBuild({ dir: app, go });
      const stops: RecordedStop[] = [];
      traceProgram(
        {
          path: binary,
          argv: [binary, `main-${DEPTH}`],
          env: { ...process.env, GODEBUG: withTracebackAncestors(process.env.GODEBUG) },
          descriptors: [],
          profile: loadProfile(goMod),
          self: selfCommand(),
          audit: false,
          strict: false,
        },
        { started() {}, blocked() {}, warn() {}, recorded: (s) => stops.push(s) },
      );
      const stop = stops.find((s) => s.outcome.stack.some((f) => f.startsWith("main.openDevNull ")));
      if (!stop) throw new Error("no recorded stop opens /dev/null");
      const fixture: StopFixture = { name: "deepstack", program: "test/fixtures/deepstack/app", go: go!, variant: "default", goarch: testGoArch, sha256: "", stops: [] };
      cached = { stop, fixture };
      return cached;
    };
  })();

  /** The recorded stop's binary, its stack read from the recording, and its goroutine's stack bounds. */
  function walkInputs() {
    const { stop, fixture } = recorded();
    const target = replayTarget(fixture);
    const layout = target.image.runtimeLayout;
    if (layout instanceof RuntimeLayoutError) throw layout;
    const memory = new ReplayTracee(stop).memory;
    const g = new GoroutineReader(layout, memory).readG(stop.tid, stop.regs.g);
    if (!g) throw new Error("the recorded stop did not read its goroutine");
    const walk = (stackHi: number | undefined) => {
      const stack = new StackWindow(4096, memory);
      stack.reset(stop.tid, stop.regs.sp);
      return unwindGoStack(target.image.pclntab, amd64, stop.regs, stop.bias, stack, true, stackHi);
    };
    return { stop, target, layout, g, walk };
  }

  test.if(go !== undefined && testGoArch === "amd64")("bounded by g.stack.hi, the walk reaches the goroutine's root through every frame", () => {
    const { g, stop, walk } = walkInputs();
    expect(g.stackLo <= stop.regs.sp && stop.regs.sp < g.stackHi).toBe(true);
    const trace = walk(g.stackHi);
    expect(trace.incompleteReason).toBeUndefined();
    expect(trace.complete).toBe(true);
    expect(trace.steps.filter((s) => s.name === "main.descend").length).toBe(DEPTH + 1);
    expect(trace.steps.at(-1)!.name).toBe("runtime.goexit");
  });

  test.if(go !== undefined && testGoArch === "amd64")("with the bound unknown, the walk still ends at the root", () => {
    const trace = walkInputs().walk(undefined);
    expect(trace.complete).toBe(true);
    expect(trace.steps.length).toBeGreaterThan(DEPTH);
  });

  test.if(go !== undefined && testGoArch === "amd64")("a bound below the root ends the walk there, incomplete", () => {
    const { g, stop, walk } = walkInputs();
    const trace = walk(stop.regs.sp + Math.floor((g.stackHi - stop.regs.sp) / 2));
    expect(trace.complete).toBe(false);
    expect(trace.incompleteReason).toStartWith("reached the stack's upper bound");
    expect(trace.steps.length).toBeGreaterThan(10);
    expect(trace.steps.length).toBeLessThan(DEPTH);
  });

  // Needs the Decider to pass the goroutine's g.stack.hi to unwindGoStack.
  test.if(go !== undefined && testGoArch === "amd64")("the decision walks within the goroutine's bound: a g.stack.hi below the root blocks", () => {
    const { stop, target, layout, g } = walkInputs();
    const lowered = stop.regs.sp + Math.floor((g.stackHi - stop.regs.sp) / 2);
    // Every recorded read that holds the g's stack.hi field says the lower bound instead.
    const field = g.addr + layout.g.stackHi;
    const reads = stop.reads.map((r) => {
      const bytes = Buffer.from(r.bytes, "base64");
      if (field < r.addr || field + 8 > r.addr + bytes.length) return r;
      bytes.writeBigUInt64LE(BigInt(lowered), field - r.addr);
      return { addr: r.addr, bytes: bytes.toString("base64") };
    });
    expect(replayStop(target, stop).outcome.block).toBe(false);
    const r = replayStop(target, { ...stop, reads });
    expect(r.outcome.block).toBe(true);
    expect(r.outcome.reason).toStartWith("stack not fully walked: reached the stack's upper bound");
  });
});

test("a frame chain whose SP does not climb ends the walk (arm64: a frame of size 0 above the leaf)", () => {
  // Every pc is in one function of SP delta 0, and every return address points back into it.
  const frame: LogicalFrame = { func: "main.loop", file: "loop.go", line: 1, pc: 0x1000, entry: 0x1000, funcID: 0, inlined: false };
  const table = {
    findFunc: (pc: number) => (pc >= 0x1000 && pc < 0x2000 ? 0 : undefined),
    funcName: () => "main.loop",
    frames: () => [frame],
    spDelta: (_fn: number, pc: number) => (pc === 0x1003 ? 16 : 0),
  } as unknown as Pclntab;
  const memory = (capacity: number) => {
    const buffer = new Uint8Array(capacity);
    const view = new DataView(buffer.buffer);
    return {
      buffer,
      view,
      read: (_pid: number, _addr: number, length: number) => {
        const n = Math.min(length, capacity);
        for (let off = 0; off + 8 <= n; off += 8) view.setBigUint64(off, 0x1010n, true);
        return n;
      },
    };
  };
  const stack = new StackWindow(4096, memory);
  stack.reset(1, 0x7000);
  const trace = unwindGoStack(table, arm64, { pc: 0x1004, sp: 0x7000, lr: 0x1010 }, 0, stack);
  expect(trace.complete).toBe(false);
  expect(trace.incompleteReason).toStartWith("SP does not increase above main.loop");
});
