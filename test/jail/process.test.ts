// End to end: gomodjail behaves like the program it runs (exit status, signals, stdio) and
// follows every thread and child without hanging, with either pre-exec stage (the shell, or
// this tool's child mode where there is no shell).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadProfile } from "../../src/policy/profile.ts";
import { programEnvironment } from "../../src/launch/program.ts";
import { selfCommand } from "../../src/launch/stage.ts";
import { traceProgram } from "../../src/tracer/tracer.ts";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, childrenOf, gomodjailCommand, preExecStages, runGomodjail, startGomodjail } from "../helpers/gomodjail.ts";

const goMod = join(repoRoot, "test/fixtures/jail/app/go.mod");
const prog = () => goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });

/** Starts the fixture under gomodjail and waits until the program printed "ready". */
async function startReady(args: string[], env: Record<string, string>) {
  const watched = startGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), ...args], { env });
  if (!(await watched.until("ready\n")).includes("ready\n")) throw new Error("the program ended before it was ready");
  return { proc: watched.proc, output: () => watched.all() };
}

function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return true;
  }
}

for (const [stage, env] of Object.entries(preExecStages)) {
  describe(`process behaviour (pre-exec stage: ${stage})`, () => {
    test("the program's exit status is gomodjail's", async () => {
      const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), "exit", "7"], { env });
      expect(r.exitCode).toBe(7);
    });

    test("a program killed by SIGTERM makes gomodjail exit with 143", async () => {
      const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), "kill-self"], { env });
      expect(r.exitCode).toBe(143);
    });

    test("stdin and stdout pass through byte for byte (1 MiB)", async () => {
      const data = new Uint8Array(1 << 20);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 8)) & 0xff;
      const proc = Bun.spawn(gomodjailCommand(["run", `--go-mod=${goMod}`, "--", prog(), "cat"]), {
        env: { ...process.env, ...env },
        stdin: data,
        stdout: "pipe",
        stderr: "pipe",
      });
      const out = new Uint8Array(await new Response(proc.stdout).arrayBuffer());
      expect(await proc.exited).toBe(0);
      expect(out.length).toBe(data.length);
      expect(Buffer.compare(out, data)).toBe(0);
    });

    test("SIGTERM sent to gomodjail reaches the program's handler", async () => {
      const { proc, output } = await startReady(["wait-signal"], env);
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      expect(await output()).toContain("got terminated");
    });

    test("32 busy threads and 200 short-lived children finish", async () => {
      const threads = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), "threads", "32"], { env });
      expect(threads.stdout).toBe("threads: ok\n");
      expect(threads.exitCode).toBe(0);
      const children = await runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(), "children", "200"], { env });
      expect(children.stdout).toBe("children: ok\n");
      expect(blockedLines(children.stderr)).toEqual([]);
      expect(children.exitCode).toBe(0);
    });

    test("killing gomodjail with SIGKILL kills the program", async () => {
      const { proc } = await startReady(["sleep"], env);
      const [target] = childrenOf(proc.pid);
      expect(target).toBeGreaterThan(0);
      proc.kill("SIGKILL");
      await proc.exited;
      // PTRACE_O_EXITKILL kills the tracee as the tracer goes; init then reaps it. (Bounded by
      // a count, not asserted on time: the program would otherwise sleep for an hour.)
      for (let i = 0; i < 1000 && !isGone(target!); i++) await Bun.sleep(10);
      expect(isGone(target!)).toBe(true);
    });
  });
}

describe("the tracer's start-up", () => {
  /** How many times the tracer said the program's start-up was over, tracing in this process. */
  function startUpsOver(args: string[]): number {
    let over = 0;
    const path = prog();
    const exit = traceProgram(
      { path, argv: [path, ...args], env: programEnvironment(true), descriptors: [], profile: loadProfile(goMod), self: selfCommand(), audit: false, strict: false },
      { started() {}, blocked() {}, warn() {}, startUpOver: () => over++ },
    );
    expect(exit.status).toBe(0);
    return over;
  }

  // The tracer thread lets its JIT go then (src/jit-policy.ts): a long run's hot paths must compile.
  test("a long run's start-up ends once, after its first stops; a short run's never does", () => {
    expect(startUpsOver(["load", "1", "200"])).toBe(1);
    expect(startUpsOver(["exit", "0"])).toBe(0);
  });
});
