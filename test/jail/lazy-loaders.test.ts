// End to end: a confined module that is the first to need the time zone, the system roots, the
// MIME tables, the current user or the services table must not leave the whole program without
// them (src/confinement/std-functions.ts): the standard library's loader reads its own files. What
// the confined module opens itself stays blocked, and so does a loader it has steered (os.Setenv)
// at files that are not the loader's, without another thread of the program reading them meanwhile.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot, type GoVariant } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const fixture = join(repoRoot, "test/fixtures/lazyloaders/app");
const goMod = join(fixture, "go.mod");
const variants: GoVariant[] = ["default", "stripped"];
// Without TZ and USER from the caller: the zone comes from TZ or /etc/localtime, and a blocked
// user lookup would fall back to $USER.
const { TZ: _tz, USER: _user, ...callerEnv } = process.env as Record<string, string>;
const run = (args: string[], env: Record<string, string> = {}) => runGomodjail(["run", `--go-mod=${goMod}`, "--", ...args], { env: { ...callerEnv, USER: "from-environment", ...env }, onlyEnv: true });

/** The name /etc/passwd gives this process's user, as Go's os/user reads it. */
const userName = readFileSync("/etc/passwd", "utf8")
  .split("\n")
  .map((l) => l.split(":"))
  .find((f) => f[2] === String(process.getuid!()))?.[0];

function expectBlockedOpen(stderr: string): void {
  const lines = blockedLines(stderr);
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) {
    expect(l.module).toBe("example.com/first");
    expect(l.syscall).toBe("openat");
  }
}

for (const go of goToolchains()) {
  for (const variant of variants) {
    describe(`Go ${go} ${variant}`, () => {
      const prog = () => goBuild({ dir: fixture, go, variant });

      test("the main module gets what the loaders read, though the confined module asked first", async () => {
        const r = await run([prog(), "touch", "all"], { TZ: "Europe/Paris" });
        expect(r.stdout.replace("CEST", "CET")).toBe(
          [
            "zone: Europe/Paris CET",
            "roots: loaded",
            "mime .html: text/html; charset=utf-8",
            "mime .odt: application/vnd.oasis.opendocument.text",
            `user: ${userName}`,
            "rsync port: 873 ok",
            "",
          ].join("\n"),
        );
        expect(r.exitCode).toBe(0);
      });

      test("the local zone of /etc/localtime, where it leads", async () => {
        const r = await run([prog(), "touch", "time"]);
        expect(r.stdout).toMatch(/^zone: Local \S+$/m);
        expect(r.exitCode).toBe(0);
      });

      test("the confined module's own open of /etc/passwd stays blocked", async () => {
        const r = await run([prog(), "open-passwd"]);
        expect(r.stdout).toBe("open-passwd: open /etc/passwd: operation not permitted\n");
        expectBlockedOpen(r.stderr);
        expect(r.exitCode).toBe(0);
      });

      describe("a loader steered elsewhere by the confined module reads nothing there", () => {
        const secrets = mkdtempSync(join(tmpdir(), "gomodjail-secrets-"));
        // Files the loaders could parse, so that a read that went through would show.
        const zone = join(secrets, "zone");
        copyFileSync("/usr/share/zoneinfo/Asia/Tokyo", zone);
        const bundle = join(secrets, "bundle.pem");
        copyFileSync("/etc/ssl/certs/ca-certificates.crt", bundle);
        const certs = join(secrets, "certs");
        mkdirSync(certs);
        copyFileSync("/etc/ssl/certs/ca-certificates.crt", join(certs, "bundle.pem"));

        test("SSL_CERT_FILE and SSL_CERT_DIR", async () => {
          const r = await run([prog(), "steer-roots", bundle, certs]);
          expect(r.stdout).toMatch(/^first roots: .*operation not permitted\n$/);
          expectBlockedOpen(r.stderr);
          expect(r.exitCode).toBe(0);
        });

        test("TZ", async () => {
          const r = await run([prog(), "steer-zone", zone]);
          expect(r.stdout).toBe("first zone: UTC UTC\n");
          expectBlockedOpen(r.stderr);
          expect(r.exitCode).toBe(0);
        });
        test("no other thread reads the steered file while its descriptor is checked", async () => {
          // The loader's descriptor lives until the check at the open's exit closes it: the
          // confined module's own goroutine reads every descriptor meanwhile (pread is not
          // trapped). It must meet that descriptor (fstat works on it), and never read through
          // it. Meeting it is a race, run again until it is won.
          const secret = join(secrets, "secret");
          const marker = "GOMODJAIL-SECRET-MARKER";
          writeFileSync(secret, `${marker}\n`);
          let met = false;
          for (let attempt = 0; attempt < 20 && !met; attempt++) {
            const r = await run([prog(), "race-roots", secret, marker]);
            expect(r.stdout).toMatch(/^race: read false, met (true|false)\n$/);
            const opens = blockedLines(r.stderr).filter((l) => l.syscall === "openat");
            expect(opens.map((l) => [l.module, l.reason])).toEqual([["example.com/first", `std initialization (crypto/x509) opened ${realpathSync(secret)}, which is not one of its files`]]);
            expect(r.exitCode).toBe(0);
            met = r.stdout.includes("met true");
          }
          expect(met).toBe(true);
        });
        afterAll(() => rmSync(secrets, { recursive: true, force: true }));
      });
    });
  }
}
