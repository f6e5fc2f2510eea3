// Audit mode: judge as usual, block nothing, and tell the user what would have been blocked.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { runGomodjail } from "../helpers/gomodjail.ts";

const goMod = join(repoRoot, "test/fixtures/jail/app/go.mod");

test("audit mode lets the confined call through, logs ***Would block*** and reports a summary with each call's class", async () => {
  const prog = goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });
  const report = join(mkdtempSync(join(tmpdir(), "gomodjail-audit-")), "report.json");
  const r = await runGomodjail(["run", "--audit", `--report=${report}`, `--go-mod=${goMod}`, "--", prog, "evil-open", "evil-open", "main-open"]);
  expect(r.stdout).toBe("evil-open: ok\nevil-open: ok\nmain-open: ok\n");
  expect(r.stderr).not.toContain("***Blocked***");
  const wouldBlock = r.stderr.split("\n").filter((l) => l.includes(`msg="***Would block***"`));
  expect(wouldBlock.length).toBe(2);
  expect(wouldBlock[0]).toContain("syscall=openat");
  expect(wouldBlock[0]).toContain("module=example.com/evil");
  expect(r.stderr).toMatch(/gomodjail audit: 2 syscall\(s\) would have been blocked\nMODULE +SYSCALL +CLASS +COUNT +EXAMPLE ENTRY\nexample\.com\/evil +openat +FILES\/READ +2 +\S+evil\.go:\d+:example\.com\/evil\.Open\n/);
  // The policy grants no class: the lines stay the all-or-nothing ones.
  expect(wouldBlock[0]).not.toContain("class=");
  expect(r.exitCode).toBe(0);
  const json = JSON.parse(readFileSync(report, "utf8"));
  expect(json).toMatchObject({
    audit: true,
    status: 0,
    exitCode: 0,
    blocked: [{ module: "example.com/evil", syscall: "openat", class: "FILES/READ", count: 2 }],
    involved: [{ module: "example.com/evil", role: "made", syscall: "openat", class: "FILES/READ", count: 2 }],
  });
});

test("--report without --audit records what was blocked, with its class", async () => {
  const prog = goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });
  const report = join(mkdtempSync(join(tmpdir(), "gomodjail-report-")), "report.json");
  const r = await runGomodjail(["run", `--report=${report}`, `--go-mod=${goMod}`, "--", prog, "evil-socket"]);
  expect(r.stdout).toBe("evil-socket: operation not permitted\n");
  const json = JSON.parse(readFileSync(report, "utf8"));
  expect(json).toMatchObject({ audit: false, status: 0, blocked: [{ module: "example.com/evil", syscall: "socket", class: "NETWORK", count: 1 }] });
});
