// cgo: a syscall made by C code is judged by the Go code that called into C (the goroutine's
// saved syscall context): the main module's C calls and libc's resolver work, a confined
// module's C call is blocked.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/cgojail/app");
for (const go of goToolchains()) {
  describe(`Go ${go} cgo`, () => {
    const prog = () => goBuild({ dir: app, go, variant: "cgo" });
    const run = (...cases: string[]) => runGomodjail(["run", `--go-mod=${join(app, "go.mod")}`, "--", prog(), ...cases], { env: { GODEBUG: "netdns=cgo" } });

    test("C code called by the main module, and libc's resolver, are not blocked", async () => {
      const r = await run("main-c-open", "main-go-open", "main-cgo-lookup");
      expect(r.stdout).toBe("main-c-open: ok\nmain-go-open: ok\nmain-cgo-lookup: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("C code called by a confined module is blocked, attributed to its Go caller", async () => {
      const r = await run("cevil-c-open");
      expect(r.stdout).toBe("cevil-c-open: operation not permitted\n");
      const lines = blockedLines(r.stderr);
      expect(lines.map((l) => [l.syscall, l.module])).toEqual([["openat", "example.com/cevil"]]);
      expect(lines[0]!.entry).toContain("example.com/cevil.");
      expect(r.exitCode).toBe(0);
    });
  });
}
