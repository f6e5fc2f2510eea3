// Least privilege learned on a real release build: Debian trixie's gdu 5.25.0 (go1.24.4, cgo,
// stripped, no DWARF; unpacked by scripts/install-real-programs.sh), from one run of
// `gdu -n -p` over a tree, starting from test/fixtures/realprograms/gdu.go.mod without its
// policies. cobra starts the goroutines that walk the tree and calls back into gdu's code, which
// also opens its log file for writing: it needs FILES/READ and FILES/WRITE, so it stays
// unconfined, saying why; with --allow-all-classes it is confined with exactly those, and gdu
// runs under that go.mod as it does natively, nothing blocked.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const gdu = "/usr/lib/gomodjail-programs/gdu/usr/bin/gdu";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory with the go.mod to learn from and a tree of 10 x 10 directories, one file each. */
function workspace(): { dir: string; goMod: string } {
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-learn-gdu-"));
  dirs.push(dir);
  for (let i = 1; i <= 10; i++) {
    for (let j = 1; j <= 10; j++) {
      mkdirSync(join(dir, "tree", `d${i}`, `e${j}`), { recursive: true });
      writeFileSync(join(dir, "tree", `d${i}`, `e${j}`, "f"), "x".repeat(i * j * 50));
    }
  }
  const reviewed = readFileSync(join(repoRoot, "test/fixtures/realprograms/gdu.go.mod"), "utf8");
  const unreviewed = reviewed
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("//"))
    .map((l) => l.replace(/ \/\/ gomodjail:(un)?confined$/, ""))
    .join("\n");
  expect(unreviewed).not.toContain("gomodjail");
  const goMod = join(dir, "gdu.mod");
  writeFileSync(goMod, unreviewed);
  return { dir, goMod };
}

describe("gdu 5.25.0 (Debian trixie)", () => {
  if (!existsSync(gdu)) {
    test.skip(`${gdu} is not installed: as root, run scripts/install-real-programs.sh`, () => {});
    return;
  }
  // With no TERM, tview's init has tcell look for infocmp (test/users/debian-programs.test.ts).
  const env = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm" };

  test("cobra needed FILES/WRITE: left unconfined, saying why; with --allow-all-classes confined with FILES/READ,FILES/WRITE, under which gdu runs natively", async () => {
    const { dir, goMod } = workspace();
    const argv = [gdu, "-n", "-p", "tree"];
    const learned = join(dir, "learned.mod");
    const r = await runGomodjail(["learn", `--go-mod=${goMod}`, "-o", learned, "--", ...argv], { cwd: dir, env: { ...env, HOME: dir } });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(learned, "utf8")).toMatch(/\t\/\/ gomodjail learn: left unconfined: it needed FILES\/WRITE .*\n\tgithub\.com\/spf13\/cobra v1\.8\.1 \/\/ gomodjail:unconfined\n/);

    const allClasses = join(dir, "all-classes.mod");
    const all = await runGomodjail(["learn", `--go-mod=${goMod}`, "--allow-all-classes", "-o", allClasses, "--", ...argv], { cwd: dir, env: { ...env, HOME: dir } });
    expect(all.exitCode).toBe(0);
    expect(readFileSync(allClasses, "utf8")).toContain("\tgithub.com/spf13/cobra v1.8.1 // gomodjail:confined allow=FILES/READ,FILES/WRITE\n");
    expect(all.stderr).toContain(" 0 unconfined\n");

    const native = Bun.spawnSync(argv, { cwd: dir, env: { ...env, HOME: dir }, stdout: "pipe", stderr: "pipe" });
    const jailed = await runGomodjail(["run", `--go-mod=${allClasses}`, "--", ...argv], { cwd: dir, env: { ...env, HOME: dir } });
    expect(blockedLines(jailed.stderr)).toEqual([]);
    expect({ exitCode: jailed.exitCode, stdout: jailed.stdout }).toEqual({ exitCode: native.exitCode, stdout: native.stdout.toString() });
  });
});
