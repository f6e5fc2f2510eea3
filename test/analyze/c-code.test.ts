// Syscalls from C code that no goroutine stands behind (issue 13, item 3): a C constructor that
// runs before the Go runtime, and C threads. With the binary's C code attributed to modules, such
// a call is blocked where a confined module has C code (naming it when its C code is on the
// stack) and allowed where none has; without DWARF to attribute it, it is blocked.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { attributeCCode } from "../../src/analyze/c-code.ts";
import { attributionOf } from "../../src/analyze/attribution.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/analyze/app");
const goMod = join(app, "go.mod");

for (const go of [goToolchains()[0]!, goToolchains().at(-1)!]) {
  describe(`Go ${go} cgo: C code without a goroutine`, () => {
    const prog = () => goBuild({ dir: app, go, variant: "cgo" });
    const run = (policy: string[], cases: string[], binary = prog()) => runGomodjail(["run", `--go-mod=${goMod}`, ...policy, "--", binary, ...cases]);
    const blocked = (stderr: string) => blockedLines(stderr).map((l) => [l.syscall, l.module, l.reason]);

    test("the C code is attributed: cctor's preamble and thread.c, the main module's preamble, nothing of the standard library's", () => {
      const binary = GoBinary.open(prog());
      const code = attributeCCode(binary.elf, binary.pclntab, attributionOf(binary, undefined));
      if (code.kind !== "attributed") throw new Error(`C code not attributed: ${code.kind}`);
      const byModule = Object.fromEntries([...code.byModule].map(([m, fs]) => [m.path, fs.map((f) => `${f.name}${f.isConstructor ? " (constructor)" : ""}`).sort()]));
      expect(Object.keys(byModule).sort()).toEqual(["example.com/analyzeapp", "example.com/cctor"]);
      expect(byModule["example.com/cctor"]).toEqual(["cctor_init (constructor)", "cctor_thread_open", "open_hostname"]);
    });

    test("a confined module's C constructor is blocked before Go starts, and the program still loads and runs", async () => {
      const r = await run([], ["ctor", "plain"]);
      expect(r.stdout).toBe("ctor: errno 1\nplain: HELLO, s3cret\n");
      expect(blocked(r.stderr)).toEqual([["openat", "example.com/cctor", "a syscall from C code before the Go runtime started (a C constructor), returning into C code of example.com/cctor"]]);
      expect(r.exitCode).toBe(0);
    });

    test("on a thread without a goroutine: the confined module's C thread is blocked, and so is the main module's, which cannot be told apart", async () => {
      const r = await run([], ["cctor-thread", "main-thread"]);
      expect(r.stdout).toBe("cctor-thread: errno 1\nmain-thread: errno 1\n");
      expect(blocked(r.stderr).slice(-2)).toEqual([
        ["openat", "example.com/cctor", "a syscall from C code on a thread without a goroutine, returning into C code of example.com/cctor"],
        ["openat", "example.com/cctor", "a syscall from C code on a thread without a goroutine, and confined example.com/cctor has C code: whose it is cannot be told"],
      ]);
    });

    test("where no confined module has C code, the constructor and both C threads are allowed", async () => {
      const r = await run(["--policy=example.com/cctor=unconfined"], ["ctor", "cctor-thread", "main-thread"]);
      expect(r.stdout).toBe("ctor: ok\ncctor-thread: ok\nmain-thread: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("without DWARF the C code cannot be attributed: the constructor and a C thread are blocked, saying why", async () => {
      const stripped = goBuild({ dir: app, go, variant: "cgo", flags: ["-ldflags=-s -w"] });
      const r = await run(["--policy=example.com/cctor=unconfined"], ["ctor", "main-thread"], stripped);
      expect(r.stdout).toBe("ctor: errno 1\nmain-thread: errno 1\n");
      const why = "the program's C code cannot be attributed to modules: it has no DWARF (built with -ldflags=-w or stripped)";
      expect(blocked(r.stderr)).toEqual([
        ["openat", "unknown", `a syscall from C code before the Go runtime started (a C constructor); ${why}`],
        ["openat", "unknown", `a syscall from C code on a thread without a goroutine; ${why}`],
      ]);
    });
  });
}
