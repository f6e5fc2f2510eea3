// End to end: the jail fixture under the real kernel's seccomp and ptrace. Every path by which
// a confined module can reach a syscall fails with EPERM and is logged; the same operations from
// the main module, the standard library and unconfined modules succeed.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot, type GoVariant } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const fixture = join(repoRoot, "test/fixtures/jail");
const goMod = join(fixture, "app/go.mod");

/** Case -> the module its Blocked line must name. */
const blockedCases: Record<string, string> = {
  "evil-open": "example.com/evil",
  "evil-exec": "example.com/evil",
  "evil-dial": "example.com/evil",
  "evil-socket": "example.com/evil",
  "evil-connect": "example.com/evil",
  "evil-bind": "example.com/evil",
  "evil-goroutine": "example.com/evil",
  "evil-closure": "example.com/evil",
  "evil-inlined-closure": "example.com/evil",
  "evil-callback": "example.com/evil",
  "evil-method": "example.com/evil",
  "evil-generic": "example.com/evil",
  "evil-inlined": "example.com/evil",
  "evil-raw": "example.com/evil",
  "evil-panic": "example.com/evil",
  "evilv2-open": "example.com/evil.v2",
  "evil-go-stdlib": "example.com/evil",
  "evil-go-func": "example.com/evil",
  "evil-go-unconfined": "example.com/evil",
  "evil-go-method-value": "example.com/evil",
  "evil-http": "example.com/evil",
  "inner-open": "example.com/nest/inner",
};
/**
 * What a case prints where it is not the blocked call's own error: evil-go-stdlib's goroutine
 * writes the file (blocked), and the module then stats it, which goes through (metadata is not
 * stopped by default): the file is not there.
 */
const blockedErrors: Record<string, string> = { "evil-go-stdlib": "no such file or directory" };
const allowedCases = ["main-open", "main-exec", "main-dial", "main-http", "good-open", "good-exec", "good-dial", "nest-open"];

// Every installed toolchain (README "Go versions"): a release is supported once this has run on it.
const variants: GoVariant[] = ["default", "pie", "stripped"];

for (const go of goToolchains()) {
  for (const variant of variants) {
    describe(`Go ${go} ${variant}`, () => {
      const prog = () => goBuild({ dir: join(fixture, "app"), go, variant });

      test("the main module, the standard library and unconfined modules are not blocked", async () => {
        const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), ...allowedCases]);
        expect(r.stdout.trim().split("\n")).toEqual(allowedCases.map((c) => `${c}: ok`));
        expect(blockedLines(r.stderr)).toEqual([]);
        expect(r.exitCode).toBe(0);
      });

      for (const [name, module] of Object.entries(blockedCases)) {
        test(`${name}: the confined module's syscall fails with EPERM and is logged`, async () => {
          const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), name]);
          expect(r.stdout).toContain(`${name}: `);
          expect(r.stdout).toContain(blockedErrors[name] ?? "operation not permitted");
          const lines = blockedLines(r.stderr);
          expect(lines.length).toBeGreaterThan(0);
          for (const l of lines) {
            expect(l.module).toBe(module);
            expect(l.level).toBe("WARN");
            expect(l.entry).toContain(":");
          }
          expect(r.exitCode).toBe(0);
        });
      }
    });
  }
}
