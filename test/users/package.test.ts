// gomodjail as published on the npm registry: the tarball from `npm pack` holds the tool and
// nothing else; installed into an empty directory, `bun x gomodjail`, the bin link and the
// library API (imported by name from a Bun script) jail the example; without Bun, npx says so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../helpers/gobuild.ts";
import { bun } from "../helpers/gomodjail.ts";
import { blockedModules, emptyDir, packApp, packAppGoMod, pathWithBun, poisonedModule, removeDirs, runCommand, systemPath, victim, victimGoMod } from "./helpers.ts";

afterAll(removeDirs);

let tarball: string;
let app: string;
beforeAll(async () => {
  const out = emptyDir("npm-pack");
  const packed = Bun.spawnSync(["npm", "pack", "--json", "--pack-destination", out], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
  if (packed.exitCode !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  tarball = join(out, (JSON.parse(packed.stdout.toString()) as { filename: string }[])[0]!.filename);
  app = emptyDir("npm-app");
  const installed = Bun.spawnSync(["npm", "install", "--no-audit", "--no-fund", tarball], { cwd: app, stdout: "pipe", stderr: "pipe" });
  if (installed.exitCode !== 0) throw new Error(`npm install ${tarball} failed:\n${installed.stderr}`);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : [relative(repoRoot, p)];
  });
}

test("the tarball holds the bin script, the bundle, the sources, the design notes they cite, package.json and the README, and nothing else", () => {
  const listed = Bun.spawnSync(["tar", "tzf", tarball], { stdout: "pipe" }).stdout.toString().trim().split("\n");
  const files = listed.map((f) => f.replace(/^package\//, "")).sort();
  const expected = [
    "README.md",
    "bin/gomodjail.js",
    "dist/main.js",
    "dist/main.js.jsc",
    "dist/session/worker.js",
    "dist/session/worker.js.jsc",
    "package.json",
    ...sourceFiles(join(repoRoot, "src")).filter((f) => f.endsWith(".ts")),
    ...sourceFiles(join(repoRoot, "docs")),
  ].sort();
  expect(files).toEqual(expected);
  expect(files).toContain("src/session/worker.ts");
  expect(files).toContain("src/index.ts");
});

const victimRun = () => ["run", `--go-mod=${victimGoMod}`, "--", victim()];

function expectVictimJailed(r: { exitCode: number; stdout: string; stderr: string }): void {
  expect(r.stdout).toBe("1 + 2 = 3\n");
  expect(r.stderr).toContain("poisoned: the attack failed: fork/exec /bin/sh: operation not permitted");
  expect(new Set(blockedModules(r.stderr))).toEqual(new Set([poisonedModule]));
  expect(r.exitCode).toBe(0);
}

test("bun x gomodjail run, in the directory it was installed in, jails the example", async () => {
  expectVictimJailed(await runCommand([bun, "x", "gomodjail", ...victimRun()], { cwd: app, env: { PATH: pathWithBun, HOME: app } }));
});

test("bun x gomodjail works with Bun given by path only, not on PATH", async () => {
  expectVictimJailed(await runCommand([bun, "x", "gomodjail", ...victimRun()], { cwd: app, env: { PATH: systemPath, HOME: app } }));
});

test("the installed bin link runs with the Bun on PATH", async () => {
  expectVictimJailed(await runCommand([join(app, "node_modules/.bin/gomodjail"), ...victimRun()], { cwd: app, env: { PATH: pathWithBun, HOME: app } }));
});

test("the bin link runs the bundle built when the package was packed: it jails the example with the package's sources gone, in both pre-exec stages", async () => {
  const sources = join(app, "node_modules/gomodjail/src");
  renameSync(sources, `${sources}.away`);
  try {
    for (const stage of [{}, { GOMODJAIL_PRE_EXEC_STAGE: "self" }] as Record<string, string>[]) {
      expectVictimJailed(await runCommand([join(app, "node_modules/.bin/gomodjail"), ...victimRun()], { cwd: app, env: { PATH: pathWithBun, HOME: app, ...stage } }));
    }
  } finally {
    renameSync(`${sources}.away`, sources);
  }
});

test("bun x gomodjail leaves a .env of the working directory out of the program's environment", async () => {
  const dir = emptyDir("npm-dotenv");
  writeFileSync(join(dir, ".env"), "GOMODJAIL_TEST_DOTENV=leaked\n");
  for (const stage of [{}, { GOMODJAIL_PRE_EXEC_STAGE: "self" }] as Record<string, string>[]) {
    const r = await runCommand([join(app, "node_modules/.bin/gomodjail"), "run", "--no-policy", "--", "/usr/bin/env"], { cwd: dir, env: { PATH: pathWithBun, HOME: app, ...stage } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("GOMODJAIL_TEST_DOTENV");
  }
});

test("npx gomodjail runs it with Bun on PATH, and says in one line that Bun is needed without it", async () => {
  const env = { HOME: app, npm_config_update_notifier: "false" };
  const withBun = await runCommand(["npx", "--no-install", "gomodjail", "--version"], { cwd: app, env: { ...env, PATH: pathWithBun } });
  expect(withBun).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^gomodjail version /) });
  const withoutBun = await runCommand(["npx", "--no-install", "gomodjail", "--version"], { cwd: app, env: { ...env, PATH: systemPath } });
  expect(withoutBun).toEqual({
    exitCode: 127,
    stdout: "",
    stderr: "gomodjail: runs on Bun, which is not on PATH: install Bun (npm install -g bun), or use the single-file binary (make)\n",
  });
});

test("a Bun script imports run from the package by name; its timers fire while the program runs, and it gets the outcome", async () => {
  const flag = join(app, "ticked");
  writeFileSync(
    join(app, "script.ts"),
    `import { inspect, loadProfile, run, type RunOutcome } from "gomodjail";
import { writeFileSync } from "node:fs";
const [prog, goMod, flag] = process.argv.slice(2);
let ticks = 0;
// The program waits for this file: only this thread's timer creates it, during run().
const timer = setInterval(() => { if (++ticks === 3) writeFileSync(flag, ""); }, 10);
const events: string[] = [];
const result: RunOutcome = await run({ argv: [prog, "await", flag, "add", "exit", "5"], goMod, onBlocked: (e) => events.push(e.module + " " + e.syscall) });
clearInterval(timer);
const confined = [...loadProfile(goMod).modules].filter(([, p]) => p === "confined").map(([m]) => m);
const report = inspect(prog, goMod);
// Policies by module, without a go.mod; and no policy at all, which is refused.
const byRecord = await run({ argv: [prog, "add"], policy: { [confined[0]]: "confined" } });
const refused = await run({ argv: [prog] }).catch((e: Error) => e.name + ": " + e.message);
console.log(JSON.stringify({ result, events, confined, mainModule: report.mainModule, byRecord, refused }));
`,
  );
  const r = await runCommand([bun, "script.ts", packApp(), packAppGoMod, flag], { cwd: app, env: { PATH: systemPath, HOME: app } });
  const lines = r.stdout.trim().split("\n");
  expect(lines.slice(0, -1)).toEqual(["await: found ticked", "1 + 2 = 3", "1 + 2 = 3"]);
  const out = JSON.parse(lines.at(-1)!);
  expect(out.result).toMatchObject({ status: 5, exitCode: 5 });
  expect(out.result.signal).toBeUndefined();
  expect(out.result.blocked.length).toBeGreaterThan(0);
  expect(new Set(out.result.blocked.map((b: { module: string }) => b.module))).toEqual(new Set([poisonedModule]));
  expect(out.events.length).toBeGreaterThan(0);
  expect(new Set(out.events.map((e: string) => e.split(" ")[0]))).toEqual(new Set([poisonedModule]));
  expect(out.confined).toEqual([poisonedModule]);
  expect(out.mainModule).toBe("example.com/gomodjail/test/users/packapp");
  expect(out.byRecord).toMatchObject({ status: 0, exitCode: 0, blocked: expect.arrayContaining([expect.objectContaining({ module: poisonedModule })]) });
  expect(out.refused).toBe("RunOptionsError: no policy: pass goMod or policy, or noPolicy: true to run without confinement");
  expect(r.exitCode).toBe(0);
});

test("a TypeScript program type-checks against the installed package's types, and a misspelt option is an error", async () => {
  const dir = join(app, "typed");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "use.ts"),
    `import { inspect, loadProfile, run, type BlockedSyscall, type RunOutcome } from "gomodjail";
const seen: BlockedSyscall[] = [];
const outcome: RunOutcome = await run({ argv: ["./prog"], goMod: "go.mod", audit: true, onBlocked: (e) => seen.push(e) });
const code: number = outcome.exitCode ?? 128 + (outcome.signal ?? 0);
console.log(code, outcome.blocked[0]?.example, loadProfile("go.mod").defaultPolicy, inspect("./prog").modules[0]?.path);
// @ts-expect-error the option is goMod
await run({ argv: ["./prog"], gomod: "go.mod" });
`,
  );
  // What \`bun init\` writes, with bun-types from this repository.
  const compilerOptions = {
    lib: ["ESNext"],
    target: "ESNext",
    module: "Preserve",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: ["bun-types"],
    typeRoots: [join(repoRoot, "node_modules")],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["use.ts"] }));
  const r = await runCommand([join(repoRoot, "node_modules/.bin/tsc"), "-p", "."], { cwd: dir, env: { PATH: pathWithBun } });
  expect(r).toEqual({ exitCode: 0, stdout: "", stderr: "" });
});
