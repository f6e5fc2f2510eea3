// The profiles in examples/profiles, on the real programs users install (Debian's shfmt, age
// and gron; esbuild 0.26 and 0.28, tsc of TypeScript 7 and buf from the npm registry, the last
// three built by Go 1.26 and 1.27): every module a profile names has code in the program and
// nothing in the program is left unattributed; the program's everyday commands print, write and
// exit the same under the profile as without gomodjail, and nothing is blocked. The programs are
// installed by scripts/bootstrap.sh (Debian) and npm ci (the npm packages, devDependencies).
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { inspectBinary } from "../../src/analyze/inspect.ts";
import { repoRoot } from "../helpers/gobuild.ts";
import { analysisSwitch, gomodjailCommand, runGomodjail } from "../helpers/gomodjail.ts";
import { emptyDir, removeDirs, runCommand } from "./helpers.ts";
import { shfmtFiles, uglyShell } from "../helpers/shfmt-inputs.ts";

afterAll(removeDirs);

const profiles = join(repoRoot, "examples/profiles");
const arch = process.arch === "arm64" ? "arm64" : "x64";

/**
 * The file `sub` of the platform package `pkg` that the npm package `from` depends on (npm may
 * nest it under `from` when two versions are installed, as for esbuild 0.26 and 0.28).
 */
function platformFile(from: string, pkg: string, sub: string): string {
  try {
    const resolve = createRequire(join(repoRoot, "node_modules", from, "package.json")).resolve;
    return join(dirname(resolve(`${pkg}/package.json`)), sub);
  } catch {
    return join(repoRoot, "node_modules", pkg, sub);
  }
}

const esbuild = platformFile("esbuild", `@esbuild/linux-${arch}`, "bin/esbuild");
const esbuild028 = platformFile("esbuild-0.28", `@esbuild/linux-${arch}`, "bin/esbuild");
const tsc = platformFile("typescript", `@typescript/typescript-linux-${arch}`, "lib/tsc");
const buf = platformFile("@bufbuild/buf", `@bufbuild/buf-linux-${arch === "arm64" ? "aarch64" : "x64"}`, "bin/buf");
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", ...analysisSwitch };

