// `gomodjail learn` on the learn fixture: a pure module and its indirect dependency, a module that
// reads files, one that uses it, one that runs a program, a framework that calls back into the
// main module (on its stack) or starts the goroutine that runs it, and a module whose one
// function is inlined away. The learned go.mod confines the pure ones with no class and those that
// only read files with FILES/READ, leaves the one that runs a program (EXEC) unconfined, says who
// made calls and who only called another module or called back, and the program runs under it as
// it does natively; runs of different paths merge, their classes too; the capability-class
// fixture learns its module's classes exactly; bad input is one line and exit status 1, with
// nothing written.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectBinary } from "../../src/analyze/inspect.ts";
import { allowedClasses, orderedClasses, parseProfile, policyOf } from "../../src/policy/profile.ts";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const appDir = join(repoRoot, "test/fixtures/learn/app");
const goMod = join(appDir, "go.mod");
const allCases = ["sum", "read", "config", "spawn", "callback", "goroutine", "started", "inlined"];
const modules = ["config", "deep", "framework", "inlined", "pure", "reader", "spawner"].map((m) => `example.com/${m}`);
const learnedFromAll: Record<string, string> = {
  "example.com/config": "confined allow=FILES/READ",
  "example.com/deep": "confined",
  "example.com/framework": "confined allow=FILES/READ",
  // It only stats a path: newfstatat goes through without a stop, as in a default run.
  "example.com/inlined": "confined",
  "example.com/pure": "confined",
  "example.com/reader": "confined allow=FILES/READ",
  "example.com/spawner": "unconfined",
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "gomodjail-learn-"));
  dirs.push(d);
  return d;
}

const app = () => goBuild({ dir: appDir });

function native(argv: string[]): { stdout: string; exitCode: number } {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return { stdout: r.stdout.toString(), exitCode: r.exitCode };
}

/** Each module's policy as `run` reads it: "confined allow=X,Y", "confined" or "unconfined". */
function policies(file: string, of = modules): Record<string, string> {
  const profile = parseProfile(readFileSync(file, "utf8"), file);
  return Object.fromEntries(
    of.map((m) => {
      const classes = orderedClasses(allowedClasses(profile, m));
      return [m, classes.length > 0 ? `${policyOf(profile, m)} allow=${classes.join(",")}` : policyOf(profile, m)];
    }),
  );
}

/** The `// gomodjail learn:` line above a module's requirement. */
function evidenceOf(text: string, module: string): string[] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.trim().startsWith(`${module} `));
  const above: string[] = [];
  for (let i = at - 1; i >= 0 && lines[i]!.trim().startsWith("// gomodjail learn:"); i--) above.unshift(lines[i]!.trim());
  return above;
}

/** A copy of the fixture's go.mod with every module confined, for `run --audit`. */
function confineAllGoMod(): string {
  const file = join(tempDir(), "go.mod");
  writeFileSync(file, `// gomodjail:confined\n${readFileSync(goMod, "utf8")}`);
  return file;
}

