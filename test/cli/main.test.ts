import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import type { MainIO } from "../../src/cli/main.ts";
import { unsupportedPlatform } from "../../src/cli/platform.ts";
import { confinedModules } from "../../src/policy/profile.ts";
import { type CliOutcome, runCli } from "../helpers/cli.ts";

const repoRoot = join(import.meta.dir, "../..");
const dockerMod = join(repoRoot, "test/fixtures/profiles/docker-26.1.3.mod");

/** Runs main() in-process with a recording jail, unless `io` supplies another. */
function cli(args: string[], io: Partial<MainIO> = {}): Promise<CliOutcome> {
  return runCli(args, { io });
}

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "gomodjail-cli-")), name);
  writeFileSync(path, text);
  return path;
}

describe("help and version", () => {
  test("--help lists the commands on stdout", async () => {
    const { status, stdout, stderr } = await cli(["--help"]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toStartWith("Usage: gomodjail [options] [command]\n");
    expect(stdout).toContain("  run [options] [PROG...]");
    expect(stdout).toContain("  inspect [options] <PROG>");
    expect(stdout).toContain("--debug");
  });

  test("--help before run still lists every command (a run's command line builds only run)", async () => {
    const { status, stdout } = await cli(["--help", "run"]);
    expect(status).toBe(0);
    for (const command of ["run [options] [PROG...]", "inspect [options] <PROG>", "analyze", "fix", "pack", "learn"]) {
      expect(stdout).toContain(`  ${command}`);
    }
  });

  test("run --help shows the usage, every flag and examples", async () => {
    const { status, stdout } = await cli(["run", "-h"]);
    expect(status).toBe(0);
    expect(stdout).toStartWith("Usage: gomodjail run [options] [--] PROG [ARGS]...\n\nRun a Go program with confinement\n");
    for (const flag of ["--go-mod <FILE>", "--policy <MOD=POLICY,...>", "--no-policy", "--log-format <FORMAT>", "--debug", "Examples:"]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("gomodjail run --go-mod=go.mod -- ./prog arg1 arg2");
  });

  test("--version prints the package version", async () => {
    for (const flag of ["--version", "-v"]) {
      const { status, stdout } = await cli([flag]);
      expect(status).toBe(0);
      expect(stdout).toBe(`gomodjail version ${packageJson.version}\n`);
    }
  });
});

describe("bad input is one line on stderr and exit status 1", () => {
  const syntaxError = writeTemp("go.mod", "module example.com/app\n\nrequire example.com/a\n");
  const unknownPolicy = writeTemp("go.mod", "module example.com/app\nrequire (\n\texample.com/a v1.0.0 // gomodjail:confinde\n)\n");
  const noDirectives = writeTemp("go.mod", "module example.com/app\nrequire example.com/a v1.0.0\n");
  const addComment = `add "// gomodjail:confined" to a module's require line, or pass --no-policy to run without confinement`;
  const cases: [string, string[], string][] = [
    [
      "a missing go.mod",
      ["run", "--go-mod", "/nonexistent/go.mod", "--", "./prog"],
      "gomodjail: /nonexistent/go.mod: cannot read the go.mod file: no such file or directory",
    ],
    ["a go.mod that is a directory", ["run", "--go-mod=/tmp", "./prog"], "gomodjail: /tmp: cannot read the go.mod file: is a directory"],
    ["a go.mod syntax error", ["run", `--go-mod=${syntaxError}`, "./prog"], `gomodjail: ${syntaxError}:3: usage: require module/path v1.2.3`],
    [
      "an unknown policy in the go.mod",
      ["run", `--go-mod=${unknownPolicy}`, "./prog"],
      `gomodjail: ${unknownPolicy}:3: unknown policy "confinde" for module example.com/a (known policies: confined, unconfined)`,
    ],
    [
      "--policy without =",
      ["run", "--policy", "example.com/a", "./prog"],
      'gomodjail: --policy "example.com/a": expected MODULE=POLICY, e.g. example.com/module=confined',
    ],
    [
      "--policy with an unknown policy",
      ["run", "--policy=example.com/a=confinde", "./prog"],
      'gomodjail: --policy example.com/a=confinde: unknown policy "confinde" (known policies: confined, unconfined)',
    ],
    [
      "no policy at all",
      ["run", "./prog"],
      "gomodjail: no policy: pass --go-mod=FILE or --policy=MOD=confined, or --no-policy to run without confinement",
    ],
    ["a go.mod that confines no module", ["run", `--go-mod=${noDirectives}`, "./prog"], `gomodjail: ${noDirectives} confines no module: ${addComment}`],
    [
      "a go.mod that confines no module, in audit mode",
      ["run", "--audit", `--go-mod=${noDirectives}`, "./prog"],
      `gomodjail: ${noDirectives} confines no module: ${addComment}`,
    ],
    [
      "--policy flags alone that confine no module",
      ["run", "--policy=example.com/a=unconfined", "./prog"],
      "gomodjail: --policy confines no module: pass --policy=MOD=confined, or --no-policy to run without confinement",
    ],
    ["run without a program", ["run", "--no-policy"], "gomodjail: run: no program given (see 'gomodjail run --help')"],
    ["run with only --", ["run", "--go-mod=go.mod", "--"], "gomodjail: run: no program given (see 'gomodjail run --help')"],
    ["an empty --go-mod", ["run", "--go-mod=", "./prog"], "gomodjail: --go-mod: empty file name (see 'gomodjail run --help')"],
    ["--go-mod without a value", ["run", "--go-mod"], "gomodjail: option '--go-mod <FILE>' argument missing (see 'gomodjail run --help')"],
    [
      "an unknown log format",
      ["run", "--log-format=xml", "--no-policy", "./prog"],
      "gomodjail: option '--log-format <FORMAT>' argument 'xml' is invalid. Choose text or json. (see 'gomodjail run --help')",
    ],
    ["an unknown flag of run", ["run", "--bogus", "./prog"], "gomodjail: unknown option '--bogus' (see 'gomodjail run --help')"],
    ["an unknown global flag", ["--bogus"], "gomodjail: unknown option '--bogus' (see 'gomodjail --help')"],
    ["no command", [], "gomodjail: missing command: run, inspect, analyze, fix, learn or pack (see 'gomodjail --help')"],
    ["an unknown command", ["frobnicate", "x"], "gomodjail: unknown command 'frobnicate' (see 'gomodjail --help')"],
    ["inspect without a program", ["inspect"], "gomodjail: missing required argument 'PROG' (see 'gomodjail inspect --help')"],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const { status, stdout, stderr, runs } = await cli(args);
      expect(stderr).toBe(`${message}\n`);
      expect(status).toBe(1);
      expect(stdout).toBe("");
      expect(runs).toEqual([]);
    });
  }

  test("--policy flags that unconfine the go.mod's only confined module: the override's warning, then the refusal", async () => {
    const oneConfined = writeTemp("go.mod", "module example.com/app\nrequire example.com/a v1.0.0 // gomodjail:confined\n");
    const { status, stderr, runs } = await cli(["run", `--go-mod=${oneConfined}`, "--policy=example.com/a=unconfined", "./prog"]);
    expect(stderr).toBe(
      'level=WARN msg="--policy overrides the go.mod" module=example.com/a goMod=confined policy=unconfined\n' +
        `gomodjail: ${oneConfined} with --policy confines no module: ${addComment}\n`,
    );
    expect(status).toBe(1);
    expect(runs).toEqual([]);
  });
});

