// `gomodjail pack`: one executable that runs a Go program under its policy wherever it is
// copied, unpacks the program once per content into a cache only its user can write, and
// refuses what it must not run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { MAGIC, TRAILER_SIZE } from "../../src/pack/format.ts";
import { bun, runGomodjail } from "../helpers/gomodjail.ts";
import {
  blockedModules,
  compiledGomodjail,
  emptyDir,
  packApp,
  packAppGoMod,
  poisonedModule,
  removeDirs,
  runCommand,
  systemPath,
  victim,
  victimGoMod,
} from "./helpers.ts";

afterAll(removeDirs);

let packed: string;
beforeAll(() => {
  // Packed by the single-file binary itself: its base is its own executable.
  const dir = emptyDir("pack-out");
  const prog = join(dir, "packapp");
  copyFileSync(packApp(), prog);
  const res = Bun.spawnSync([compiledGomodjail(), "pack", `--go-mod=${packAppGoMod}`, prog], { cwd: dir, env: { PATH: systemPath }, stdout: "pipe", stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`pack failed: ${res.stderr}`);
  packed = join(dir, "packapp.gomodjail");
});

/** A copy of the packed executable alone in a new directory, and a fresh cache for it. */
function copied(): { dir: string; exe: string; cache: string; env: Record<string, string> } {
  const dir = emptyDir("pack-run");
  const exe = join(dir, "app");
  copyFileSync(packed, exe);
  const cache = join(dir, "cache");
  return { dir, exe, cache, env: { PATH: systemPath, HOME: join(dir, "home"), XDG_CACHE_HOME: cache } };
}

function cacheEntries(cache: string): string[] {
  const root = join(cache, "gomodjail");
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => `${d}/${f}`));
}

test("pack writes ./PROG.gomodjail: the single-file binary, the program, its manifest and a trailer", () => {
  const bytes = readFileSync(packed);
  expect(bytes.subarray(bytes.length - MAGIC.length).equals(MAGIC)).toBe(true);
  const programSize = Number(bytes.readBigUInt64LE(bytes.length - TRAILER_SIZE));
  expect(programSize).toBe(statSync(packApp()).size);
  expect(bytes.length).toBeGreaterThan(statSync(compiledGomodjail()).size + programSize);
  expect(statSync(packed).mode & 0o777).toBe(0o755);
});

test("a packed executable copied elsewhere passes arguments, stdin, stdout, environment and exit status, and blocks the confined module", async () => {
  const { dir, exe, env } = copied();
  const r = await runCommand([exe, "argv0", "env", "GREETING", "add", "cat", "echo", "a b", "--flag", ""], {
    cwd: dir,
    env: { ...env, GREETING: "hello" },
    stdin: Buffer.from("from stdin\n"),
  });
  // argv[0] is the packed executable's own, as if it were the program.
  expect(r.stdout).toBe("app\nhello\n1 + 2 = 3\nfrom stdin\na b\n--flag\n\n");
  expect(r.stderr).toContain("poisoned: the attack failed: fork/exec /bin/sh: operation not permitted");
  expect(new Set(blockedModules(r.stderr))).toEqual(new Set([poisonedModule]));
  expect(r.exitCode).toBe(0);

  const exit = await runCommand([exe, "exit", "7"], { cwd: dir, env });
  expect(exit).toEqual({ exitCode: 7, stdout: "", stderr: "" });
});