describe("learning from one run of every path", () => {
  let learned = "";
  let learnRun: Awaited<ReturnType<typeof runGomodjail>>;

  test("confines the pure modules with no class and the readers with FILES/READ, leaves the spawner unconfined; the program runs natively meanwhile", async () => {
    const prog = app();
    learned = join(tempDir(), "learned.mod");
    learnRun = await runGomodjail(["learn", `--go-mod=${goMod}`, `-o`, learned, "--", prog, ...allCases]);
    expect(learnRun.exitCode).toBe(0);
    expect(learnRun.stdout).toBe(native([prog, ...allCases]).stdout);
    expect(policies(learned)).toEqual(learnedFromAll);
    expect(learnRun.stderr).not.toContain("Would block");
    expect(learnRun.stderr).toStartWith(`gomodjail learn: from the run of ${prog}: 6 module(s) confined (3 with capability classes), 1 unconfined\n`);
  });

  test("says which modules made the calls themselves, which called a module that did, and which only called back into the program", () => {
    const text = readFileSync(learned, "utf8");
    expect(evidenceOf(text, "example.com/reader")).toEqual([
      expect.stringMatching(/^\/\/ gomodjail learn: made 2 trapped syscalls itself: openat 2; e\.g\. openat at \S+\/reader\/reader\.go:\d+:example\.com\/reader\.FirstLine$/),
      expect.stringMatching(/^\/\/ gomodjail learn: needs FILES\/READ for 2 trapped syscalls: openat 2; e\.g\. openat at \S+\/reader\/reader\.go:\d+:example\.com\/reader\.FirstLine$/),
    ]);
    const spawner = evidenceOf(text, "example.com/spawner");
    expect(spawner[0]).toMatch(/^\/\/ gomodjail learn: made \d+ trapped syscalls itself: .*\bexecve 1\b/);
    expect(spawner).toContain("// gomodjail learn: left unconfined: it needed EXEC (nothing confines the programs it runs, a shell among them), which can reach every other class: learn --allow-all-classes would confine it with EXEC");
    expect(evidenceOf(text, "example.com/config")).toEqual([
      expect.stringMatching(
        /^\/\/ gomodjail learn: called another module that made 1 trapped syscall \(.*\): openat 1; e\.g\. openat made by example\.com\/reader at \S+\/reader\.go:\d+:example\.com\/reader\.FirstLine, called from \S+\/config\/config\.go:\d+:example\.com\/config\.Hostname$/,
      ),
      expect.stringMatching(
        /^\/\/ gomodjail learn: needs FILES\/READ for 1 trapped syscall: openat 1; e\.g\. openat made by example\.com\/reader at \S+\/reader\.go:\d+:example\.com\/reader\.FirstLine, under \S+\/config\/config\.go:\d+:example\.com\/config\.Hostname$/,
      ),
    ]);
    // Run and Go call back: the main module's readTarget opens the file, on their stack. Start
    // only starts the goroutine on which it does.
    expect(evidenceOf(text, "example.com/framework")).toEqual([
      expect.stringMatching(
        /^\/\/ gomodjail learn: called back into the program's code, which made 2 trapped syscalls \(.*\): openat 2; e\.g\. openat made by the main module at \S+\/app\/main\.go:\d+:main\.readTarget, called back from \S+\/framework\/framework\.go:\d+:example\.com\/framework\.Run$/,
      ),
      expect.stringMatching(
        /^\/\/ gomodjail learn: started the goroutines on which other code made 1 trapped syscall \(.*\): openat 1; e\.g\. openat made by the main module at \S+\/app\/main\.go:\d+:main\.readTarget, on a goroutine started under \S+\/framework\/framework\.go:\d+:example\.com\/framework\.Start$/,
      ),
      // Both roles need the class: every confined module on the stack and among the creators must allow it.
      expect.stringMatching(
        /^\/\/ gomodjail learn: needs FILES\/READ for 3 trapped syscalls: openat 3; e\.g\. openat made by the main module at \S+\/app\/main\.go:\d+:main\.readTarget, under \S+\/framework\/framework\.go:\d+:example\.com\/framework\.Run$/,
      ),
    ]);
    expect(evidenceOf(text, "example.com/pure")).toEqual([]);
    expect(text).toContain("\texample.com/pure v1.0.0 // gomodjail:confined\n");
    expect(text).toContain("require example.com/deep v1.0.0 // indirect; gomodjail:confined\n");
  });

  test("a module all of whose functions were inlined is judged by its inlined frames and gets its line (with --judge-metadata, its stat stops)", async () => {
    const inlined = inspectBinary(app()).modules.find((m) => m.path === "example.com/inlined");
    expect(inlined?.functions).toBe(0);
    expect(evidenceOf(readFileSync(learned, "utf8"), "example.com/inlined")).toEqual([]);
    const judged = join(tempDir(), "judged.mod");
    const r = await runGomodjail(["learn", `--go-mod=${goMod}`, "--judge-metadata", "-o", judged, "--", app(), "inlined"]);
    expect(r.exitCode).toBe(0);
    expect(policies(judged, ["example.com/inlined"])).toEqual({ "example.com/inlined": "confined allow=FILES/READ" });
    expect(evidenceOf(readFileSync(judged, "utf8"), "example.com/inlined")).toEqual([
      expect.stringMatching(/^\/\/ gomodjail learn: made 1 trapped syscall itself: newfstatat 1; e\.g\. newfstatat at \S+\/inlined\/inlined\.go:\d+:example\.com\/inlined\.Exists$/),
      expect.stringMatching(/^\/\/ gomodjail learn: needs FILES\/READ for 1 trapped syscall: newfstatat 1; e\.g\. newfstatat at \S+\/inlined\/inlined\.go:\d+:example\.com\/inlined\.Exists$/),
    ]);
  });

  test("keeps the rest of the go.mod byte for byte", () => {
    const text = readFileSync(learned, "utf8");
    const withoutLearned = text
      .split("\n")
      .filter((l) => !l.trim().startsWith("// gomodjail learn:") && l !== "// gomodjail:confined")
      .map((l) => l.replace(/(; | \/\/ )gomodjail:(un)?confined( allow=\S+)?$/, ""))
      .join("\n");
    expect(withoutLearned).toBe(readFileSync(goMod, "utf8"));
  });

  test("the program runs under the learned go.mod as it does natively, nothing blocked", async () => {
    const prog = app();
    const jailed = await runGomodjail(["run", `--go-mod=${learned}`, "--", prog, ...allCases]);
    expect(blockedLines(jailed.stderr)).toEqual([]);
    expect({ stdout: jailed.stdout, exitCode: jailed.exitCode }).toEqual(native([prog, ...allCases]));
  });
});