function program(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/bootstrap.sh (as root) and npm ci`);
  return path;
}

/** Every file under dir, by relative path, with its content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "latin1");
    }
  };
  walk(dir);
  return out;
}

/** gomodjail's own log lines in a jailed run's stderr, and the program's. */
/**
 * gomodjail's lines and the program's stderr. The start-up check's warnings (confined modules
 * with assembly or cgo, the same for every run of a binary) are left out of `gomodjail`; the
 * shfmt tests check them.
 */
function splitStderr(stderr: string): { gomodjail: string[]; program: string; check: string[] } {
  const lines = stderr.split(/(?<=\n)/);
  const ours = lines.filter((l) => l.startsWith("level=")).map((l) => l.trimEnd());
  const isCheck = (l: string) => l.includes('msg="confined modules have code the jail cannot hold"');
  return {
    gomodjail: ours.filter((l) => !isCheck(l)),
    check: ours.filter(isCheck),
    program: lines.filter((l) => !l.startsWith("level=")).join(""),
  };
}

interface Everyday {
  argv: string[];
  stdin?: string;
  /** A directory of the files to run in (default: their root). */
  cwd?: string;
  /** Environment variables that each run sets to a new empty directory of its own (a cache). */
  freshDirs?: string[];
  /**
   * Applied to both runs' stdout and stderr before comparing (for times the program prints);
   * the path of each run's directory is replaced by DIR first.
   */
  normalize?: (text: string) => string;
}

/** Writes `files` (relative path -> content) into a new directory. */
function writeFiles(label: string, files: Record<string, string>): string {
  const dir = emptyDir(label);
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    Bun.spawnSync(["mkdir", "-p", join(p, "..")]);
    writeFileSync(p, text);
  }
  return dir;
}

/**
 * Runs `argv` in two copies of `files`, once as it is and once under the profile, and expects
 * the same stdout, stderr, exit status and files afterwards, and no gomodjail line but `warnings`.
 */
async function expectSameUnderProfile(profile: string, files: Record<string, string>, run: Everyday, warnings: string[]): Promise<void> {
  const template = writeFiles("profile-files", files);
  const [plainDir, jailedDir] = [emptyDir("profile-plain"), emptyDir("profile-jailed")];
  cpSync(template, plainDir, { recursive: true });
  cpSync(template, jailedDir, { recursive: true });
  const stdin = run.stdin === undefined ? undefined : Buffer.from(run.stdin);
  const envOf = () => ({ ...env, ...Object.fromEntries((run.freshDirs ?? []).map((name) => [name, emptyDir("profile-cache")])) });
  const cwdIn = (dir: string) => join(dir, run.cwd ?? ".");
  const plain = await runCommand(run.argv, { cwd: cwdIn(plainDir), env: envOf(), stdin });
  const jailed = await runGomodjail(["run", `--go-mod=${join(profiles, profile)}`, "--", ...run.argv], { cwd: cwdIn(jailedDir), stdin, env: envOf() });
  const { gomodjail, program } = splitStderr(jailed.stderr);
  const norm = (text: string, dir: string) => (run.normalize ?? ((t: string) => t))(text.replaceAll(dir, "DIR"));
  expect({ exitCode: jailed.exitCode, stdout: norm(jailed.stdout, jailedDir), stderr: norm(program, jailedDir) }).toEqual({
    exitCode: plain.exitCode,
    stdout: norm(plain.stdout, plainDir),
    stderr: norm(plain.stderr, plainDir),
  });
  expect(gomodjail).toEqual(warnings);
  expect(tree(jailedDir)).toEqual(tree(plainDir));
}

/**
 * The profile covers the program: it names exactly the modules the program's build information
 * lists (or, without it, modules that are there), each with code in the program but those in
 * `noCode`; nothing is unattributed.
 */
function expectProfileCovers(prog: string, profile: string, confined: string[], opts: { noCode?: string[] } = {}): void {
  const report = inspectBinary(prog, join(profiles, profile));
  expect(report.policy?.applies).toBe(true);
  expect(report.modules.filter((m) => m.kind === "unknown")).toEqual([]);
  const withCode = new Map(report.modules.map((m) => [m.path, m]));
  const named = readFileSync(join(profiles, profile), "utf8").match(/^\t[a-z0-9.-]+\.[a-z]+\/\S+/gm)!.map((l) => l.trim());
  expect(named.toSorted()).toEqual(report.modules.filter((m) => m.kind === "dependency").map((m) => m.path).toSorted());
  expect(named.filter((module) => (withCode.get(module)?.functions ?? 0) === 0).toSorted()).toEqual((opts.noCode ?? []).toSorted());
  expect(report.modules.filter((m) => m.policy === "confined").map((m) => m.path)).toEqual(confined);
}

/** `gomodjail inspect PROG --go-mod=PROFILE` as a user runs it: the first lines of its table. */
async function inspectHead(prog: string, profile: string): Promise<Record<string, string>> {
  const out = await runGomodjail(["inspect", prog, `--go-mod=${join(profiles, profile)}`], { env });
  expect(out.exitCode).toBe(0);
  return Object.fromEntries(out.stdout.split("\n").map((l) => /^([a-z][a-z ]*[a-z])  +(\S.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
}

const noModuleInfo = (exe: string) => [`level=WARN msg="binary has no module information; applying the policy's module list" exe=${exe}`];

describe("shfmt 3.6.0 (Debian)", () => {
  const shfmt = "/usr/bin/shfmt";
  const profile = "shfmt-3.6.0.mod";
  const files = shfmtFiles;

  test("the profile names modules with code in it, and confines pkg/diff, x/sys, x/term, and editorconfig with FILES/READ", () => {
    expectProfileCovers(program(shfmt), profile, ["github.com/pkg/diff", "golang.org/x/sys", "golang.org/x/term", "mvdan.cc/editorconfig"]);
  });

  const everyday: [string, Everyday][] = [
    ["a file, with the .editorconfig's indentation", { argv: [shfmt, "ugly.sh"] }],
    ["stdin", { argv: [shfmt, "-i", "4", "-ci"], stdin: uglyShell }],
    ["-d (a diff, exit status 1)", { argv: [shfmt, "-d", "ugly.sh"] }],
    ["-l on a directory", { argv: [shfmt, "-l", "dir"] }],
    ["-f (find shell files)", { argv: [shfmt, "-f", "."] }],
    ["-w (rewrite in place)", { argv: [shfmt, "-w", "w.sh", "dir"] }],
    ["--to-json", { argv: [shfmt, "--to-json"], stdin: "echo hi\n" }],
    ["a syntax error", { argv: [shfmt], stdin: "if then fi (\n" }],
  ];
  for (const [name, run] of everyday) {
    test(`${name}: the same under the profile, nothing blocked`, async () => {
      program(shfmt);
      await expectSameUnderProfile(profile, files, run, noModuleInfo(shfmt));
    });
  }

  test("the start-up check warns once that the confined x/sys is partly assembly (its syscall stubs)", async () => {
    program(shfmt);
    const r = await runGomodjail(["run", `--go-mod=${join(profiles, profile)}`, "--", shfmt, "--version"], { env });
    expect(splitStderr(r.stderr).check).toEqual([
      `level=WARN msg="confined modules have code the jail cannot hold" modules="golang.org/x/sys (2 asm)" details="gomodjail analyze --go-mod=FILE ${shfmt}"`,
    ]);
  });
});

describe("age 1.1.1 (Debian)", () => {
  const age = "/usr/bin/age";
  const keygen = "/usr/bin/age-keygen";
  const profile = "age-1.1.1.mod";
  const jailed = (argv: string[], cwd: string, stdin?: string) =>
    runGomodjail(["run", `--go-mod=${join(profiles, profile)}`, "--", ...argv], { cwd, env, stdin: stdin === undefined ? undefined : Buffer.from(stdin) });

  test("the profile names modules with code in it, and confines edwards25519 and x/crypto", () => {
    expectProfileCovers(program(age), profile, ["filippo.io/edwards25519", "golang.org/x/crypto"]);
    // age-keygen, of the same main module, uses a part of them only; nothing of it is unattributed.
    const keygenReport = inspectBinary(program(keygen), join(profiles, profile));
    expect(keygenReport.modules.filter((m) => m.kind === "unknown")).toEqual([]);
    expect(keygenReport.policy?.applies).toBe(true);
  });

  /** A directory with an age key, an SSH key pair, and a file to encrypt. */
  function keys(): string {
    const dir = emptyDir("age");
    expect(Bun.spawnSync([keygen, "-o", join(dir, "key.txt")], { stderr: "pipe" }).exitCode).toBe(0);
    const ssh = Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", join(dir, "ssh")], { stderr: "pipe" });
    if (ssh.exitCode !== 0) throw new Error(`ssh-keygen failed (install openssh-client): ${ssh.stderr}`);
    writeFileSync(join(dir, "plain.txt"), "attack at dawn\n");
    return dir;
  }
  const recipient = (dir: string) => readFileSync(join(dir, "key.txt"), "utf8").match(/age1[0-9a-z]+/)![0];

  test("age-keygen -y and -o: the same public key, a working key file, nothing blocked", async () => {
    program(keygen);
    const dir = keys();
    await expectSameUnderProfile(profile, { "key.txt": readFileSync(join(dir, "key.txt"), "utf8") }, { argv: [keygen, "-y", "key.txt"] }, noModuleInfo(keygen));
    const made = await jailed([keygen, "-o", "new.txt"], dir);
    expect(made.exitCode).toBe(0);
    expect(splitStderr(made.stderr).gomodjail).toEqual(noModuleInfo(keygen));
    const pub = Bun.spawnSync([keygen, "-y", join(dir, "new.txt")]).stdout.toString();
    expect(made.stderr).toContain(`Public key: ${pub.trim()}`);
  });

  const recipients: [string, (dir: string) => string[], (dir: string) => string[]][] = [
    ["an age recipient", (d) => ["-r", recipient(d)], () => ["-i", "key.txt"]],
    ["an SSH recipient file, armored", () => ["-a", "-R", "ssh.pub"], () => ["-i", "ssh"]],
  ];
  for (const [name, to, identity] of recipients) {
    test(`encrypting to ${name} under the profile decrypts without it, and back; nothing blocked`, async () => {
      program(age);
      const dir = keys();
      const enc = await jailed([age, ...to(dir), "-o", "jailed.age", "plain.txt"], dir);
      expect({ ...enc, stderr: splitStderr(enc.stderr).gomodjail }).toEqual({ exitCode: 0, stdout: "", stderr: noModuleInfo(age) });
      expect(Bun.spawnSync([age, "-d", ...identity(dir), "jailed.age"], { cwd: dir }).stdout.toString()).toBe("attack at dawn\n");

      expect(Bun.spawnSync([age, ...to(dir), "-o", "plain.age", "plain.txt"], { cwd: dir }).exitCode).toBe(0);
      const dec = await jailed([age, "-d", ...identity(dir), "plain.age"], dir);
      expect({ ...dec, stderr: splitStderr(dec.stderr).gomodjail }).toEqual({ exitCode: 0, stdout: "attack at dawn\n", stderr: noModuleInfo(age) });
    });
  }

  test("encrypting from a pipe to a pipe, and a wrong key's error: the same under the profile", async () => {
    program(age);
    const dir = keys();
    const files = { "key.txt": readFileSync(join(dir, "key.txt"), "utf8"), "other.txt": Bun.spawnSync([keygen]).stdout.toString() };
    expect(Bun.spawnSync([age, "-r", recipient(dir), "-o", join(dir, "x.age"), join(dir, "plain.txt")]).exitCode).toBe(0);
    const encrypted = readFileSync(join(dir, "x.age"), "latin1");
    await expectSameUnderProfile(profile, { ...files, "x.age": encrypted }, { argv: [age, "-d", "-i", "key.txt", "x.age"] }, noModuleInfo(age));
    await expectSameUnderProfile(profile, { ...files, "x.age": encrypted }, { argv: [age, "-d", "-i", "other.txt", "x.age"] }, noModuleInfo(age));
    await expectSameUnderProfile(profile, files, { argv: [age, "-d", "-i", "key.txt"], stdin: "not age\n" }, noModuleInfo(age));
  });

  test("a passphrase typed on a terminal (-p): x/term may turn echo off, so it round-trips", async () => {
    program(age);
    const dir = keys();
    // `script` gives age a terminal; the passphrase is typed twice, then once to decrypt.
    const onTerminal = (cmd: string, input: string) =>
      runCommand(["script", "-qec", cmd, "/dev/null"], { cwd: dir, env, stdin: Buffer.from(input) });
    const gomodjail = `${process.execPath} ${join(repoRoot, "src/main.ts")} run --go-mod=${join(profiles, profile)} --`;
    const enc = await onTerminal(`${gomodjail} ${age} -p -o p.age plain.txt`, "correct horse\rcorrect horse\r");
    expect(enc.stdout).not.toContain("***Blocked***");
    expect(enc.exitCode).toBe(0);
    const dec = await onTerminal(`${gomodjail} ${age} -d p.age`, "correct horse\r");
    expect(dec.stdout).not.toContain("***Blocked***");
    expect(dec.stdout).toContain("attack at dawn");
    expect(dec.exitCode).toBe(0);
  });
});

describe("gron 0.7.1 (Debian)", () => {
  const gron = "/usr/bin/gron";
  const profile = "gron-0.7.1.mod";
  const json = '{"name":"gomodjail","tags":["go","jail"],"n":{"a":1.5,"b":[true,null]},"s":"\\u00e9\\n"}\n';
  const files = { "in.json": json, "in.gron": "json = {};\njson.a = [];\njson.a[0] = \"x\";\njson.b = 2;\n", "lines.json": '{"a":1}\n{"b":[2]}\n' };

  test("the profile names modules with code in it, and confines every dependency", () => {
    expectProfileCovers(program(gron), profile, ["github.com/fatih/color", "github.com/mattn/go-isatty", "github.com/nwidger/jsoncolor", "github.com/pkg/errors", "golang.org/x/sys"]);
  });

  const everyday: [string, string[], string?][] = [
    ["a file", ["in.json"]],
    ["stdin", [], json],
    ["-u (ungron)", ["-u", "in.gron"]],
    ["-s (a stream of JSON lines)", ["-s", "lines.json"]],
    ["-j (JSON lines out)", ["-j", "in.json"]],
    ["-c (colours)", ["-c", "in.json"]],
    ["-u -c (coloured JSON)", ["-u", "-c", "in.gron"]],
    ["-m (monochrome)", ["-m", "in.json"]],
    ["a missing file", ["missing.json"]],
  ];
  for (const [name, args, stdin] of everyday) {
    test(`${name}: the same under the profile, nothing blocked`, async () => {
      await expectSameUnderProfile(profile, files, { argv: [program(gron), ...args], stdin }, noModuleInfo(gron));
    });
  }

  test("a URL (the main module fetches it): the same under the profile, nothing blocked", async () => {
    program(gron);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(json, { headers: { "content-type": "application/json" } }) });
    try {
      await expectSameUnderProfile(profile, {}, { argv: [gron, `http://127.0.0.1:${server.port}/in.json`] }, noModuleInfo(gron));
    } finally {
      server.stop(true);
    }
  });
});

