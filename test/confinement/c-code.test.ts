// Syscalls from C code that no goroutine stands behind: a C constructor that runs before the Go
// runtime, and C threads. The confinement model knows which modules have C code (from the
// function table on every build, refined by DWARF where there is one): such a call is blocked
// where a confined module has C code (naming it when its C code is on the stack) or where C code
// has no known owner (a constructor DWARF does not place), and allowed where neither holds.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { placesCFunctions } from "../../src/confinement/c-code.ts";
import { Confinement } from "../../src/confinement/model.ts";
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
      const code = Confinement.of(binary, undefined).cCode();
      if (code.kind !== "present") throw new Error(`no C code found: ${code.kind}`);
      expect(code.unknownOwner).toEqual([]);
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

    test("stripped: the function table still names the modules with C code; the constructor has no known owner", () => {
      const binary = GoBinary.open(goBuild({ dir: app, go, variant: "cgo", flags: ["-ldflags=-s -w"] }));
      const code = Confinement.of(binary, undefined).cCode();
      if (code.kind !== "present") throw new Error(`no C code found: ${code.kind}`);
      expect([...code.byModule.keys()].map((m) => m.path).sort()).toEqual(["example.com/analyzeapp", "example.com/cctor"]);
      expect(code.unknownOwner).toHaveLength(1);
      expect(code.unknownOwner[0]).toMatch(/^a C constructor at 0x[0-9a-f]+ \(it has no DWARF/);
    });

    test("only DWARF places C functions, as the section headers tell: stripped, no module's C function is known, so no pc is placed", () => {
      const stripped = GoBinary.open(goBuild({ dir: app, go, variant: "cgo", flags: ["-ldflags=-s -w"] }));
      const code = Confinement.of(stripped, undefined).cCode();
      if (code.kind !== "present") throw new Error(`no C code found: ${code.kind}`);
      expect([...code.byModule.values()].flat()).toEqual([]);
      expect(placesCFunctions(stripped.elf)).toBe(false);
      expect(placesCFunctions(GoBinary.open(prog()).elf)).toBe(true);
    });

    test("stripped: the constructor, whose owner no DWARF names, makes C code without a goroutine blocked, saying why", async () => {
      const stripped = goBuild({ dir: app, go, variant: "cgo", flags: ["-ldflags=-s -w"] });
      const r = await run(["--policy=example.com/cctor=unconfined"], ["ctor", "main-thread"], stripped);
      expect(r.stdout).toBe("ctor: errno 1\nmain-thread: errno 1\n");
      const lines = blocked(r.stderr);
      expect(lines.map(([syscall, module]) => [syscall, module])).toEqual([
        ["openat", "unknown"],
        ["openat", "unknown"],
      ]);
      expect(lines[0]![2]).toMatch(/^a syscall from C code before the Go runtime started \(a C constructor\); the program has C code of unknown owner: a C constructor at 0x/);
      expect(lines[1]![2]).toMatch(/^a syscall from C code on a thread without a goroutine; the program has C code of unknown owner: a C constructor at 0x/);
    });
  });
}

// A C thread of the main module, in a program without C constructors: the same answer on default
// and stripped builds, since which modules have C code is read from the function table.
const cthread = join(repoRoot, "test/fixtures/cthread/app");
for (const go of ["1.21", goToolchains().at(-1)!]) {
  for (const stripped of [false, true]) {
    describe(`Go ${go} cgo${stripped ? ", stripped" : ""}: a C thread of the main module`, () => {
      const prog = () => goBuild({ dir: cthread, go, variant: "cgo", flags: stripped ? ["-ldflags=-s -w"] : [] });
      const run = (policy: string[]) => runGomodjail(["run", `--go-mod=${join(cthread, "go.mod")}`, ...policy, "--", prog()]);

      test("no confined module has C code: the thread's open is allowed", async () => {
        const r = await run([]);
        expect(r.stdout).toBe("pure 42\nthread: errno 0\n");
        expect(blockedLines(r.stderr)).toEqual([]);
        expect(r.exitCode).toBe(0);
      });

      test("a confined module calls C (its _Cfunc_ stub shows it): the thread's open is blocked, naming it", async () => {
        const r = await run(["--policy=example.com/cmod=confined"]);
        expect(r.stdout).toBe("pure 42\nthread: errno 1\n");
        expect(blockedLines(r.stderr).map((l) => [l.syscall, l.module, l.reason])).toEqual([
          ["openat", "example.com/cmod", "a syscall from C code on a thread without a goroutine, and confined example.com/cmod has C code: whose it is cannot be told"],
        ]);
      });
    });
  }
}
