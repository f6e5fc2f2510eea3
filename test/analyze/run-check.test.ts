// `gomodjail run` checks its program: one warning line naming the confined modules whose code
// the jail cannot hold, or with --strict a refusal to start it. The forged-stack fixture shows why: a
// raw syscall from a module's own assembly is blocked (its frame is the leaf, whatever stack it
// built), but the same syscall made by syscall.RawSyscall6, entered by a jump with a forged
// return address, leaves no frame of the module on the stack and goes through: only the check
// flags it.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/analyze/app");
const goMod = join(app, "go.mod");

/** The start-up warnings, as key=value records. */
function checkWarnings(stderr: string): Record<string, string>[] {
  return stderr
    .split("\n")
    .filter((l) => l.includes('msg="confined modules have code the jail cannot hold"'))
    .map((l) => Object.fromEntries([...l.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, "")])));
}

for (const go of [goToolchains()[0]!, goToolchains().at(-1)!]) {
  describe(`Go ${go}: the start-up check`, () => {
    const prog = () => goBuild({ dir: app, go });
    const run = (args: string[], cases: string[]) => {
      const dir = mkdtempSync(join(tmpdir(), "forged-"));
      return { dir, outcome: runGomodjail(["run", ...args, "--", prog(), ...cases], { env: { ANALYZE_SCRATCH: dir } }) };
    };

    test("one warning line naming the confined modules with findings and their kinds, then the program runs", async () => {
      const { outcome } = run([`--go-mod=${goMod}`], ["plain"]);
      const r = await outcome;
      expect(r.stdout).toBe("plain: HELLO, s3cret\n");
      // At every start only what the function table shows (assembly, cgo): reach's reflect and
      // unsafe uses need its code read, which --strict and analyze do.
      expect(checkWarnings(r.stderr).map((w) => w.modules)).toEqual(["example.com/asmsys (2 asm)"]);
      expect(checkWarnings(r.stderr)[0]!.details).toBe(`gomodjail analyze --go-mod=FILE ${prog()}`);
      expect(r.exitCode).toBe(0);
    });

    test("no warning when the confined modules have no findings", async () => {
      const onlyPlain = join(mkdtempSync(join(tmpdir(), "plain-")), "go.mod");
      writeFileSync(onlyPlain, "module example.com/analyzeapp\n\nrequire example.com/plain v1.0.0 // gomodjail:confined\n");
      const r = await run([`--go-mod=${onlyPlain}`], ["plain"]).outcome;
      expect(checkWarnings(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("--strict refuses a program whose confined module's code reaches a class it is not allowed, naming the class and the path", async () => {
      const victim = goBuild({ dir: join(repoRoot, "examples/victim"), go });
      const r = await runGomodjail(["run", `--go-mod=${join(repoRoot, "examples/victim/go.mod")}`, "--strict", "--", victim]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(
        `gomodjail: ${victim}: confined modules reach classes they are not allowed: example.com/gomodjail/examples/poisoned reaches EXEC: example.com/gomodjail/examples/poisoned.attack -> os/exec.Command; 'gomodjail analyze --go-mod=FILE ${victim}' shows all (--strict)\n`,
      );
    });

    test("--strict refuses to start the program, naming the modules", async () => {
      const r = await run([`--go-mod=${goMod}`, "--strict"], ["plain"]).outcome;
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `gomodjail: ${prog()}: confined modules have code the jail cannot hold: example.com/asmsys (2 asm), example.com/reach (2 reflect, 1 unsafe); 'gomodjail analyze --go-mod=FILE ${prog()}' shows where (--strict)\n`,
      );
    });

    test("forged stack, own syscall instruction: blocked, since the module's assembly is the leaf frame", async () => {
      const { dir, outcome } = run([`--go-mod=${goMod}`], ["raw-forged"]);
      const r = await outcome;
      expect(r.stdout).toBe("raw-forged: errno 1\n");
      expect(blockedLines(r.stderr).map((l) => [l.syscall, l.module, l.entry.replace(/.*:/, "")])).toEqual([["mkdirat", "example.com/asmsys", "example.com/asmsys.rawMkdirat"]]);
      expect(existsSync(join(dir, "raw-forged"))).toBe(false);
    });

    test("forged stack, laundered through syscall.RawSyscall6: not blocked, and flagged only by the start-up check", async () => {
      const { dir, outcome } = run([`--go-mod=${goMod}`], ["laundered"]);
      const r = await outcome;
      expect(r.stdout).toBe("laundered: created\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(existsSync(join(dir, "laundered"))).toBe(true);
      expect(checkWarnings(r.stderr).map((w) => w.modules)).toEqual(["example.com/asmsys (2 asm)"]);
    });
  });
}