describe("esbuild 0.26.0 (npm)", () => {
  const profile = "esbuild-0.26.0.mod";
  const files = {
    "src/lib.ts": "export const greet = (name: string): string => `hello ${name}`;\nexport const unused = 1;\n",
    "src/app.ts": 'import { greet } from "./lib";\nimport data from "./data.json";\nconsole.log(greet(data.name));\n',
    "src/data.json": '{ "name": "gomodjail" }\n',
    "src/broken.ts": "let x: = ;\n",
  };

  test("the profile names modules with code in it; only modules it does not list would be confined", () => {
    expectProfileCovers(program(esbuild), profile, []);
    const report = inspectBinary(esbuild, join(profiles, profile));
    expect(report).toMatchObject({ mainModule: "github.com/evanw/esbuild", policy: { defaultPolicy: "confined" } });
  });

  const everyday: [string, string[], string?][] = [
    ["--version", ["--version"]],
    ["bundling to a file", ["src/app.ts", "--bundle", "--outfile=out/app.js", "--log-level=warning"]],
    ["bundling for node to stdout", ["src/app.ts", "--bundle", "--platform=node", "--format=esm"]],
    ["--minify with --sourcemap into a directory", ["src/app.ts", "--bundle", "--minify", "--sourcemap", "--outdir=dist", "--log-level=warning"]],
    ["transforming stdin", ["--loader=ts"], "let x: number = 1 + 2\n"],
    ["a syntax error", ["src/broken.ts", "--color=false"]],
  ];
  for (const [name, args, stdin] of everyday) {
    test(`${name}: the same under the profile, nothing blocked`, async () => {
      await expectSameUnderProfile(profile, files, { argv: [program(esbuild), ...args], stdin }, []);
    });
  }
});

