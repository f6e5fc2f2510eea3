// End to end: loader variables (src/tracer/loader-env.ts). A confined module sets one with
// os.Setenv, which makes no syscall; the main module then runs /bin/true, a dynamically linked
// program whose loader would act on it. The new program is killed at its exec, before its first
// instruction, unless gomodjail was started with that value or the variable is allowed.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type BlockedSyscall, RunOptionsError, run } from "../../src/index.ts";
import type { LogFn, Logger } from "../../src/log-format.ts";
import { changedLoaderVariables } from "../../src/tracer/loader-env.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

const fixture = join(repoRoot, "test/fixtures/loaderenv/app");
const goMod = join(fixture, "go.mod");
const confined = "example.com/setter";
/** Nothing is there: /bin/true runs the same with it, so a run that was not killed says "run: ok". */
const nowhere = "/nonexistent/gomodjail-loader-env";

/** Runs the fixture's steps under gomodjail (flags before the program), with `env` added to gomodjail's environment. */
function jailed(prog: string, flags: string[], steps: string[], env: Record<string, string> = {}) {
  return runGomodjail(["run", ...flags, "--", prog, ...steps], { env });
}

function expectKilledFor(r: { stdout: string; stderr: string; exitCode: number }, name: string, value: string) {
  expect(r.stdout).toBe("run: signal: killed\n");
  expect(r.exitCode).toBe(1);
  const lines = blockedLines(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ syscall: "execve", module: "unknown" });
  expect(lines[0]!.entry).toEndWith("/true");
  expect(lines[0]!.reason).toContain(`loader variable ${name}=${value}`);
}

const toolchains = goToolchains().filter((go) => go === "1.21" || go === "1.27");

for (const go of toolchains) {
  describe(`Go ${go}`, () => {
    const prog = () => goBuild({ dir: fixture, go });

    for (const name of ["LD_PRELOAD", "GCONV_PATH", "LD_LIBRARY_PATH"]) {
      test(`${name} set by a confined module: the next program is killed before it runs, and a Blocked line names it`, async () => {
        const r = await jailed(prog(), [`--go-mod=${goMod}`], [`set ${name}=${nowhere}`, "run"]);
        expectKilledFor(r, name, nowhere);
      });
    }

    test("the killed program runs no instruction: touch leaves no file", async () => {
      const marker = join(mkdtempSync(join(tmpdir(), "gomodjail-loader-env-")), "touched");
      const r = await jailed(prog(), [`--go-mod=${goMod}`], [`set LD_LIBRARY_PATH=${nowhere}`, `touch ${marker}`]);
      expect(r.stdout).toBe("touch: signal: killed\n");
      expect(existsSync(marker)).toBe(false);
      const unset = await jailed(prog(), [`--go-mod=${goMod}`], [`touch ${marker}`]);
      expect(unset.stdout).toBe("touch: ok\n");
      expect(existsSync(marker)).toBe(true);
      rmSync(dirname(marker), { recursive: true });
    });

    test("a memfd path in LD_PRELOAD is refused by the variable, whatever it names", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`], ["set LD_PRELOAD=/proc/self/fd/3", "run"]);
      expectKilledFor(r, "LD_PRELOAD", "/proc/self/fd/3");
    });

    test("a variable set again to the value gomodjail was started with is left alone", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`], [`set GCONV_PATH=${nowhere}`, "run"], { GCONV_PATH: nowhere });
      expect(r.stdout).toBe("run: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("a changed value is caught, and the Blocked line says what it was", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`], [`set GCONV_PATH=${nowhere}/b`, "run"], { GCONV_PATH: `${nowhere}/a` });
      expectKilledFor(r, "GCONV_PATH", `${nowhere}/b`);
      expect(blockedLines(r.stderr)[0]!.reason).toContain(`was ${nowhere}/a when the program was started`);
    });

    test("--allow-loader-env=LD_PRELOAD lets the program run, and no other variable", async () => {
      const allowed = await jailed(prog(), [`--go-mod=${goMod}`, "--allow-loader-env=LD_PRELOAD"], [`set LD_PRELOAD=${nowhere}`, "run"]);
      expect(allowed.stdout).toBe("run: ok\n");
      expect(blockedLines(allowed.stderr)).toEqual([]);
      const other = await jailed(prog(), [`--go-mod=${goMod}`, "--allow-loader-env=LD_PRELOAD"], [`set LD_PRELOAD=${nowhere}`, `set GCONV_PATH=${nowhere}`, "run"]);
      expectKilledFor(other, "GCONV_PATH", nowhere);
    });

    test("--allow-loader-env takes comma lists and repeats", async () => {
      const steps = ["LD_PRELOAD", "GCONV_PATH", "LD_LIBRARY_PATH"].map((name) => `set ${name}=${nowhere}`);
      const r = await jailed(prog(), [`--go-mod=${goMod}`, "--allow-loader-env=LD_PRELOAD,GCONV_PATH", "--allow-loader-env=LD_LIBRARY_PATH"], [...steps, "run"]);
      expect(r.stdout).toBe("run: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
    });

    test("with --no-policy nothing is checked", async () => {
      const r = await jailed(prog(), ["--no-policy"], [`set LD_PRELOAD=${nowhere}`, "run"]);
      expect(r.stdout).toBe("run: ok\n");
      expect(r.exitCode).toBe(0);
    });

    test("a policy that confines nothing (allowed by --no-policy) checks nothing", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`, `--policy=${confined}=unconfined`, "--no-policy"], [`set LD_PRELOAD=${nowhere}`, "run"]);
      expect(r.stdout).toBe("run: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("the main module setting an unrelated variable (FOO=1) runs its programs", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`], ["main-set FOO=1", "run"]);
      expect(r.stdout).toBe("run: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("a loader variable set by the main module is refused too: the environment does not say who set it", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`], [`main-set LD_LIBRARY_PATH=${nowhere}`, "run"]);
      expectKilledFor(r, "LD_LIBRARY_PATH", nowhere);
    });

    test("--audit logs a Would block line and lets the program run", async () => {
      const r = await jailed(prog(), [`--go-mod=${goMod}`, "--audit"], [`set LD_PRELOAD=${nowhere}`, "run"]);
      expect(r.stdout).toBe("run: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.stderr).toMatch(/msg="\*\*\*Would block\*\*\*" .*syscall=execve .*module=unknown .*LD_PRELOAD/);
      expect(r.exitCode).toBe(0);
    });

    test("the library's allowLoaderEnv lets the program run; without it the program's child is killed", async () => {
      const events: BlockedSyscall[] = [];
      const logger = silentLogger();
      const argv = [prog(), `set LD_PRELOAD=${nowhere}`, "run"];
      const refused = await run({ argv, goMod, logger, onBlocked: (e) => events.push(e) });
      expect(refused.exitCode).toBe(1);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ syscall: "execve", module: "unknown", audit: false });
      expect(events[0]!.reason).toContain("LD_PRELOAD");
      const allowed = await run({ argv, goMod, logger, allowLoaderEnv: ["LD_PRELOAD"] });
      expect(allowed.exitCode).toBe(0);
      expect(allowed.blocked).toEqual([]);
    });
  });
}

