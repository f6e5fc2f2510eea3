// End to end: capability classes enforced at run time (test/fixtures/classes). A confined module
// allowed a class does what that class covers and nothing else: each operation is allowed under
// its own class and blocked, naming the call's class and the module's, under another; the main
// module's own operations are untouched under every policy.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, repoRoot, testGoArch } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/classes/app");
const goMod = join(app, "go.mod");

/** Each operation of the confined module, the class it needs, and another class that does not cover it. */
const operations: { op: string; needs: string; not: string }[] = [
  { op: "read", needs: "FILES/READ", not: "NETWORK" },
  { op: "list", needs: "FILES/READ", not: "FILES/WRITE" },
  { op: "write", needs: "FILES/WRITE", not: "FILES/READ" },
  { op: "dial", needs: "NETWORK", not: "FILES/READ" },
  { op: "listen", needs: "NETWORK", not: "EXEC" },
  { op: "exec", needs: "EXEC", not: "FILES/READ" },
  { op: "lookup", needs: "NETWORK", not: "FILES/READ" },
  { op: "chdir", needs: "MODIFY_SYSTEM_STATE", not: "FILES/READ" },
  { op: "kill", needs: "MODIFY_SYSTEM_STATE", not: "EXEC" },
];

const variants = testGoArch === "amd64" ? (["default", "stripped"] as const) : (["default"] as const);

for (const go of ["1.21", "1.27"]) {
  for (const variant of variants) {
    describe(`Go ${go} ${variant}`, () => {
      const prog = () => goBuild({ dir: app, go, variant });
      const run = (classes: string, cases: string[]) =>
        runGomodjail(["run", `--go-mod=${goMod}`, `--policy=example.com/ops=${classes ? `confined:${classes}` : "confined"}`, "--", prog(), ...cases], {
          env: { GODEBUG: "netdns=go" },
        });

      for (const { op, needs, not } of operations) {
        test(`${op}: allowed with ${needs}; blocked with ${not}, naming class ${needs} and allowed ${not}`, async () => {
          const allowed = await run(needs, [`ops-${op}`]);
          expect(allowed.stdout).toBe(`ops-${op}: ok\n`);
          expect(blockedLines(allowed.stderr)).toEqual([]);

          const refused = await run(not, [`ops-${op}`]);
          expect(refused.stdout).toContain("operation not permitted");
          const lines = blockedLines(refused.stderr);
          expect(lines.length).toBeGreaterThan(0);
          expect(lines[0]).toMatchObject({ class: needs, module: "example.com/ops", allowed: not });
        });
      }

      test("confined without allow=: every operation is blocked, as before classes", async () => {
        const r = await run("", operations.map((o) => `ops-${o.op}`));
        for (const { op } of operations) expect(r.stdout).toContain(`ops-${op}: `);
        expect(r.stdout).not.toContain(": ok");
        // No module is allowed a class: the lines are the all-or-nothing ones, without a class.
        expect(blockedLines(r.stderr).every((l) => l.class === undefined)).toBe(true);
      });

      test("the main module's own operations are untouched, whatever the confined module is allowed", async () => {
        const cases = operations.map((o) => `main-${o.op}`);
        for (const classes of ["", "FILES/READ"]) {
          const r = await run(classes, cases);
          expect(r.stdout).toBe(cases.map((c) => `${c}: ok\n`).join(""));
          expect(blockedLines(r.stderr)).toEqual([]);
        }
      });
    });
  }
}