describe("run hands a validated request to the jail", () => {
  test("with a go.mod: the profile, PROG and its arguments, and the jail's exit status", async () => {
    const { status, stderr, runs } = await cli(["run", `--go-mod=${dockerMod}`, "--", "./docker", "ps", "-a"]);
    expect(stderr).toBe("");
    expect(status).toBe(42);
    expect(runs.length).toBe(1);
    const [{ argv, profile, debug }] = runs;
    expect(argv).toEqual(["./docker", "ps", "-a"]);
    expect(debug).toBe(false);
    expect(profile?.mainModule).toBe("github.com/docker/cli");
    expect(confinedModules(profile!).length).toBe(71);
  });

  test("everything after PROG belongs to PROG, even without --", async () => {
    const { runs } = await cli(["run", "--no-policy", "./prog", "--policy", "x", "--debug", "--", "-v"]);
    expect(runs[0].argv).toEqual(["./prog", "--policy", "x", "--debug", "--", "-v"]);
    expect(runs[0].profile).toBeUndefined();
    expect(runs[0].debug).toBe(false);
  });

  test("--judge-metadata reaches the jail; without it the metadata syscalls are not judged", async () => {
    const judged = await cli(["run", "--no-policy", "--judge-metadata", "./prog"]);
    expect(judged.runs[0].judgeMetadata).toBe(true);
    const plain = await cli(["run", "--no-policy", "./prog"]);
    expect(plain.runs[0].judgeMetadata ?? false).toBe(false);
    const { stdout } = await cli(["run", "-h"]);
    expect(stdout).toContain("--judge-metadata");
    expect(stdout.replace(/\s+/g, " ")).toContain("can learn whether a path exists and its metadata (not read it)");
  });

  test("-- lets PROG start with a dash", async () => {
    const { runs } = await cli(["run", "--no-policy", "--", "-prog", "arg"]);
    expect(runs[0].argv).toEqual(["-prog", "arg"]);
  });

  test("--no-policy with a go.mod still uses the go.mod", async () => {
    const { runs } = await cli(["run", "--no-policy", `--go-mod=${dockerMod}`, "./prog"]);
    expect(runs[0].profile?.mainModule).toBe("github.com/docker/cli");
  });

  test("--policy flags alone make the profile; repeated flags and comma lists add up", async () => {
    const { runs } = await cli(["run", "--policy=example.com/a=confined,example.com/b=confined", "--policy", "example.com/c=unconfined", "./prog"]);
    expect(runs[0].profile).toEqual({
      mainModule: undefined,
      defaultPolicy: "unconfined",
      modules: new Map([
        ["example.com/a", "confined"],
        ["example.com/b", "confined"],
        ["example.com/c", "unconfined"],
      ]),
    });
  });

  test("a --policy flag that changes the go.mod is logged as a warning", async () => {
    const { runs, stderr } = await cli(["run", `--go-mod=${dockerMod}`, "--policy=golang.org/x/sys=confined", "./prog"]);
    expect(runs[0].profile?.modules.get("golang.org/x/sys")).toBe("confined");
    expect(stderr).toBe('level=WARN msg="--policy overrides the go.mod" module=golang.org/x/sys goMod=unconfined policy=confined\n');
  });

  test("--log-format=json makes the log JSON lines", async () => {
    const { stderr } = await cli(["run", "--log-format", "json", `--go-mod=${dockerMod}`, "--policy=golang.org/x/sys=confined", "./prog"]);
    expect(JSON.parse(stderr)).toEqual({
      level: "WARN",
      module: "golang.org/x/sys",
      goMod: "unconfined",
      policy: "confined",
      msg: "--policy overrides the go.mod",
    });
  });

  test("--no-policy runs a policy that confines no module, without a word", async () => {
    const { stderr, status, runs } = await cli(["run", "--no-policy", "--policy=example.com/a=unconfined", "./prog"]);
    expect(status).toBe(42);
    expect(stderr).toBe("");
    expect(runs[0].profile?.modules).toEqual(new Map([["example.com/a", "unconfined"]]));
  });

  test("--debug before or after run, or $DEBUG, turns debugging on; DEBUG=0 and DEBUG=false do not", async () => {
    const debugOf = async (args: string[], env: Record<string, string> = {}) => (await cli(args, { env })).runs[0].debug;
    expect(await debugOf(["--debug", "run", "--no-policy", "./prog"])).toBe(true);
    expect(await debugOf(["run", "--debug", "--no-policy", "./prog"])).toBe(true);
    expect(await debugOf(["run", "--no-policy", "./prog"], { DEBUG: "1" })).toBe(true);
    expect(await debugOf(["run", "--no-policy", "./prog"], { DEBUG: "0" })).toBe(false);
    expect(await debugOf(["run", "--no-policy", "./prog"], { DEBUG: "false" })).toBe(false);
    expect(await debugOf(["run", "--no-policy", "./prog"], { DEBUG: "" })).toBe(false);
  });

  test("debug mode logs the policy", async () => {
    const { stderr } = await cli(["run", "--debug", "--policy=example.com/a=confined", "./prog"]);
    expect(stderr).toBe("level=DEBUG msg=policy defaultPolicy=unconfined confined=example.com/a\n");
  });
});

