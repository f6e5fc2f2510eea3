// gomodjail as a library inside a host Bun program: run() leaves the host's own children to the
// host, logs through the host's logger, and refuses a policy that confines nothing.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PolicyError, run } from "../../src/index.ts";
import { bun } from "../helpers/gomodjail.ts";
import { emptyDir, packApp, packAppGoMod, poisonedModule, removeDirs, runCommand, systemPath } from "./helpers.ts";

afterAll(removeDirs);

const fixtures = join(import.meta.dir, "fixtures");

test("the host's own children all report their exit while run() traces a program (50 rounds)", async () => {
  const dir = emptyDir("host-children");
  const r = await runCommand([bun, join(fixtures, "host-children.ts"), packApp(), packAppGoMod, "50", dir], { cwd: dir, env: { PATH: systemPath } });
  expect(r.exitCode).toBe(0);
  expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!)).toEqual({ rounds: 50, failedRounds: 0 });
});

async function hostLogger(mode: "blocked" | "audit" | "no-logger") {
  const dir = emptyDir("host-logger");
  // An empty PATH: in audit mode the attack's shell runs, and must not find vi (which would wait
  // for a terminal).
  const r = await runCommand([bun, join(fixtures, "host-logger.ts"), packApp(), packAppGoMod, mode], { cwd: dir, env: { PATH: dir } });
  const lines = r.stdout.trim().split("\n");
  const { status, records } = JSON.parse(lines.at(-1)!) as { status: number; records: Record<string, unknown>[] };
  return { ...r, programStdout: lines.slice(0, -1), status, records };
}

test("Blocked lines go to the caller's logger, and gomodjail writes nothing to stderr", async () => {
  const r = await hostLogger("blocked");
  expect(r.programStdout).toEqual(["1 + 2 = 3"]);
  expect(r.status).toBe(0);
  const blocked = r.records.filter((rec) => rec.msg === "***Blocked***");
  expect(blocked.length).toBeGreaterThan(0);
  for (const rec of blocked) expect(rec).toMatchObject({ level: 40, module: poisonedModule, syscall: expect.any(String), entry: expect.any(String) });
  // Only the program's own line: the attack's failure, as the program reports it.
  expect(r.stderr).toBe("poisoned: the attack failed: fork/exec /bin/sh: operation not permitted\n");
});

test("in audit mode the Would block lines go to the caller's logger", async () => {
  const r = await hostLogger("audit");
  expect(r.records.some((rec) => rec.msg === "***Would block***" && rec.module === poisonedModule)).toBe(true);
  expect(r.records.some((rec) => rec.msg === "***Blocked***")).toBe(false);
  expect(r.stderr).not.toContain("Would block");
});

test("without a logger, Blocked lines are logfmt lines on stderr", async () => {
  const r = await hostLogger("no-logger");
  expect(r.records).toEqual([]);
  expect(r.stderr).toMatch(new RegExp(`^level=WARN msg=\\*\\*\\*Blocked\\*\\*\\* pid=\\d+ exe=\\S+ syscall=\\w+ entry=\\S+ module=${poisonedModule}$`, "m"));
});

test("a go.mod that confines no module is a PolicyError naming the file and both ways out", async () => {
  const goMod = join(emptyDir("library-gomod"), "go.mod");
  writeFileSync(goMod, "module example.com/app\nrequire example.com/a v1.0.0\n");
  const error = await run({ argv: ["/usr/bin/true"], goMod }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PolicyError);
  expect((error as Error).message).toBe(
    `${goMod} confines no module: add "// gomodjail:confined" to a module's require line, or pass noPolicy: true to run without confinement`,
  );
  const byRecord = await run({ argv: ["/usr/bin/true"], policy: { "example.com/a": "unconfined" } }).catch((e: unknown) => e);
  expect(byRecord).toBeInstanceOf(PolicyError);
  expect((byRecord as Error).message).toBe('policy confines no module: give a module "confined", or pass noPolicy: true to run without confinement');
});