test("the program gets the argv[0] the packed executable was started with, not its cache path", async () => {
  const { dir, exe, env } = copied();
  const throughPath = await runCommand(["app", "argv0"], { cwd: dir, env: { ...env, PATH: `${dir}:${systemPath}` } });
  expect(throughPath).toEqual({ exitCode: 0, stdout: "app\n", stderr: "" });
  const renamed = Bun.spawn([exe, "argv0"], { argv0: "another-name", cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  expect(await new Response(renamed.stdout).text()).toBe("another-name\n");
  expect(await renamed.exited).toBe(0);
});

test("the program is unpacked once, 0500 in a 0700 directory named by its SHA-256, and reused by later runs", async () => {
  const { dir, exe, cache, env } = copied();
  expect((await runCommand([exe, "echo", "one"], { cwd: dir, env })).stdout).toBe("one\n");
  const entries = cacheEntries(cache);
  const sha = new Bun.CryptoHasher("sha256").update(readFileSync(packApp())).digest("hex");
  expect(entries).toEqual([`${sha}/packapp`]);
  const entry = join(cache, "gomodjail", entries[0]!);
  const first = statSync(entry);
  expect(first.mode & 0o7777).toBe(0o500);
  expect(statSync(join(cache, "gomodjail")).mode & 0o7777).toBe(0o700);
  expect(statSync(join(cache, "gomodjail", sha)).mode & 0o7777).toBe(0o700);

  expect((await runCommand([exe, "echo", "two"], { cwd: dir, env })).stdout).toBe("two\n");
  const second = statSync(entry);
  expect({ ino: second.ino, mtimeMs: second.mtimeMs }).toEqual({ ino: first.ino, mtimeMs: first.mtimeMs });
});

test("copies that start at once on an empty cache all run, and leave one entry and no temporary file", async () => {
  const { dir, exe, cache, env } = copied();
  const runs = await Promise.all([1, 2, 3, 4].map((i) => runCommand([exe, "echo", `run ${i}`], { cwd: dir, env })));
  expect(runs.map((r) => [r.exitCode, r.stdout])).toEqual([1, 2, 3, 4].map((i) => [0, `run ${i}\n`]));
  expect(cacheEntries(cache)).toHaveLength(1);
  expect(cacheEntries(cache)[0]).toEndWith("/packapp");
});

test("an entry someone made writable is not trusted: it is unpacked again", async () => {
  const { dir, exe, cache, env } = copied();
  await runCommand([exe, "echo", "first"], { cwd: dir, env });
  const entry = join(cache, "gomodjail", cacheEntries(cache)[0]!);
  chmodSync(entry, 0o700);
  writeFileSync(entry, "#!/bin/sh\necho replaced\n");
  const r = await runCommand([exe, "echo", "second"], { cwd: dir, env });
  expect(r).toEqual({ exitCode: 0, stdout: "second\n", stderr: "" });
  expect(statSync(entry).mode & 0o7777).toBe(0o500);
});

describe("a cache directory others could change is refused, and nothing runs", () => {
  const cases: [string, (cacheHome: string) => string][] = [
    ["writable by others", (home) => {
      mkdirSync(join(home, "gomodjail"), { recursive: true });
      chmodSync(join(home, "gomodjail"), 0o777);
      return "writable by others (mode 0777)";
    }],
    ["owned by another user", (home) => {
      mkdirSync(join(home, "gomodjail"), { recursive: true, mode: 0o700 });
      chownSync(join(home, "gomodjail"), 65534, 65534);
      return "owned by uid 65534";
    }],
    ["below a directory others can write, without the sticky bit", (home) => {
      mkdirSync(home, { recursive: true });
      chmodSync(home, 0o777);
      return "above it is writable by others (mode 0777)";
    }],
  ];
  for (const [name, prepare] of cases) {
    // Only root can give a directory away.
    test.skipIf(name === "owned by another user" && process.getuid!() !== 0)(name, async () => {
      const { dir, exe, cache, env } = copied();
      const why = prepare(cache);
      const r = await runCommand([exe, "echo", "ran"], { cwd: dir, env });
      expect(r.stdout).toBe("");
      expect(r.stderr).toStartWith("gomodjail: refusing the cache directory ");
      expect(r.stderr).toContain(why);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.exitCode).toBe(1);
    });
  }
});

test("a cache directory reached through a symbolic link to a directory of one's own is used at its real path", async () => {
  const { dir, exe, cache, env } = copied();
  mkdirSync(join(cache, "elsewhere"), { recursive: true, mode: 0o700 });
  symlinkSync(join(cache, "elsewhere"), join(cache, "gomodjail"));
  const r = await runCommand([exe, "argv0"], { cwd: dir, env });
  expect(r).toEqual({ exitCode: 0, stdout: "app\n", stderr: "" });
  expect(readdirSync(join(cache, "elsewhere"))).toHaveLength(1);
});

describe("a damaged packed executable is refused before anything runs", () => {
  /** Offsets from the start of the trailer; the manifest comes right before it. */
  const damage: [string, (manifestSize: number) => number, string][] = [
    ["a byte of the program", (manifestSize) => -manifestSize - 1000, "the program's SHA-256 does not match the trailer"],
    ["a byte of the manifest", () => -10, "the manifest's SHA-256 does not match the trailer"],
    ["the trailer's program size", () => 7, "its trailer's sizes do not fit the file"],
  ];
  for (const [what, offset, message] of damage) {
    test(what, async () => {
      const { dir, exe, cache, env } = copied();
      const trailer = statSync(exe).size - TRAILER_SIZE;
      const fd = openSync(exe, "r+");
      const sizeField = Buffer.alloc(8);
      readSync(fd, sizeField, 0, 8, trailer + 8);
      const manifestSize = Number(sizeField.readBigUInt64LE(0));
      writeSync(fd, Buffer.from([0x55]), 0, 1, trailer + offset(manifestSize));
      closeSync(fd);
      const r = await runCommand([exe, "echo", "ran"], { cwd: dir, env });
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`gomodjail: ${exe}: damaged packed executable (${message})\n`);
      expect(r.exitCode).toBe(1);
      const entries = existsSync(join(cache, "gomodjail")) ? cacheEntries(cache) : [];
      expect(entries).toEqual([]);
    });
  }
});

