// Goroutines started deeper in their creator's stack than the runtime records (test/fixtures/deepgo):
// g.ancestors keeps the innermost 50 frames, so their ancestry is truncated, and without more the
// jail blocks everything they do. The tracer judges each creator's whole stack as the goroutine is
// created (src/tracer/creations.ts): the main module's and an unconfined module's deep goroutines
// run, and a confined frame beyond the 50 is still found, also a generation further down. The
// judgment is put off with a copy of the creator's stack where that stack is small enough (4000
// frames of the fixture's recursion are not: judged at the creation), and the oldest copies are
// judged when too many bytes are held.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot, testGoArch, type GoVariant } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/deepgo/app");
const goMod = join(app, "go.mod");
const allowed = ["main-60", "main-200", "main-4000", "unconfined-60", "chain-60", "thread-60", "spawn-1000"];
const blocked = ["confined-60", "confined-chain-60", "confined-4000"];

// The releases that keep 50 frames: the first and the newest installed.
const releases = ["1.21", goToolchains().at(-1)!].filter((v, i, all) => goToolchains().includes(v) && all.indexOf(v) === i);
// PIE moves the breakpoint's address; cgo brings C threads that never reach it (not in the arm64
// VM, whose programs are cross-built without a C toolchain: scripts/arm64-vm/prebuild.ts).
const variants: GoVariant[] = testGoArch === "arm64" ? ["default", "stripped", "pie"] : ["default", "stripped", "pie", "cgo"];

for (const go of releases) {
  for (const variant of variants) {
    describe(`Go ${go} ${variant}`, () => {
      const prog = () => goBuild({ dir: app, go, variant });

      test("goroutines the main module and an unconfined module start 60 and 200 frames deep are not blocked", async () => {
        const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), ...allowed]);
        expect(r.stdout.trim().split("\n")).toEqual(allowed.map((c) => `${c}: ok`));
        expect(blockedLines(r.stderr)).toEqual([]);
        expect(r.stderr).not.toContain("the creation breakpoint cannot be written");
        expect(r.exitCode).toBe(0);
      });

      test("a confined frame beyond the runtime's 50 blocks the goroutine, and the one that goroutine starts", async () => {
        const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), ...blocked]);
        expect(r.stdout.trim().split("\n")).toEqual(blocked.map((c) => `${c}: open /dev/null: operation not permitted`));
        const lines = blockedLines(r.stderr);
        expect(lines.length).toBe(blocked.length);
        for (const l of lines) {
          expect(l.module).toBe("example.com/deepgoconfined");
          expect(l.entry).toContain("example.com/deepgoconfined.Call");
          expect(l.reason).toContain("with confined code on its stack");
        }
        expect(r.exitCode).toBe(0);
      });
    });
  }
}

test("SIGTRAPs a program sends itself while it starts goroutines reach it, and its deep goroutines still run", async () => {
  const prog = goBuild({ dir: app, go: goToolchains().at(-1)! });
  const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog, "sigtrap-200"]);
  expect(r.stdout.trim()).toBe("sigtrap-200: ok");
  expect(blockedLines(r.stderr)).toEqual([]);
  expect(r.exitCode).toBe(0);
});

test("past the most creators' stacks held unjudged (16 MB), the oldest are judged, and deep goroutines after them still are", async () => {
  const prog = goBuild({ dir: app, go: goToolchains().at(-1)! });
  // About 0.8 KB of main's stack copied per goroutine: 30,000 pass the bound well (20,000 did, by 5%).
  const cases = ["held-30000", "chain-60", "confined-chain-60"];
  const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog, ...cases]);
  expect(r.stdout.trim().split("\n")).toEqual(["held-30000: ok", "chain-60: ok", "confined-chain-60: open /dev/null: operation not permitted"]);
  const lines = blockedLines(r.stderr);
  expect(lines.map((l) => l.module)).toEqual(["example.com/deepgoconfined"]);
  expect(r.exitCode).toBe(0);
});

test("--debug ends with the run's stops by kind: a creation stop for each goroutine started", async () => {
  const prog = goBuild({ dir: app, go: goToolchains().at(-1)! });
  const r = await runGomodjail(["--debug", "run", `--go-mod=${goMod}`, "--", prog, "spawn-1000"]);
  expect(r.stdout.trim()).toBe("spawn-1000: ok");
  const record = r.stderr.split("\n").find((l) => l.startsWith("level=DEBUG msg=stops "));
  const counts = Object.fromEntries([...(record ?? "").matchAll(/ (\w+)=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
  expect(Object.keys(counts)).toEqual(["seccomp", "creations", "other"]);
  expect(counts.creations).toBeGreaterThanOrEqual(1000);
  expect(counts.seccomp).toBeGreaterThan(0);
});
