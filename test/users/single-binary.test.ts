// The single-file binary from `make` is all a user needs: copied alone into an empty directory
// and run with a PATH that has no Bun and no node_modules, it jails the example.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blockedModules, compiledGomodjail, emptyDir, poisonedModule, removeDirs, runCommand, systemPath, victim, victimGoMod } from "./helpers.ts";

afterAll(removeDirs);

test("the binary from make, alone in an empty directory without Bun, blocks the poisoned module and prints the sum", async () => {
  const dir = emptyDir("single");
  copyFileSync(compiledGomodjail(), join(dir, "gomodjail"));
  copyFileSync(victim(), join(dir, "victim"));
  copyFileSync(victimGoMod, join(dir, "go.mod"));
  const env = { PATH: systemPath, HOME: dir };
  expect(Bun.which("bun", { PATH: systemPath })).toBeNull();

  const version = await runCommand(["./gomodjail", "--version"], { cwd: dir, env });
  expect(version).toEqual({ exitCode: 0, stdout: expect.stringMatching(/^gomodjail version \d+\.\d+\.\d+\n$/), stderr: "" });

  const r = await runCommand(["./gomodjail", "run", "--go-mod=go.mod", "--", "./victim"], { cwd: dir, env });
  expect(r.stdout).toBe("1 + 2 = 3\n");
  expect(r.stderr).toContain("poisoned: the attack failed: fork/exec /bin/sh: operation not permitted");
  expect(new Set(blockedModules(r.stderr))).toEqual(new Set([poisonedModule]));
  expect(r.exitCode).toBe(0);
});

test("without a shell to stop before the exec, the binary's own child mode does it: the example is jailed the same", async () => {
  const dir = emptyDir("single-self");
  copyFileSync(compiledGomodjail(), join(dir, "gomodjail"));
  copyFileSync(victim(), join(dir, "victim"));
  copyFileSync(victimGoMod, join(dir, "go.mod"));
  const env = { PATH: systemPath, HOME: dir, GOMODJAIL_PRE_EXEC_STAGE: "self" };
  const r = await runCommand(["./gomodjail", "run", "--go-mod=go.mod", "--", "./victim"], { cwd: dir, env });
  expect(r.stdout).toBe("1 + 2 = 3\n");
  expect(r.stderr).toContain("poisoned: the attack failed: fork/exec /bin/sh: operation not permitted");
  expect(new Set(blockedModules(r.stderr))).toEqual(new Set([poisonedModule]));
  expect(r.exitCode).toBe(0);
});

test("a .env and a bunfig.toml in the working directory change nothing: the program gets gomodjail's environment", async () => {
  const dir = emptyDir("single-dotenv");
  copyFileSync(compiledGomodjail(), join(dir, "gomodjail"));
  writeFileSync(join(dir, ".env"), "GOMODJAIL_TEST_DOTENV=leaked\n");
  writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./preload.ts"]\n[run]\npreload = ["./preload.ts"]\n');
  writeFileSync(join(dir, "preload.ts"), 'console.error("preloaded");\n');
  const env = { PATH: systemPath, HOME: dir };
  for (const stage of [{}, { GOMODJAIL_PRE_EXEC_STAGE: "self" }] as Record<string, string>[]) {
    const r = await runCommand(["./gomodjail", "run", "--no-policy", "--", "/usr/bin/env"], { cwd: dir, env: { ...env, ...stage } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("GOMODJAIL_TEST_DOTENV");
    expect(r.stderr).toBe("");
  }
});
