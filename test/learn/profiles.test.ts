// The reviewed profiles of examples/profiles learned again: each Debian program's profile with its
// policies taken out is learned from the everyday commands that test/users/profiles.test.ts runs,
// and the learned policy is compared with the reviewed one, module by module. They agree: every
// module the reviewers confined made no trapped call, and every one they left unconfined did;
// where capability classes let learn confine one of those (shfmt's editorconfig only reads), the
// program runs its everyday commands under the learned go.mod as it does natively (age-keygen,
// which the age profile also covers, is another build and is not learned here).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { allowedClasses, loadProfile, orderedClasses, parseProfile, type Profile, policyOf } from "../../src/policy/profile.ts";
import { repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, bun, gomodjailEntry, runGomodjail } from "../helpers/gomodjail.ts";
import { shfmtFiles, uglyShell } from "../helpers/shfmt-inputs.ts";

const profiles = join(repoRoot, "examples/profiles");
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8" };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "gomodjail-learn-profile-"));
  dirs.push(d);
  return d;
}

function program(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/bootstrap.sh (as root)`);
  return path;
}

interface Workload {
  argv: string[];
  stdin?: string;
  /** Typed on a terminal (`script`) instead of a pipe. */
  typed?: string;
}

/** A reviewed profile without its policies: the go.mod a user starts learning from. */
function withoutPolicies(profile: string): string {
  const text = readFileSync(join(profiles, profile), "utf8").replace(/^\/\/ gomodjail:confined\n/m, "").replace(/ \/\/ gomodjail:(un)?confined( allow=\S+)?$/gm, "");
  expect(text).not.toContain("gomodjail:");
  const file = join(tempDir(), profile);
  writeFileSync(file, text);
  return file;
}

/** A fresh directory holding `files`. */
function filesDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** What a run left: its exit status, stdout, and every file of its directory. */
function outcome(r: { exitCode: number; stdout: string }, dir: string, files: Record<string, string>) {
  return { exitCode: r.exitCode, stdout: r.stdout, files: Object.fromEntries(Object.keys(files).map((f) => [f, readFileSync(join(dir, f), "utf8")])) };
}

/** Each workload natively and under `goMod`, in fresh copies of `files`: the same outcome, nothing blocked. */
async function expectNativeUnder(goMod: string, files: Record<string, string>, workloads: Workload[]): Promise<void> {
  for (const w of workloads) {
    const stdin = w.stdin === undefined ? undefined : Buffer.from(w.stdin);
    const nativeDir = filesDir(files);
    const native = Bun.spawnSync(w.argv, { cwd: nativeDir, env, stdin, stdout: "pipe", stderr: "pipe" });
    const jailedDir = filesDir(files);
    const jailed = await runGomodjail(["run", `--go-mod=${goMod}`, "--", ...w.argv], { cwd: jailedDir, env, stdin });
    expect(blockedLines(jailed.stderr)).toEqual([]);
    expect(outcome(jailed, jailedDir, files)).toEqual(outcome({ exitCode: native.exitCode, stdout: native.stdout.toString() }, nativeDir, files));
  }
}

/** Each workload under `learn --report` in a fresh copy of `files`, then one `learn` from all the reports. */
async function learnFrom(goMod: string, files: Record<string, string>, workloads: Workload[]): Promise<{ text: string; stderr: string }> {
  const reports: string[] = [];
  for (const w of workloads) {
    const dir = filesDir(files);
    const report = join(dir, "evidence.json");
    const learn = ["learn", `--go-mod=${goMod}`, `--report=${report}`, "-o", "/dev/null", "--", ...w.argv];
    if (w.typed !== undefined) {
      const quoted = [bun, gomodjailEntry, ...learn].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
      const proc = Bun.spawn(["script", "-qec", quoted, "/dev/null"], { cwd: dir, env, stdin: Buffer.from(w.typed), stdout: "pipe", stderr: "pipe" });
      expect(await proc.exited).toBe(0);
    } else {
      const r = await runGomodjail(learn, { cwd: dir, env, stdin: w.stdin === undefined ? undefined : Buffer.from(w.stdin) });
      expect(r.stderr).toContain("gomodjail learn: from the run of");
    }
    expect(existsSync(report)).toBe(true);
    reports.push(report);
  }
  const merged = await runGomodjail(["learn", `--go-mod=${goMod}`, ...reports.map((r) => `--from=${r}`)], { env });
  expect(merged.exitCode).toBe(0);
  return { text: merged.stdout, stderr: merged.stderr };
}

/** The policy ("confined allow=X", "confined", "unconfined") of every module the reviewed profile lists, and its default, under a learned go.mod. */
function comparePolicies(profile: string, learnedText: string): { reviewed: Record<string, string>; learned: Record<string, string> } {
  const reviewed = loadProfile(join(profiles, profile));
  const learned = parseProfile(learnedText, "learned.mod");
  const policy = (p: Profile, m: string) => {
    const classes = orderedClasses(allowedClasses(p, m));
    return classes.length > 0 ? `${policyOf(p, m)} allow=${classes.join(",")}` : policyOf(p, m);
  };
  const of = (p: Profile) => Object.fromEntries([["(default)", p.defaultPolicy], ...[...reviewed.modules.keys()].sort().map((m) => [m, policy(p, m)])]);
  return { reviewed: of(reviewed), learned: of(learned) };
}

describe("shfmt 3.6.0 (Debian)", () => {
  const shfmt = "/usr/bin/shfmt";
  const files = shfmtFiles;

  test("learned from its everyday commands: the reviewed policy (editorconfig, which only reads, confined with FILES/READ; renameio, which writes, unconfined); the commands run natively under it", async () => {
    program(shfmt);
    const workloads: Workload[] = [
      { argv: [shfmt, "ugly.sh"] },
      { argv: [shfmt, "-i", "4", "-ci"], stdin: uglyShell },
      { argv: [shfmt, "-d", "ugly.sh"] },
      { argv: [shfmt, "-l", "dir"] },
      { argv: [shfmt, "-f", "."] },
      { argv: [shfmt, "-w", "w.sh", "dir"] },
      { argv: [shfmt, "--to-json"], stdin: "echo hi\n" },
      { argv: [shfmt], stdin: "if then fi (\n" },
    ];
    const { text } = await learnFrom(withoutPolicies("shfmt-3.6.0.mod"), files, workloads);
    const { reviewed, learned } = comparePolicies("shfmt-3.6.0.mod", text);
    expect(learned).toEqual(reviewed);
    expect(learned["mvdan.cc/editorconfig"]).toBe("confined allow=FILES/READ");
    expect(text).toMatch(/\t\/\/ gomodjail learn: needs FILES\/READ for \d+ trapped syscalls: \S+ \d+(, \S+ \d+)*; e\.g\. \S+ at mvdan\.cc\/editorconfig\/\S+\n\tmvdan\.cc\/editorconfig v0\.2\.0 \/\/ gomodjail:confined allow=FILES\/READ\n/);
    expect(text).toMatch(/\t\/\/ gomodjail learn: left unconfined: it needed FILES\/WRITE .*\n\tgithub\.com\/google\/renameio v2\.0\.0\+incompatible \/\/ gomodjail:unconfined\n/);
    const learnedGoMod = join(tempDir(), "learned.mod");
    writeFileSync(learnedGoMod, text);
    await expectNativeUnder(learnedGoMod, files, workloads);
  }, 120_000);
});

describe("gron 0.7.1 (Debian)", () => {
  const gron = "/usr/bin/gron";
  const json = '{"name":"gomodjail","tags":["go","jail"],"n":{"a":1.5,"b":[true,null]},"s":"\\u00e9\\n"}\n';
  const files = { "in.json": json, "in.gron": 'json = {};\njson.a = [];\njson.a[0] = "x";\njson.b = 2;\n', "lines.json": '{"a":1}\n{"b":[2]}\n' };

  test("learned from its everyday commands: the reviewed policy, every dependency confined", async () => {
    program(gron);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(json, { headers: { "content-type": "application/json" } }) });
    try {
      const workloads: Workload[] = [
        ...[["in.json"], ["-u", "in.gron"], ["-s", "lines.json"], ["-j", "in.json"], ["-c", "in.json"], ["-u", "-c", "in.gron"], ["-m", "in.json"], ["missing.json"]].map((args) => ({ argv: [gron, ...args] })),
        { argv: [gron], stdin: json },
        { argv: [gron, `http://127.0.0.1:${server.port}/in.json`] },
      ];
      const { text, stderr } = await learnFrom(withoutPolicies("gron-0.7.1.mod"), files, workloads);
      const { reviewed, learned } = comparePolicies("gron-0.7.1.mod", text);
      expect(learned).toEqual(reviewed);
      expect(stderr).toStartWith("gomodjail learn: from 10 reports: 5 module(s) confined (0 with capability classes), 0 unconfined\n");
    } finally {
      server.stop(true);
    }
  }, 120_000);
});

