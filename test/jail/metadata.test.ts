// End to end: the metadata syscalls (lstat, access, newfstatat, faccessat, faccessat2) of a
// confined module go through without a stop by default, and are judged (FILES/READ) with
// --judge-metadata; readlink, which returns content, is stopped either way (test/fixtures/metadata).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, repoRoot, testGoArch } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/metadata/app");
const goMod = join(app, "go.mod");

/** Each case of the confined module and the syscall it makes. */
const metadataCases: [string, string][] = [
  ["peek-stat", "newfstatat"],
  ["peek-lstat", "newfstatat"],
  ["peek-access", "faccessat"],
  ["peek-faccessat2", "faccessat2"],
  // amd64's own lstat and access, which arm64 lacks.
  ...(testGoArch === "amd64" ? ([["peek-raw-lstat", "lstat"], ["peek-raw-access", "access"]] as [string, string][]) : []),
];
const cases = metadataCases.map(([c]) => c);

for (const go of ["1.21", "1.27"]) {
  describe(`Go ${go}`, () => {
    const prog = () => goBuild({ dir: app, go });
    const run = (flags: string[], args: string[]) => runGomodjail(["run", `--go-mod=${goMod}`, ...flags, "--", prog(), ...args]);

    test("by default a confined module learns whether paths exist and their metadata, with no stop and no Blocked line", async () => {
      const r = await run([], [...cases, "peek-stat-missing"]);
      const [missing, ...found] = r.stdout.trimEnd().split("\n").reverse();
      expect(found.reverse()).toEqual(cases.map((c) => `${c}: ok`));
      // Whether a path exists, too.
      expect(missing).toMatch(/^peek-stat-missing: stat \S+: no such file or directory$/);
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("with --judge-metadata each is blocked as FILES/READ, and allowed to a module granted FILES/READ", async () => {
      for (const [c, syscall] of metadataCases) {
        const r = await run(["--judge-metadata"], [c]);
        expect(r.stdout).toMatch(new RegExp(`^${c}: .*operation not permitted\n$`));
        const lines = blockedLines(r.stderr);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines[0]).toMatchObject({ syscall, module: "example.com/peek" });
      }
      const granted = await run(["--judge-metadata", "--policy=example.com/peek=confined:FILES/READ"], cases);
      expect(granted.stdout).toBe(cases.map((c) => `${c}: ok\n`).join(""));
      expect(blockedLines(granted.stderr)).toEqual([]);
    });

    test("readlink returns content: blocked by default and with --judge-metadata", async () => {
      for (const flags of [[], ["--judge-metadata"]]) {
        const r = await run(flags, ["peek-readlink"]);
        expect(r.stdout).toContain("peek-readlink: ");
        expect(r.stdout).toContain("operation not permitted");
        const lines = blockedLines(r.stderr);
        expect(lines.length).toBe(1);
        expect(lines[0]).toMatchObject({ syscall: "readlinkat", module: "example.com/peek" });
      }
    });

    test("the main module's own stat and readlink are untouched either way", async () => {
      for (const flags of [[], ["--judge-metadata"]]) {
        const r = await run(flags, ["main-stat", "main-readlink"]);
        expect(r.stdout).toBe("main-stat: ok\nmain-readlink: ok\n");
        expect(blockedLines(r.stderr)).toEqual([]);
      }
    });

    test("--audit sees the metadata syscalls only with --judge-metadata", async () => {
      const unseen = await run(["--audit"], cases);
      expect(unseen.stdout).toBe(cases.map((c) => `${c}: ok\n`).join(""));
      expect(unseen.stderr).not.toContain("Would block");
      const seen = await run(["--audit", "--judge-metadata"], cases);
      expect(seen.stdout).toBe(cases.map((c) => `${c}: ok\n`).join(""));
      const wouldBlock = seen.stderr.split("\n").filter((l) => l.includes("***Would block***"));
      expect(new Set(wouldBlock.map((l) => /syscall=(\S+)/.exec(l)?.[1]))).toEqual(new Set(metadataCases.map(([, s]) => s)));
    });
  });
}