test("a module the binary holds but the go.mod does not list is added, in a block of its own", async () => {
  const oldGoMod = join(tempDir(), "go.mod");
  writeFileSync(oldGoMod, readFileSync(goMod, "utf8").replace("require example.com/deep v1.0.0 // indirect\n\n", ""));
  const r = await runGomodjail(["learn", `--go-mod=${oldGoMod}`, "--", app(), "sum"]);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toEndWith("// gomodjail learn: modules of the program that this go.mod does not list\nrequire (\n\texample.com/deep v1.0.0 // indirect; gomodjail:confined\n)\n");
});

describe("merging runs that exercise different paths", () => {
  test("one run alone confines what it did not exercise; merged with another run's report, the policy is the whole program's", async () => {
    const prog = app();
    const dir = tempDir();
    const [first, second, fromFirst, merged] = ["first.json", "second.json", "first.mod", "merged.mod"].map((f) => join(dir, f));
    const learnFirst = await runGomodjail(["learn", `--go-mod=${goMod}`, `--report=${first}`, "-o", fromFirst, "--", prog, "sum", "read"]);
    expect(learnFirst.exitCode).toBe(0);
    expect(policies(fromFirst)).toEqual({ ...learnedFromAll, "example.com/config": "confined", "example.com/framework": "confined", "example.com/inlined": "confined", "example.com/spawner": "confined" });
    // What the first run did not exercise is blocked under its policy.
    const underFirst = await runGomodjail(["run", `--go-mod=${fromFirst}`, "--", prog, "spawn"]);
    expect(blockedLines(underFirst.stderr).map((l) => l.module)).toContain("example.com/spawner");

    const audit = await runGomodjail(["run", "--audit", `--report=${second}`, `--go-mod=${confineAllGoMod()}`, "--", prog, "config", "spawn", "callback", "goroutine", "started", "inlined"]);
    expect(audit.exitCode).toBe(0);
    const learnBoth = await runGomodjail(["learn", `--go-mod=${goMod}`, `--from=${first}`, `--from=${second}`, "-o", merged]);
    expect(learnBoth.exitCode).toBe(0);
    expect(learnBoth.stderr).toStartWith("gomodjail learn: from 2 reports: 6 module(s) confined (3 with capability classes), 1 unconfined\n");
    expect(policies(merged)).toEqual(learnedFromAll);
  });
});