test("an --allow-loader-env name gomodjail does not check is a usage error", async () => {
  const r = await runGomodjail(["run", "--no-policy", "--allow-loader-env=LD_PRELOAD,FOO", "--", "/bin/true"]);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toStartWith('gomodjail: --allow-loader-env: "FOO" is not a loader variable gomodjail checks (GCONV_PATH, ');
});

test("the library refuses an allowLoaderEnv name gomodjail does not check with a RunOptionsError", async () => {
  const error = await run({ argv: ["/bin/true"], noPolicy: true, allowLoaderEnv: ["TMPDIR"] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunOptionsError);
  expect((error as Error).message).toStartWith('allowLoaderEnv: "TMPDIR" is not a loader variable gomodjail checks');
});

describe("the environment of a new image, against the one the program was started with", () => {
  const environ = (...entries: string[]) => new TextEncoder().encode(entries.map((e) => `${e}\0`).join(""));
  const none = new Set<string>();

  test("every entry of a name is checked: the loader takes the last, getenv the first", () => {
    expect(changedLoaderVariables(environ("LD_PRELOAD=/ok", "LD_PRELOAD=/evil"), { LD_PRELOAD: "/ok" }, none)).toEqual([
      { name: "LD_PRELOAD", value: "/evil", was: "/ok" },
    ]);
  });

  test("values are compared as bytes, not as decoded text", () => {
    const invalid = new Uint8Array([...new TextEncoder().encode("LD_PRELOAD="), 0xff, 0]);
    expect(changedLoaderVariables(invalid, { LD_PRELOAD: "\ufffd" }, none).map((c) => c.name)).toEqual(["LD_PRELOAD"]);
  });

  test("unchecked variables, entries without '=' and allowed names are not changes", () => {
    expect(changedLoaderVariables(environ("TMPDIR=/x", "LD_PRELOAD", "LD_AUDIT=/a.so"), {}, new Set(["LD_AUDIT"]))).toEqual([]);
  });
});

function silentLogger(): Logger {
  const drop: LogFn = () => {};
  return { error: drop, warn: drop, info: drop, debug: drop };
}
