// The profiles in examples/profiles, on the real programs users install (Debian's shfmt, age
// and gron, esbuild from the npm registry): every module a profile names has code in the
// program and nothing in the program is left unattributed; the program's everyday commands
// print, write and exit the same under the profile as without gomodjail, and nothing is
// blocked. The programs are installed by scripts/bootstrap.sh (Debian) and npm ci (esbuild).
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { inspectBinary } from "../../src/cli/inspect.ts";
import { repoRoot } from "../helpers/gobuild.ts";
import { runGomodjail } from "../helpers/gomodjail.ts";
import { emptyDir, removeDirs, runCommand } from "./helpers.ts";

afterAll(removeDirs);

const profiles = join(repoRoot, "examples/profiles");
const esbuild = join(repoRoot, `node_modules/@esbuild/linux-${process.arch === "arm64" ? "arm64" : "x64"}/bin/esbuild`);
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8" };

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
function splitStderr(stderr: string): { gomodjail: string[]; program: string } {
  const lines = stderr.split(/(?<=\n)/);
  return {
    gomodjail: lines.filter((l) => l.startsWith("level=")).map((l) => l.trimEnd()),
    program: lines.filter((l) => !l.startsWith("level=")).join(""),
  };
}

interface Everyday {
  argv: string[];
  stdin?: string;
}

/**
 * Runs `argv` in two copies of `files`, once as it is and once under the profile, and expects
 * the same stdout, stderr, exit status and files afterwards, and no gomodjail line but `warnings`.
 */
async function expectSameUnderProfile(profile: string, files: Record<string, string>, run: Everyday, warnings: string[]): Promise<void> {
  const template = emptyDir("profile-files");
  for (const [name, text] of Object.entries(files)) {
    const p = join(template, name);
    Bun.spawnSync(["mkdir", "-p", join(p, "..")]);
    writeFileSync(p, text);
  }
  const [plainDir, jailedDir] = [emptyDir("profile-plain"), emptyDir("profile-jailed")];
  cpSync(template, plainDir, { recursive: true });
  cpSync(template, jailedDir, { recursive: true });
  const stdin = run.stdin === undefined ? undefined : Buffer.from(run.stdin);
  const plain = await runCommand(run.argv, { cwd: plainDir, env, stdin });
  const jailed = await runGomodjail(["run", `--go-mod=${join(profiles, profile)}`, "--", ...run.argv], { cwd: jailedDir, stdin, env });
  const { gomodjail, program } = splitStderr(jailed.stderr);
  expect({ exitCode: jailed.exitCode, stdout: jailed.stdout, stderr: program }).toEqual(plain);
  expect(gomodjail).toEqual(warnings);
  expect(tree(jailedDir)).toEqual(tree(plainDir));
}

/** The profile covers the program: what it names is there, and nothing is unattributed. */
function expectProfileCovers(prog: string, profile: string, confined: string[]): void {
  const report = inspectBinary(prog, join(profiles, profile));
  expect(report.policy?.applies).toBe(true);
  expect(report.modules.filter((m) => m.kind === "unknown")).toEqual([]);
  const withCode = new Map(report.modules.map((m) => [m.path, m]));
  const named = readFileSync(join(profiles, profile), "utf8").match(/^\t[a-z0-9.-]+\.[a-z]+\/\S+/gm)!.map((l) => l.trim());
  for (const module of named) expect(withCode.get(module)?.functions ?? 0).toBeGreaterThan(0);
  expect(report.modules.filter((m) => m.policy === "confined").map((m) => m.path)).toEqual(confined);
}

const noModuleInfo = (exe: string) => [`level=WARN msg="binary has no module information; applying the policy's module list" exe=${exe}`];

describe("shfmt 3.6.0 (Debian)", () => {
  const shfmt = "/usr/bin/shfmt";
  const profile = "shfmt-3.6.0.mod";
  const ugly = 'if [ -n "$x" ];then\necho   "hi"\nfi\nfoo() {  bar;}\n';
  const files = {
    "ugly.sh": ugly,
    "w.sh": ugly,
    ".editorconfig": "[*.sh]\nindent_style = space\nindent_size = 3\n",
    "dir/a.sh": ugly,
    "dir/b.sh": "echo fine\n",
    "dir/script": "#!/bin/bash\necho  ok\n",
    "dir/notes.txt": "not shell\n",
  };

  test("the profile names modules with code in it, and confines pkg/diff, x/sys and x/term", () => {
    expectProfileCovers(program(shfmt), profile, ["github.com/pkg/diff", "golang.org/x/sys", "golang.org/x/term"]);
  });

  const everyday: [string, Everyday][] = [
    ["a file, with the .editorconfig's indentation", { argv: [shfmt, "ugly.sh"] }],
    ["stdin", { argv: [shfmt, "-i", "4", "-ci"], stdin: ugly }],
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
      expect(enc).toEqual({ exitCode: 0, stdout: "", stderr: `${noModuleInfo(age)[0]}\n` });
      expect(Bun.spawnSync([age, "-d", ...identity(dir), "jailed.age"], { cwd: dir }).stdout.toString()).toBe("attack at dawn\n");

      expect(Bun.spawnSync([age, ...to(dir), "-o", "plain.age", "plain.txt"], { cwd: dir }).exitCode).toBe(0);
      const dec = await jailed([age, "-d", ...identity(dir), "plain.age"], dir);
      expect(dec).toEqual({ exitCode: 0, stdout: "attack at dawn\n", stderr: `${noModuleInfo(age)[0]}\n` });
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
