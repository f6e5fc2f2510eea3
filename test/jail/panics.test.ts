// End to end: deferred calls that run while the confined module panics or calls runtime.Goexit
// (test/fixtures/panics). A deferred call is judged by the frames from the function that
// deferred it outward (src/confinement/defers.ts): main's cleanup runs although the confined
// frames that panicked are still beneath it; a deferred call the confined module registered
// stays confined.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/panics/app");
const goMod = join(app, "go.mod");
const CONFINED = "example.com/panicky";

/** Cases in which main's deferred call removes the temporary file. */
const cleanups: Record<string, string> = {
  "recover-cleanup": "main's deferred closure recovers from the confined module's panic and removes the file",
  "deferwrap-cleanup": "main's `defer os.Remove(tmp)` runs while the confined module panics",
  "nested-cleanup": "main's deferred closure runs while the confined module panics a second time",
  "goexit-cleanup": "main's deferred call runs while the confined module ends the goroutine with runtime.Goexit",
};

/** Cases in which a deferred call the confined module registered removes or opens the file. */
const confinedDefers: Record<string, { why: string; output: string; entry: string }> = {
  "confined-defer-open": {
    why: "the confined module's own deferred function opens while it panics",
    output: "operation not permitted",
    entry: `${CONFINED}.OpenWhilePanicking.func1`,
  },
  "confined-defers-closure": {
    why: "the confined module defers a closure of its own that calls main's callback",
    output: "confined-defers-closure: kept",
    entry: `${CONFINED}.DeferAndPanic.func2`,
  },
  "confined-defers-main-closure": {
    why: "the confined module defers main's closure itself (main hands it over, the confined module registers it)",
    output: "confined-defers-main-closure: kept",
    entry: `${CONFINED}.`,
  },
};

for (const go of goToolchains()) {
  describe(`Go ${go}`, () => {
    const prog = () => goBuild({ dir: app, go });

    for (const [name, why] of Object.entries(cleanups)) {
      test(`${name}: ${why}: allowed`, async () => {
        const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), name]);
        expect(r.stdout.trim()).toBe(`${name}: removed`);
        expect(blockedLines(r.stderr)).toEqual([]);
        expect(r.exitCode).toBe(0);
      });
    }

    test("unrecovered-cleanup: the confined module's panic is not recovered; main's deferred cleanup runs before the program dies: allowed", async () => {
      const dir = mkdtempSync(join(tmpdir(), "panics-test-"));
      try {
        const tmp = join(dir, "file");
        writeFileSync(tmp, "");
        const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), "unrecovered-cleanup", tmp]);
        expect(r.stderr).toContain("panic: panicky");
        expect(blockedLines(r.stderr)).toEqual([]);
        expect(existsSync(tmp)).toBe(false);
        expect(r.exitCode).toBe(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    for (const [name, c] of Object.entries(confinedDefers)) {
      test(`${name}: ${c.why}: blocked`, async () => {
        const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), name]);
        expect(r.stdout).toContain(c.output);
        const lines = blockedLines(r.stderr);
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) {
          expect(l.module).toBe(CONFINED);
          expect(l.entry).toContain(c.entry);
        }
        expect(r.exitCode).toBe(0);
      });
    }
  });
}