describe("the capability-class fixture: a module that reads a file and dials", () => {
  const classesDir = join(repoRoot, "test/fixtures/classes/app");
  const classesApp = () => goBuild({ dir: classesDir });
  const cases = ["ops-read", "ops-dial"];

  /** The fixture's go.mod without its policy: the go.mod a user starts learning from. */
  function unreviewedGoMod(): string {
    const file = join(tempDir(), "go.mod");
    const text = readFileSync(join(classesDir, "go.mod"), "utf8").replace(" // gomodjail:confined", "");
    expect(text).not.toContain("gomodjail:");
    writeFileSync(file, text);
    return file;
  }

  async function expectLeastPrivilege(learned: string): Promise<void> {
    expect(readFileSync(learned, "utf8")).toContain("\nrequire example.com/ops v1.0.0 // gomodjail:confined allow=FILES/READ,NETWORK\n");
    const prog = classesApp();
    const jailed = await runGomodjail(["run", `--go-mod=${learned}`, "--", prog, ...cases]);
    expect(blockedLines(jailed.stderr)).toEqual([]);
    expect({ stdout: jailed.stdout, exitCode: jailed.exitCode }).toEqual(native([prog, ...cases]));
    // Least privilege: what it did not need stays blocked.
    const write = await runGomodjail(["run", `--go-mod=${learned}`, "--", prog, "ops-write"]);
    expect(write.stdout).toContain("operation not permitted");
    expect(blockedLines(write.stderr)[0]).toMatchObject({ module: "example.com/ops", class: "FILES/WRITE", allowed: "FILES/READ,NETWORK" });
  }

  test("learned from one run: confined allow=FILES/READ,NETWORK, under which the program runs natively and nothing else of the module's runs", async () => {
    const learned = join(tempDir(), "learned.mod");
    const r = await runGomodjail(["learn", `--go-mod=${unreviewedGoMod()}`, "-o", learned, "--", classesApp(), ...cases]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toStartWith(`gomodjail learn: from the run of ${classesApp()}: 1 module(s) confined (1 with capability classes), 0 unconfined\n`);
    await expectLeastPrivilege(learned);
  });

  test("learned from two runs, one reading and one dialing: the union of their classes", async () => {
    const goModFile = unreviewedGoMod();
    const dir = tempDir();
    const [read, dial, learned] = ["read.json", "dial.json", "learned.mod"].map((f) => join(dir, f));
    for (const [report, c] of [[read, "ops-read"], [dial, "ops-dial"]] as const) {
      const r = await runGomodjail(["learn", `--go-mod=${goModFile}`, `--report=${report}`, "-o", "/dev/null", "--", classesApp(), c]);
      expect(r.exitCode).toBe(0);
    }
    const merged = await runGomodjail(["learn", `--go-mod=${goModFile}`, `--from=${read}`, `--from=${dial}`, "-o", learned]);
    expect(merged.exitCode).toBe(0);
    await expectLeastPrivilege(learned);
  });
});

describe("bad input: one line, exit status 1, nothing written", () => {
  async function refused(args: string[], message: RegExp): Promise<void> {
    const out = join(tempDir(), "learned.mod");
    const r = await runGomodjail(["learn", `--go-mod=${goMod}`, "-o", out, ...args]);
    expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual({ exitCode: 1, stdout: "" });
    expect(r.stderr).toMatch(new RegExp(`^gomodjail: ${message.source}\\n$`));
    expect(existsSync(out)).toBe(false);
  }

  test("a program that is not Go", async () => {
    await refused(["--", "/bin/true"], /\/bin\/true: not a Go binary gomodjail can read \(.*\)/);
  });

  test("a program of another main module", async () => {
    const jailApp = goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });
    await refused(["--", jailApp, "main-open"], /\S+: its main module is example\.com\/jailapp, but the policy is for example\.com\/learnapp/);
  });

  test("a report of another program", async () => {
    const jailApp = goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });
    const report = join(tempDir(), "jail.json");
    const r = await runGomodjail(["run", "--audit", `--report=${report}`, `--go-mod=${join(repoRoot, "test/fixtures/jail/app/go.mod")}`, "--", jailApp, "evil-open"]);
    expect(r.exitCode).toBe(0);
    await refused([`--from=${report}`], /\S+jail\.json: a report of another program: its main module is example\.com\/jailapp, not the go\.mod's example\.com\/learnapp/);
  });

  test("a report of another build of the program", async () => {
    const report = join(tempDir(), "other-build.json");
    const otherBuild = goBuild({ dir: appDir, variant: "pie" });
    const r = await runGomodjail(["run", "--audit", `--report=${report}`, `--go-mod=${confineAllGoMod()}`, "--", otherBuild, "read"]);
    expect(r.exitCode).toBe(0);
    await refused([`--from=${report}`, "--", app(), "sum"], /\S+other-build\.json: a report of another build: \S+ \(SHA-256 [0-9a-f]{12}…\), not the program given, \S+ \(SHA-256 [0-9a-f]{12}…\)/);
  });

  test("a report without the program's identity (an older gomodjail's) or not JSON", async () => {
    const dir = tempDir();
    const old = join(dir, "old.json");
    writeFileSync(old, JSON.stringify({ audit: true, status: 0, exitCode: 0, blocked: [] }));
    await refused([`--from=${old}`], /\S+old\.json: has no program identity or evidence \(written by an older gomodjail\?\): run the program again with gomodjail run --audit --report/);
    const junk = join(dir, "junk.json");
    writeFileSync(junk, "not json");
    await refused([`--from=${junk}`], /\S+junk\.json: not a gomodjail report \(not JSON\)/);
  });

  test("an output that cannot be written", async () => {
    const dir = tempDir();
    const intoMissingDir = join(dir, "missing", "learned.mod");
    for (const [out, why] of [
      [intoMissingDir, "no directory"],
      [dir, "is a directory"],
    ]) {
      const r = await runGomodjail(["learn", `--go-mod=${goMod}`, "-o", out!, "--", app(), "sum"]);
      expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual({ exitCode: 1, stdout: "" });
      expect(r.stderr).toStartWith(`gomodjail: ${out}: cannot write: ${why}`);
      expect(r.stderr.split("\n").length).toBe(2);
    }
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});