describe("age 1.1.1 (Debian)", () => {
  const age = "/usr/bin/age";
  const keygen = "/usr/bin/age-keygen";

  test("learned from its everyday commands, a passphrase typed on a terminal included: the reviewed policy; x/term only called x/sys, which turned echo off (SYSTEM_CALLS: both stay unconfined)", async () => {
    program(age);
    const keys = tempDir();
    expect(Bun.spawnSync([keygen, "-o", join(keys, "key.txt")], { stderr: "pipe" }).exitCode).toBe(0);
    expect(Bun.spawnSync([keygen, "-o", join(keys, "other.txt")], { stderr: "pipe" }).exitCode).toBe(0);
    const ssh = Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", join(keys, "ssh")], { stderr: "pipe" });
    if (ssh.exitCode !== 0) throw new Error(`ssh-keygen failed (install openssh-client): ${ssh.stderr}`);
    const read = (name: string) => readFileSync(join(keys, name), "latin1");
    const recipient = read("key.txt").match(/age1[0-9a-z]+/)![0];
    writeFileSync(join(keys, "plain.txt"), "attack at dawn\n");
    const encrypt = (args: string[]) => Bun.spawnSync([age, ...args, join(keys, "plain.txt")], { stdout: "pipe" }).stdout.toString("latin1");
    const files = {
      "key.txt": read("key.txt"),
      "other.txt": read("other.txt"),
      ssh: read("ssh"),
      "ssh.pub": read("ssh.pub"),
      "plain.txt": "attack at dawn\n",
      "x.age": encrypt(["-r", recipient]),
      "y.age": encrypt(["-a", "-R", join(keys, "ssh.pub")]),
    };
    const workloads: Workload[] = [
      { argv: [age, "-r", recipient, "-o", "out.age", "plain.txt"] },
      { argv: [age, "-a", "-R", "ssh.pub", "-o", "out.age", "plain.txt"] },
      { argv: [age, "-d", "-i", "key.txt", "x.age"] },
      { argv: [age, "-d", "-i", "ssh", "y.age"] },
      { argv: [age, "-d", "-i", "other.txt", "x.age"] },
      { argv: [age, "-d", "-i", "key.txt"], stdin: "not age\n" },
      { argv: [age, "-p", "-o", "p.age", "plain.txt"], typed: "correct horse\rcorrect horse\r" },
    ];
    const { text } = await learnFrom(withoutPolicies("age-1.1.1.mod"), files, workloads);
    const { reviewed, learned } = comparePolicies("age-1.1.1.mod", text);
    expect(learned).toEqual(reviewed);
    expect(text).toMatch(
      /\t\/\/ gomodjail learn: called another module that made \d+ trapped syscalls? \(.*\): ioctl \d+; e\.g\. ioctl made by golang\.org\/x\/sys at .*\n(\t\/\/ gomodjail learn: .*\n)*\t\/\/ gomodjail learn: left unconfined: it needed SYSTEM_CALLS .*\n\tgolang\.org\/x\/term v0\.3\.0 \/\/ gomodjail:unconfined\n/,
    );
  }, 120_000);
});
