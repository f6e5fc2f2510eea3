// gomodjail as published on the npm registry (scripts/build-npm.ts): the main package and this
// machine's platform package, packed, and the other architecture's, cross-compiled; installed
// from them into empty directories (installBuilt: npm's overrides name them, so no package of
// ours comes from the registry). Installed, node_modules/.bin/gomodjail is the compiled binary: npx and bun x run
// it without Bun. Where no install script ran, the bin script execs that binary; with no platform
// package, it runs the bundle with Bun, or says in one line that Bun is needed. The library API
// is imported by name from a Bun script.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildNpmPackages, elfArch, hostArch, installBuilt, platforms, type Arch, type Built } from "../../scripts/build-npm.ts";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { bun } from "../helpers/gomodjail.ts";
import { blockedModules, compiledGomodjail, emptyDir, packApp, packAppGoMod, pathWithBun, poisonedModule, removeDirs, runCommand, systemPath, victim, victimGoMod } from "./helpers.ts";

afterAll(removeDirs);

const foreignArch: Arch = hostArch === "x64" ? "arm64" : "x64";
const host = platforms[hostArch];
const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;

let built: Built & { tarballs: NonNullable<Built["tarballs"]> };
/** Installed as npm does by default: the install script ran. */
let app: string;
/** npm install --ignore-scripts: the bin script stays. */
let noScripts: string;
/** npm install --omit=optional: no platform package. */
let noBinary: string;
let noBinaryLog: string;

function install(label: string, flags: string[]): { dir: string; log: string } {
  const dir = emptyDir(label);
  return { dir, log: installBuilt(built, dir, flags) };
}

beforeAll(() => {
  const out = emptyDir("npm-build");
  // This machine's binary is the one the other tests use; the other architecture's is built.
  built = buildNpmPackages({ out, arches: [hostArch, foreignArch], binaries: { [hostArch]: compiledGomodjail() }, pack: true, packArches: [hostArch] }) as typeof built;
  app = install("npm-app", []).dir;
  noScripts = install("npm-noscripts", ["--ignore-scripts"]).dir;
  ({ dir: noBinary, log: noBinaryLog } = install("npm-nobinary", ["--omit=optional"]));
}, 600_000);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : [relative(repoRoot, p)];
  });
}