// The programs below are built by Go 1.26 and 1.27 (issue 11). Their everyday commands are
// compared as above; `inspect` shows what a user sees of each.

describe("esbuild 0.28.2 (npm, Go 1.26, no build information)", () => {
  const profile = "esbuild-0.28.2.mod";
  // esbuild's release build leaves the build information out (a patched linker) and strips the
  // symbols: the Go release is only in the runtime's version string, which gomodjail does not
  // read, so goroutine ancestry is off.
  const warnings = [
    `level=WARN msg="binary has no module information; applying the policy's module list" exe=${esbuild028}`,
    `level=WARN msg="goroutine ancestry is off for this binary: the binary has neither DWARF nor build information naming its Go release" exe=${esbuild028}`,
  ];
  const files = {
    "src/lib.ts": "export const greet = (name: string): string => `hello ${name}`;\nexport const unused = 1;\n",
    "src/app.ts": 'import { greet } from "./lib";\nimport data from "./data.json";\nimport note from "./note.txt" with { type: "text" };\nconsole.log(greet(data.name), note);\n',
    "src/data.json": '{ "name": "gomodjail" }\n',
    "src/note.txt": "a text import, new in 0.28\n",
    "src/style.css": ".a { color: red; }\n.b { composes: a; color: blue; }\n",
    "src/broken.ts": "let x: = ;\n",
  };

  test("the profile names modules with code in it; only modules it does not list would be confined", () => {
    expectProfileCovers(program(esbuild028), profile, []);
    expect(inspectBinary(esbuild028, join(profiles, profile))).toMatchObject({ goVersion: null, mainModule: "github.com/evanw/esbuild" });
  });

  test("inspect: no Go version to show (the binary holds go1.26.5 only as the runtime's version string)", async () => {
    const head = await inspectHead(program(esbuild028), profile);
    expect(head).toMatchObject({ "go version": "unknown (no build information)", "main module": "github.com/evanw/esbuild", architecture: process.arch === "arm64" ? "arm64" : "amd64" });
    expect(readFileSync(esbuild028, "latin1")).toContain("go1.26.5");
  });

  const everyday: [string, string[], string?][] = [
    ["--version", ["--version"]],
    ["bundling to a file", ["src/app.ts", "--bundle", "--outfile=out/app.js", "--log-level=warning"]],
    ["bundling for node to stdout", ["src/app.ts", "--bundle", "--platform=node", "--format=esm"]],
    ["--minify with --sourcemap and --metafile into a directory", ["src/app.ts", "--bundle", "--minify", "--sourcemap", "--metafile=dist/meta.json", "--outdir=dist", "--log-level=warning"]],
    ["CSS modules (local-css)", ["src/style.css", "--bundle", "--loader:.css=local-css", "--outdir=css", "--log-level=warning"]],
    ["transforming stdin", ["--loader=ts"], "let x: number = 1 + 2\n"],
    ["a syntax error", ["src/broken.ts", "--color=false"]],
  ];
  for (const [name, args, stdin] of everyday) {
    test(`${name}: the same under the profile, nothing blocked`, async () => {
      await expectSameUnderProfile(profile, files, { argv: [program(esbuild028), ...args], stdin }, warnings);
    });
  }
});