describe("pack refuses", () => {
  test("a program that is not Go", async () => {
    const r = await runGomodjail(["pack", `--go-mod=${packAppGoMod}`, `--base=${compiledGomodjail()}`, "-o", join(emptyDir("refuse"), "out"), "/bin/true"]);
    expect(r.stderr).toStartWith("gomodjail: /bin/true: not a Go binary gomodjail can read");
    expect(r.exitCode).toBe(1);
  });

  test("a go.mod of another main module", async () => {
    const out = join(emptyDir("refuse"), "out");
    const r = await runGomodjail(["pack", `--go-mod=${victimGoMod}`, `--base=${compiledGomodjail()}`, "-o", out, packApp()]);
    expect(r.stderr).toBe(
      `gomodjail: ${packApp()}: its main module is example.com/gomodjail/test/users/packapp, but the policy is for example.com/gomodjail/examples/victim\n`,
    );
    expect(r.exitCode).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  test("a go.mod that confines no module: a packed program always runs under its policy", async () => {
    const dir = emptyDir("refuse");
    const goMod = join(dir, "go.mod");
    writeFileSync(goMod, readFileSync(packAppGoMod, "utf8").replace(" // gomodjail:confined", ""));
    const r = await runGomodjail(["pack", `--go-mod=${goMod}`, `--base=${compiledGomodjail()}`, "-o", join(dir, "out"), packApp()]);
    expect(r).toEqual({ exitCode: 1, stdout: "", stderr: `gomodjail: ${goMod} confines no module: add "// gomodjail:confined" to a module's require line\n` });
    expect(readdirSync(dir)).toEqual(["go.mod"]);
  });

  test("no --go-mod", async () => {
    const r = await runGomodjail(["pack", packApp()]);
    expect(r).toEqual({ exitCode: 1, stdout: "", stderr: "gomodjail: pack: --go-mod=FILE is required (see 'gomodjail pack --help')\n" });
  });

  test("a base that is not gomodjail, or is itself packed", async () => {
    const dir = emptyDir("refuse");
    const notGomodjail = await runGomodjail(["pack", `--go-mod=${packAppGoMod}`, `--base=${bun}`, "-o", join(dir, "a"), packApp()]);
    expect(notGomodjail.stderr).toStartWith(`gomodjail: --base ${bun}: not a gomodjail binary that can pack`);
    expect(notGomodjail.exitCode).toBe(1);
    const packedBase = await runGomodjail(["pack", `--go-mod=${packAppGoMod}`, `--base=${packed}`, "-o", join(dir, "b"), packApp()]);
    expect(packedBase).toEqual({ exitCode: 1, stdout: "", stderr: `gomodjail: --base ${packed} is a packed program, not the gomodjail binary\n` });
    expect(readdirSync(dir)).toEqual([]);
  });
});

test("pack run from the sources builds its own base, and -o names the output", async () => {
  const dir = emptyDir("pack-src");
  const out = join(dir, "victim-jailed");
  const r = await runGomodjail(["pack", `--go-mod=${victimGoMod}`, "-o", out, victim()]);
  expect(r.stderr).toContain("building the gomodjail single-file binary to pack");
  expect(r.stdout).toStartWith(`${out}: ${victim()} under the policy of ${victimGoMod} (`);
  expect(r.exitCode).toBe(0);
  expect(readdirSync(dir)).toEqual(["victim-jailed"]);
  const run = await runCommand([out], { cwd: dir, env: { PATH: systemPath, XDG_CACHE_HOME: join(dir, "cache") } });
  expect(run.stdout).toBe("1 + 2 = 3\n");
  expect(new Set(blockedModules(run.stderr))).toEqual(new Set([poisonedModule]));
  expect(run.exitCode).toBe(0);
  expect(lstatSync(join(dir, "cache/gomodjail")).isDirectory()).toBe(true);
});
