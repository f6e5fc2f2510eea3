// Reading a report to learn from: one that cannot show what the modules do is refused, naming
// the file and what to do instead.
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRunReport } from "../../src/learn/report.ts";

const good = {
  audit: true,
  status: 0,
  exitCode: 0,
  blocked: [],
  program: { path: "/bin/app", sha256: "ab", mainModule: "example.com/app", goVersion: "go1.23.0", modules: [{ path: "example.com/a", version: "v1.0.0" }] },
  policy: { mainModule: "example.com/app", defaultPolicy: "confined", modules: { "example.com/a": "confined" } },
  involved: [
    { module: "example.com/a", role: "made", syscall: "openat", class: "FILES/READ", count: 1, example: "/a.go:1:example.com/a.F" },
    { module: "example.com/a", role: "made", syscall: "ptrace", class: "none", ownSyscall: true, count: 1, example: "/a.s:1:example.com/a.raw" },
  ],
  unseen: [],
};

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "gomodjail-report-")), "report.json");
  writeFileSync(path, JSON.stringify(content));
  return path;
}

test("a report of an audited run under a policy is read as written", () => {
  expect(readRunReport(file(good))).toEqual(good as never);
});

test("a report written before capability classes (rows without a class) is read too", () => {
  const older = { ...good, involved: good.involved.map(({ class: _, ownSyscall: __, ...row }) => row) };
  expect(readRunReport(file(older)).involved.map((r) => r.class)).toEqual([undefined, undefined]);
});

test.each([
  [{ ...good, audit: false }, "a report of a run that blocked calls (without --audit), so the program did not run as it does natively: learn from runs with --audit"],
  [{ ...good, policy: null }, "a report of a run without a policy (--no-policy): it confined nothing, so it shows nothing"],
  [{ ...good, involved: [{ ...good.involved[0], role: "stood" }] }, "not a gomodjail report: involved: expected rows of module, role, syscall, class (optional), count and example"],
  // A static-only class is never one a run records.
  [{ ...good, involved: [{ ...good.involved[0], class: "REFLECT" }] }, "not a gomodjail report: involved: expected rows of module, role, syscall, class (optional), count and example"],
  [{ ...good, program: { ...good.program, sha256: 1 } }, "not a gomodjail report: program: expected path, sha256, mainModule and goVersion"],
  [{ ...good, policy: { ...good.policy, defaultPolicy: "jailed" } }, "not a gomodjail report: policy: expected mainModule, defaultPolicy and modules"],
  [[1, 2], "not a gomodjail report: no audit and blocked fields"],
])("refused: %#", (content, message) => {
  const path = file(content);
  expect(() => readRunReport(path)).toThrow(`${path}: ${message}`);
});

test("a missing report names the file", () => {
  expect(() => readRunReport("/nonexistent/report.json")).toThrow(new Error("/nonexistent/report.json: cannot read the report: no such file or directory"));
});