describe("tsc of TypeScript 7.0.2 (npm, Go 1.26)", () => {
  const profile = "typescript-7.0.2.mod";
  const files = {
    "tsconfig.json": '{\n  "compilerOptions": { "target": "es2022", "module": "nodenext", "strict": true, "rootDir": "src", "outDir": "out", "declaration": true, "sourceMap": true },\n  "include": ["src"]\n}\n',
    "src/lib.ts": "export interface Person { name: string; age: number }\nexport const greet = (p: Person): string => `hello ${p.name}, ${p.age}`;\n",
    "src/app.ts": 'import { greet } from "./lib.js";\nconsole.log(greet({ name: "gomodjail", age: 1 }));\n',
    "bad/tsconfig.json": '{ "compilerOptions": { "strict": true, "noEmit": true }, "files": ["bad.ts"] }\n',
    "bad/bad.ts": 'const n: number = "not a number";\nexport {};\n',
    "one/one.ts": "export function add(a: number, b: number): number { return a + b; }\n",
    "init/.keep": "",
  };

  test("the profile names the modules of the build information; it confines all but x/sys and x/sync", () => {
    // One function is unattributed: a promoted-method wrapper named
    // `…/ls/change.(*trackerEdit).…/ast.propagateSubtreeFacts`, whose name holds a second
    // import path (gomodjail reads the package up to the last slash); it is in the language
    // server's editing code, and judged as an unlisted module (confined).
    expectProfileCovers(program(tsc), profile, ["github.com/go-json-experiment/json", "github.com/klauspost/cpuid/v2", "github.com/mackerelio/go-osstat", "github.com/zeebo/xxh3", "golang.org/x/term", "golang.org/x/text"]);
  });

  test("inspect shows Go 1.26 and the main module", async () => {
    const head = await inspectHead(program(tsc), profile);
    expect(head["go version"]).toMatch(/^go1\.26\.\d+$/);
    expect(head).toMatchObject({ "main package": "github.com/microsoft/typescript-go/cmd/tsgo", "main module": "github.com/microsoft/typescript-go" });
  });

  const clock = (text: string) => text.replace(/\b\d\d?:\d\d:\d\d [AP]M\b/g, "HH:MM:SS");
  const everyday: [string, Omit<Everyday, "argv">, string[]][] = [
    ["--version", {}, ["--version"]],
    ["compiling a project (JavaScript, declarations, source maps)", {}, ["-p", "."]],
    ["--noEmit", {}, ["--noEmit"]],
    ["--showConfig", {}, ["--showConfig"]],
    ["-b --verbose (build mode, writing tsconfig.tsbuildinfo)", { normalize: clock }, ["-b", "--verbose"]],
    ["a type error", { cwd: "bad" }, []],
    ["a type error, --pretty false", { cwd: "bad" }, ["--pretty", "false"]],
    ["one file without a tsconfig.json", { cwd: "one" }, ["one.ts", "--outDir", "out", "--declaration"]],
    ["--init", { cwd: "init" }, ["--init"]],
  ];
  for (const [name, opts, args] of everyday) {
    test(`${name}: the same under the profile, nothing blocked`, async () => {
      await expectSameUnderProfile(profile, files, { ...opts, argv: [program(tsc), ...args] }, []);
    });
  }

  /**
   * A language server session on stdio, as an editor holds it: initialize, open a file, hover,
   * go to definition, pull diagnostics, shut down, exit. Returns the answers to the requests (with
   * the directory's path replaced by DIR) and the exit status.
   */
  async function lspSession(argv: string[], dir: string): Promise<{ answers: unknown[]; exitCode: number; stderr: string }> {
    const proc = Bun.spawn(argv, { cwd: dir, env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    const stderr = new Response(proc.stderr).text();
    const reader = proc.stdout.getReader();
    let pending = Buffer.alloc(0);
    const send = (message: object) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }));
      proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
      proc.stdin.flush();
    };
    const next = async (): Promise<{ id?: number; method?: string }> => {
      for (;;) {
        const end = pending.indexOf("\r\n\r\n");
        const length = end < 0 ? -1 : Number(/Content-Length: *(\d+)/i.exec(pending.subarray(0, end).toString())![1]);
        if (end >= 0 && pending.length >= end + 4 + length) {
          const message = JSON.parse(pending.subarray(end + 4, end + 4 + length).toString());
          pending = pending.subarray(end + 4 + length);
          return message;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the language server ended its output: ${await stderr}`);
        pending = Buffer.concat([pending, value]);
      }
    };
    const call = async (id: number, method: string, params?: object) => {
      send(params === undefined ? { id, method } : { id, method, params });
      for (;;) {
        const message = await next();
        if (message.method !== undefined && message.id !== undefined) send({ id: message.id, result: null }); // the server asks the editor
        else if (message.method === undefined && message.id === id) return message;
      }
    };
    const uri = `file://${dir}/src/app.ts`;
    const at = { textDocument: { uri }, position: { line: 1, character: 14 } };
    const answers = [await call(1, "initialize", { processId: null, rootUri: `file://${dir}`, capabilities: {} })];
    send({ method: "initialized", params: {} });
    send({ method: "textDocument/didOpen", params: { textDocument: { uri, languageId: "typescript", version: 1, text: files["src/app.ts"] } } });
    answers.push(await call(2, "textDocument/hover", at), await call(3, "textDocument/definition", at), await call(4, "textDocument/diagnostic", { textDocument: { uri } }), await call(5, "shutdown"));
    send({ method: "exit" });
    // Closing stdin before the server has acted on `exit` races with it (an EOF error, exit
    // status 1): give it time to exit by itself first.
    if ((await Promise.race([proc.exited, Bun.sleep(10_000)])) === undefined) proc.stdin.end();
    const exitCode = await proc.exited;
    proc.stdin.end();
    return { answers: JSON.parse(JSON.stringify(answers).replaceAll(dir, "DIR")), exitCode, stderr: await stderr };
  }

  test("a language server session (--lsp --stdio): the same answers under the profile, nothing blocked", async () => {
    program(tsc);
    const [plainDir, jailedDir] = [writeFiles("tsc-lsp-plain", files), writeFiles("tsc-lsp-jailed", files)];
    const plain = await lspSession([tsc, "--lsp", "--stdio"], plainDir);
    const jailed = await lspSession(gomodjailCommand(["run", `--go-mod=${join(profiles, profile)}`, "--", tsc, "--lsp", "--stdio"]), jailedDir);
    expect(plain.answers[1]).toMatchObject({ result: { contents: { value: "(alias) const greet: (p: Person) => string" } } });
    expect({ answers: jailed.answers, exitCode: jailed.exitCode }).toEqual({ answers: plain.answers, exitCode: plain.exitCode });
    expect(splitStderr(jailed.stderr).gomodjail).toEqual([]);
  }, 120_000);
});

describe("buf 1.75.0 (npm, Go 1.27)", () => {
  const profile = "buf-1.75.0.mod";
  const bufYaml = "version: v2\nlint:\n  use:\n    - STANDARD\nbreaking:\n  use:\n    - FILE\n";
  const service = "service UserService {\n  rpc GetUser(GetUserRequest) returns (GetUserResponse);\n}\nmessage GetUserRequest { string name = 1; }\nmessage GetUserResponse { User user = 1; }\n";
  const files = {
    // A module whose file is badly formatted, breaks two lint rules, and dropped a field that
    // the copy in old/ still has.
    "proto/buf.yaml": bufYaml,
    "proto/acme/v1/user.proto": `syntax = "proto3";\npackage acme.v1;\n\nmessage User {\n     string name = 1;\n}\n\n${service}enum Color {\n  RED = 0;\n}\n`,
    "proto/user.json": '{"name":"ada"}\n',
    "old/buf.yaml": bufYaml,
    "old/acme/v1/user.proto": `syntax = "proto3";\npackage acme.v1;\n\nmessage User {\n  string name = 1;\n  int32 age = 2;\n}\n\n${service}`,
    "init/.keep": "",
    // A workspace of two modules, one importing the other and a well-known type.
    "ws/buf.yaml": "version: v2\nmodules:\n  - path: a\n  - path: b\n",
    "ws/a/acme/base/v1/id.proto": 'syntax = "proto3";\npackage acme.base.v1;\n\nmessage Id {\n  string value = 1;\n}\n',
    "ws/b/acme/app/v1/item.proto": 'syntax = "proto3";\npackage acme.app.v1;\n\nimport "acme/base/v1/id.proto";\nimport "google/protobuf/timestamp.proto";\n\nmessage Item {\n  acme.base.v1.Id id = 1;\n  google.protobuf.Timestamp created = 2;\n}\n',
  };

  test("the profile names the modules of the build information; it confines all but seven", () => {
    // Five modules of the build information have no function in the binary, and 15 functions are
    // unattributed: promoted-method wrappers whose names hold a second import path
    // (`cel.dev/cel-go/parser.(*recoveryLimitErrorStrategy).github.com/antlr4-go/antlr/v4.reset`),
    // judged as an unlisted module (confined); none was on a stack in the audited runs.
    const noCode = ["github.com/docker/docker-credential-helpers", "github.com/felixge/httpsnoop", "github.com/mattn/go-colorable", "github.com/moby/docker-image-spec", "golang.org/x/exp"];
    const report = inspectBinary(program(buf), join(profiles, profile));
    const unconfined = ["buf.build/go/app", "buf.build/go/standard", "github.com/bufbuild/protocompile", "github.com/spf13/cobra", "github.com/tetratelabs/wazero", "golang.org/x/sys", "google.golang.org/protobuf"];
    const confined = report.modules.filter((m) => m.kind === "dependency" && !unconfined.includes(m.path)).map((m) => m.path);
    expect(confined.length).toBe(85 - 7);
    expectProfileCovers(buf, profile, confined, { noCode });
  });

  test("inspect shows Go 1.27 and the main module", async () => {
    const head = await inspectHead(program(buf), profile);
    expect(head["go version"]).toMatch(/^go1\.27\.\d+$/);
    expect(head).toMatchObject({ "main package": "github.com/bufbuild/buf/cmd/buf", "main module": "github.com/bufbuild/buf" });
  });

  // format -d diffs temporary copies written just before: their times in the diff's header differ.
  const diffTimes = (text: string) => text.replace(/\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4}$/gm, "\tTIME");
  const everyday: [string, Omit<Everyday, "argv">, string[]][] = [
    ["--version", {}, ["--version"]],
    ["format to stdout", {}, ["format"]],
    ["format -d", { normalize: diffTimes }, ["format", "-d"]],
    ["format --exit-code (exit status 100)", {}, ["format", "--exit-code"]],
    ["format -w (rewrite in place)", {}, ["format", "-w"]],
    ["lint (exit status 100)", {}, ["lint"]],
    ["lint --error-format=json", {}, ["lint", "--error-format=json"]],
    ["lint --path", {}, ["lint", "--path", "acme/v1/user.proto"]],
    ["build to a file", {}, ["build", "-o", "image.binpb"]],
    ["build to JSON on stdout", {}, ["build", "-o", "-#format=json"]],
    ["breaking against an older copy (exit status 100)", {}, ["breaking", "--against", "../old"]],
    ["convert a JSON file to text format", {}, ["convert", "--type", "acme.v1.User", "--from", "user.json", "--to", "-#format=txtpb"]],
    ["convert stdin to YAML", { stdin: '{"name":"grace"}\n' }, ["convert", "--type", "acme.v1.User", "--from", "-#format=json", "--to", "-#format=yaml"]],
    ["ls-files", {}, ["ls-files"]],
    ["config ls-lint-rules", {}, ["config", "ls-lint-rules"]],
    ["config init", { cwd: "init" }, ["config", "init"]],
    ["a workspace: lint", { cwd: "ws" }, ["lint"]],
    ["a workspace: export", { cwd: "ws" }, ["export", "-o", "exported"]],
  ];
  for (const [name, opts, args] of everyday) {
    test(`${name}: the same under the profile, nothing blocked`, async () => {
      await expectSameUnderProfile(profile, files, { cwd: "proto", freshDirs: ["BUF_CACHE_DIR"], ...opts, argv: [program(buf), ...args] }, []);
    });
  }

  test("a workspace: build runs, nothing blocked, although its compiler's goroutines descend from a stack deeper than the runtime records", async () => {
    // Goroutine ancestry keeps the inner 50 frames of each creator's stack; protocompile's
    // scheduler starts goroutines from deeper. Their creators are judged in full when each is
    // created (the creation breakpoint, README "How it works"); before, this build was blocked.
    program(buf);
    const dir = writeFiles("buf-ws", files);
    const plain = await runCommand([buf, "build", "-o", "plain.binpb"], { cwd: join(dir, "ws"), env: { ...env, BUF_CACHE_DIR: emptyDir("buf-cache") } });
    expect(plain.exitCode).toBe(0);
    const jailed = await runGomodjail(["run", `--go-mod=${join(profiles, profile)}`, "--", buf, "build", "-o", "jailed.binpb"], { cwd: join(dir, "ws"), env: { ...env, BUF_CACHE_DIR: emptyDir("buf-cache") } });
    expect(splitStderr(jailed.stderr).gomodjail).toEqual([]);
    expect(jailed.exitCode).toBe(0);
    expect(readFileSync(join(dir, "ws/jailed.binpb"))).toEqual(readFileSync(join(dir, "ws/plain.binpb")));
  });
});