describe("errors from the jail", () => {
  class ProgramNotFound extends Error {}
  const failing = (error: unknown) => ({
    runJail: async () => {
      throw error;
    },
  });

  test("a typed error is its message on one line, exit status 1", async () => {
    const { status, stderr } = await cli(["run", "--no-policy", "./prog"], failing(new ProgramNotFound("./prog: no such file")));
    expect(status).toBe(1);
    expect(stderr).toBe("gomodjail: ./prog: no such file\n");
  });

  test("a multi-line message is folded onto one line", async () => {
    const { stderr } = await cli(["run", "--no-policy", "./prog"], failing(new ProgramNotFound("first\n  second\n")));
    expect(stderr).toBe("gomodjail: first; second\n");
  });

  test("a system error (with an errno code) is shown as it is", async () => {
    const error = Object.assign(new Error("EACCES: permission denied, open './prog'"), { code: "EACCES" });
    expect((await cli(["run", "--no-policy", "./prog"], failing(error))).stderr).toBe("gomodjail: EACCES: permission denied, open './prog'\n");
  });

  test("an unexpected error is one line marked internal, without a stack", async () => {
    const { status, stderr } = await cli(["run", "--no-policy", "./prog"], failing(new TypeError("x is not a function")));
    expect(status).toBe(1);
    expect(stderr).toBe("gomodjail: internal error: x is not a function\n");
  });

  test("with --debug an unexpected error also shows its stack", async () => {
    const { status, stderr } = await cli(["--debug", "run", "--no-policy", "./prog"], failing(new TypeError("x is not a function")));
    expect(status).toBe(1);
    const [first, ...rest] = stderr.trimEnd().split("\n");
    expect(first).toBe("gomodjail: internal error: x is not a function");
    expect(rest[0]).toBe("TypeError: x is not a function");
    expect(rest.some((line) => line.includes("main.test.ts"))).toBe(true);
  });

  test("a thrown non-Error is an internal error too", async () => {
    expect((await cli(["run", "--no-policy", "./prog"], failing("boom"))).stderr).toBe("gomodjail: internal error: boom\n");
  });
});