function tarList(tarball: string): string[] {
  const listed = Bun.spawnSync(["tar", "tzf", tarball], { stdout: "pipe" }).stdout.toString().trim().split("\n");
  return listed.map((f) => f.replace(/^package\//, "")).sort();
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8"));
}

test("the main package's tarball holds the bin script, the install script, the bundle, the sources, the design notes they cite, package.json and the README, and nothing else", () => {
  const files = tarList(built.tarballs.main);
  const expected = [
    "README.md",
    "bin/gomodjail",
    "install.js",
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

test("package.json says where gomodjail runs: Linux on x64 and arm64, with a platform package for each (an optional dependency of the same version) whose os, cpu and libc npm checks", () => {
  const main = readJson(join(built.dirs.main, "package.json"));
  expect(main).toMatchObject({
    name: "gomodjail",
    version,
    os: ["linux"],
    cpu: ["x64", "arm64"],
    bin: { gomodjail: "bin/gomodjail" },
    main: "src/index.ts",
    scripts: { postinstall: "node install.js" },
    optionalDependencies: { "@gomodjail/linux-x64": version, "@gomodjail/linux-arm64": version },
  });
  expect(main.devDependencies).toBeUndefined();
  expect(main.private).toBeUndefined();
  for (const arch of [hostArch, foreignArch]) {
    const dir = built.dirs[arch]!;
    expect(readJson(join(dir, "package.json"))).toMatchObject({ name: platforms[arch].pkg, version, os: ["linux"], cpu: [arch], libc: ["glibc"], files: ["bin/gomodjail"] });
    expect(elfArch(join(dir, "bin/gomodjail"))).toBe(arch);
    expect(statSync(join(dir, "bin/gomodjail")).mode & 0o111).toBe(0o111);
  }
  expect(tarList(built.tarballs[hostArch]!)).toEqual(["README.md", "bin/gomodjail", "package.json"]);
});

// Under qemu-aarch64 (scripts/bootstrap.sh installs it and arm64 glibc on x86_64): the binary
// built with an x86_64 Bun, bytecode and all, analyzes an arm64 program as this machine's does.
const qemu = foreignArch === "arm64" ? Bun.which("qemu-aarch64") : null;
const arm64Libc = "/usr/aarch64-linux-gnu";
test.skipIf(!qemu || !statSync(join(arm64Libc, "lib/ld-linux-aarch64.so.1"), { throwIfNoEntry: false }))("the cross-compiled arm64 binary runs: under qemu-aarch64 it says its version and analyzes the arm64 example as the x86_64 binary does", async () => {
  const env = { PATH: systemPath, HOME: built.dirs.main };
  const arm64 = [qemu!, "-L", arm64Libc, join(built.dirs.arm64!, "bin/gomodjail")];
  expect(await runCommand([...arm64, "--version"], { cwd: built.dirs.main, env })).toEqual({ exitCode: 0, stdout: `gomodjail version ${version}\n`, stderr: "" });
  const prog = goBuild({ dir: join(repoRoot, "examples/victim"), goarch: "arm64" });
  const analyze = ["analyze", prog, `--go-mod=${victimGoMod}`];
  const there = await runCommand([...arm64, ...analyze], { cwd: built.dirs.main, env });
  const here = await runCommand([compiledGomodjail(), ...analyze], { cwd: built.dirs.main, env });
  expect(there.stdout).toContain("FAIL example.com/gomodjail/examples/poisoned: reaches EXEC");
  expect(there).toEqual(here);
});

const victimRun = () => ["run", `--go-mod=${victimGoMod}`, "--", victim()];

function expectVictimJailed(r: { exitCode: number; stdout: string; stderr: string }): void {
  expect(r.stdout).toBe("1 + 2 = 3\n");
  expect(r.stderr).toContain("poisoned: the attack failed: fork/exec /bin/sh: operation not permitted");
  expect(new Set(blockedModules(r.stderr))).toEqual(new Set([poisonedModule]));
  expect(r.exitCode).toBe(0);
}

test("installed, npm's bin link is this machine's compiled binary (the platform package's file, linked), not a script: it says its version with nothing on PATH", async () => {
  const bin = join(app, "node_modules/.bin/gomodjail");
  expect(realpathSync(bin)).toBe(join(realpathSync(app), "node_modules/gomodjail/bin/gomodjail"));
  expect(elfArch(bin)).toBe(hostArch);
  expect(statSync(bin).ino).toBe(statSync(join(app, "node_modules", host.pkg, "bin/gomodjail")).ino);
  expect(readdirSync(join(app, "node_modules/@gomodjail"))).toEqual([host.dir]);
  expect(await runCommand([bin, "--version"], { cwd: app, env: { PATH: "/nonexistent" } })).toEqual({ exitCode: 0, stdout: `gomodjail version ${version}\n`, stderr: "" });
});

test("npx gomodjail run, without Bun on PATH, jails the example", async () => {
  expect(Bun.which("bun", { PATH: systemPath })).toBeNull();
  const env = { PATH: systemPath, HOME: app, npm_config_update_notifier: "false" };
  expectVictimJailed(await runCommand(["npx", "--no-install", "gomodjail", ...victimRun()], { cwd: app, env }));
});

test("bun x gomodjail run, in the directory it was installed in, jails the example", async () => {
  expectVictimJailed(await runCommand([bun, "x", "gomodjail", ...victimRun()], { cwd: app, env: { PATH: pathWithBun, HOME: app } }));
});

test("bun x gomodjail works with Bun given by path only, not on PATH", async () => {
  expectVictimJailed(await runCommand([bun, "x", "gomodjail", ...victimRun()], { cwd: app, env: { PATH: systemPath, HOME: app } }));
});

test("the installed bin jails the example in both pre-exec stages, and leaves a .env of the working directory out of the program's environment", async () => {
  const bin = join(app, "node_modules/.bin/gomodjail");
  const dir = emptyDir("npm-dotenv");
  writeFileSync(join(dir, ".env"), "GOMODJAIL_TEST_DOTENV=leaked\n");
  for (const stage of [{}, { GOMODJAIL_PRE_EXEC_STAGE: "self" }] as Record<string, string>[]) {
    expectVictimJailed(await runCommand([bin, ...victimRun()], { cwd: app, env: { PATH: systemPath, HOME: app, ...stage } }));
    const r = await runCommand([bin, "run", "--no-policy", "--", "/usr/bin/env"], { cwd: dir, env: { PATH: systemPath, HOME: app, ...stage } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("GOMODJAIL_TEST_DOTENV");
  }
});

test("where no install script ran (npm --ignore-scripts; bun add runs none either), the bin script execs the platform package's binary: the example is jailed with no Bun on PATH", async () => {
  const bin = join(noScripts, "node_modules/.bin/gomodjail");
  expect(readFileSync(bin, "utf8").startsWith("#!/bin/sh\n")).toBe(true);
  expect(Bun.which("bun", { PATH: systemPath })).toBeNull();
  expectVictimJailed(await runCommand([bin, ...victimRun()], { cwd: noScripts, env: { PATH: systemPath, HOME: noScripts } }));
  const env = { PATH: systemPath, HOME: noScripts, npm_config_update_notifier: "false" };
  expect(await runCommand(["npx", "--no-install", "gomodjail", "--version"], { cwd: noScripts, env })).toEqual({ exitCode: 0, stdout: `gomodjail version ${version}\n`, stderr: "" });
  // A link from elsewhere, as `npm install -g` puts in its prefix's bin: the script finds its
  // package from the link's target.
  const link = join(emptyDir("npm-global-bin"), "gomodjail");
  symlinkSync(join(noScripts, "node_modules/gomodjail/bin/gomodjail"), link);
  expect(await runCommand([link, "--version"], { cwd: noScripts, env })).toEqual({ exitCode: 0, stdout: `gomodjail version ${version}\n`, stderr: "" });
});

test("with no platform package (optional dependencies omitted), the install script says so and the bin script stays; without Bun it says in one line what is missing", async () => {
  expect(noBinaryLog).toContain(`gomodjail: ${host.pkg} is not installed (optional dependencies omitted?); node_modules/.bin/gomodjail runs the package's script instead`);
  expect(readFileSync(join(noBinary, "node_modules/.bin/gomodjail"), "utf8").startsWith("#!/bin/sh\n")).toBe(true);
  const env = { HOME: noBinary, npm_config_update_notifier: "false", PATH: systemPath };
  expect(await runCommand(["npx", "--no-install", "gomodjail", "--version"], { cwd: noBinary, env })).toEqual({
    exitCode: 127,
    stdout: "",
    stderr: `gomodjail: no prebuilt gomodjail for this system is installed (the optional dependency ${host.pkg}), and Bun, which runs it then, is not on PATH: install Bun (npm install -g bun), or use the single-file binary (make)\n`,
  });
});

test("with no platform package, the bin script runs the bundle built with the package with the Bun on PATH (or the one running bun x): it jails the example with the package's sources gone, in both pre-exec stages, and keeps a .env out", async () => {
  const bin = join(noBinary, "node_modules/.bin/gomodjail");
  const sources = join(noBinary, "node_modules/gomodjail/src");
  const dir = emptyDir("npm-bundle-dotenv");
  writeFileSync(join(dir, ".env"), "GOMODJAIL_TEST_DOTENV=leaked\n");
  expectVictimJailed(await runCommand([bun, "x", "gomodjail", ...victimRun()], { cwd: noBinary, env: { PATH: systemPath, HOME: noBinary } }));
  renameSync(sources, `${sources}.away`);
  try {
    for (const stage of [{}, { GOMODJAIL_PRE_EXEC_STAGE: "self" }] as Record<string, string>[]) {
      expectVictimJailed(await runCommand([bin, ...victimRun()], { cwd: noBinary, env: { PATH: pathWithBun, HOME: noBinary, ...stage } }));
      const r = await runCommand([bin, "run", "--no-policy", "--", "/usr/bin/env"], { cwd: dir, env: { PATH: pathWithBun, HOME: noBinary, ...stage } });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain("GOMODJAIL_TEST_DOTENV");
    }
  } finally {
    renameSync(`${sources}.away`, sources);
  }
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