describe("inspect", () => {
  test("calls inspectCommand with PROG, --go-mod, --json and a logger, and returns its status", async () => {
    const { status, inspections } = await cli(["inspect", "--go-mod", "go.mod", "--json", "./prog"]);
    expect(status).toBe(7);
    expect(inspections.length).toBe(1);
    const [prog, options] = inspections[0];
    expect(prog).toBe("./prog");
    expect(options.goMod).toBe("go.mod");
    expect(options.json).toBe(true);
    expect(typeof options.logger.warn).toBe("function");
  });
});

describe("platforms", () => {
  test("Linux on x86_64 and aarch64 are supported", () => {
    expect(unsupportedPlatform("linux", "x64")).toBeUndefined();
    expect(unsupportedPlatform("linux", "arm64")).toBeUndefined();
  });

  test("other systems and architectures are refused, naming what this one is", () => {
    for (const [platform, arch] of [["darwin", "arm64"], ["win32", "x64"], ["freebsd", "x64"], ["linux", "ia32"], ["linux", "riscv64"]]) {
      expect(unsupportedPlatform(platform!, arch!)).toEndWith(`; this system is ${platform}/${arch}`);
    }
  });
});

describe("as a process", () => {
  function gomodjail(args: string[]) {
    const script = `import { main } from "./src/cli/main.ts"; process.exitCode = await main(process.argv.slice(1));`;
    const result = Bun.spawnSync([process.execPath, "-e", script, "--", ...args], { cwd: repoRoot, stdout: "pipe", stderr: "pipe", env: { ...process.env, DEBUG: "" } });
    return { status: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  }

  test("bad input prints one line on the real stderr and exits 1", () => {
    expect(gomodjail(["run", "./prog"])).toEqual({
      status: 1,
      stdout: "",
      stderr: "gomodjail: no policy: pass --go-mod=FILE or --policy=MOD=confined, or --no-policy to run without confinement\n",
    });
  });

  test("a go.mod that confines no module is refused in one line, exit status 1, and the program never starts", () => {
    const goMod = writeTemp("go.mod", "module example.com/app\nrequire example.com/a v1.0.0 // gomodjail:unconfined\n");
    const marker = join(dirname(goMod), "started");
    expect(gomodjail(["run", `--go-mod=${goMod}`, "--", "/usr/bin/touch", marker])).toEqual({
      status: 1,
      stdout: "",
      stderr: `gomodjail: ${goMod} confines no module: add "// gomodjail:confined" to a module's require line, or pass --no-policy to run without confinement\n`,
    });
    expect(existsSync(marker)).toBe(false);
  });

  test("run --no-policy reaches the real jail, whose refusal is one line and exit status 1", () => {
    const { status, stdout, stderr } = gomodjail(["run", "--no-policy", "--", "/nonexistent/prog"]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toStartWith("gomodjail: ");
    expect(stderr.trimEnd().split("\n").length).toBe(1);
    expect(stderr).not.toContain("internal error");
  });

  test("on a system other than Linux, the executable says so in one line and exits 1 (platform faked)", () => {
    // src/main.ts reads its arguments after the script's path, which `bun -e` has not.
    const script = (platform: string) =>
      `Object.defineProperty(process, "platform", { value: "${platform}" }); process.argv.splice(1, 0, "src/main.ts"); await import("./src/main.ts");`;
    const fakePlatform = (platform: string) =>
      Bun.spawnSync([process.execPath, "-e", script(platform), "--", "--version"], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
    const darwin = fakePlatform("darwin");
    expect({ status: darwin.exitCode, stdout: darwin.stdout.toString(), stderr: darwin.stderr.toString() }).toEqual({
      status: 1,
      stdout: "",
      stderr: `gomodjail: runs only on Linux on x86_64 or aarch64 (it is built on Linux's seccomp and ptrace); this system is darwin/${process.arch}\n`,
    });
    expect(fakePlatform("linux").stdout.toString()).toBe(`gomodjail version ${packageJson.version}\n`);
  });

  test("--help is printed whole on the real stdout", () => {
    const { status, stdout } = gomodjail(["run", "--help"]);
    expect(status).toBe(0);
    expect(stdout).toStartWith("Usage: gomodjail run");
    expect(stdout).toContain("Examples:");
  });
});
