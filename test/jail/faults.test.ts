// Faults and load: nothing hangs, nothing is lost, the exit status stays right.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, childrenOf, gomodjailCommand, runGomodjail, startGomodjail } from "../helpers/gomodjail.ts";

const goMod = join(repoRoot, "test/fixtures/jail/app/go.mod");
const prog = () => goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") });
const jailed = (...args: string[]) => ["run", `--go-mod=${goMod}`, "--", prog(), ...args];

function state(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "")[0]!;
  } catch {
    return "gone";
  }
}

/**
 * Polls until `ok()` or a generous number of rounds (a count, not a time assertion). The answer
 * is the read that ended the wait: a traced thread passes through short ptrace stops ("t") while
 * the tracer handles its events, so a second read can see one.
 */
async function until(ok: () => boolean): Promise<boolean> {
  for (let i = 0; i < 2000; i++) {
    if (ok()) return true;
    await Bun.sleep(5);
  }
  return false;
}

describe("faults and load", () => {
  test("64 threads, 50,048 trapped syscalls, half of them blocked: every count exact", async () => {
    const r = await runGomodjail(jailed("load", "64", "782"));
    expect(r.stdout).toBe("ok=25024 eperm=25024 other=0\n");
    const blocked = blockedLines(r.stderr);
    expect(blocked.length).toBe(25024);
    expect(new Set(blocked.map((l) => l.module))).toEqual(new Set(["example.com/evil"]));
    expect(r.exitCode).toBe(0);
  });

  test("1,000 short-lived children", async () => {
    const r = await runGomodjail(jailed("children", "1000"));
    expect(r.stdout).toBe("children: ok\n");
    expect(blockedLines(r.stderr)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  test("500 threads that exit right after a trapped syscall", async () => {
    const r = await runGomodjail(jailed("churn", "500"));
    expect(r.stdout).toBe("churn: ok\n");
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  test("the target SIGKILLed while its threads are stopped in trapped syscalls: 137, no hang", async () => {
    const binary = prog();
    for (let round = 0; round < 5; round++) {
      const proc = Bun.spawn(gomodjailCommand(jailed("load", "8", "1000000")), { stdout: "ignore", stderr: "ignore" });
      let target = 0;
      // The program, not gomodjail's child stage before its exec (which has threads too).
      const running = () => {
        target = childrenOf(proc.pid)[0] ?? 0;
        try {
          return target > 0 && readlinkSync(`/proc/${target}/exe`) === binary && readdirSync(`/proc/${target}/task`).length >= 8;
        } catch {
          return false;
        }
      };
      expect(await until(running)).toBe(true);
      await Bun.sleep(20 * round);
      process.kill(target, "SIGKILL");
      expect(await proc.exited).toBe(137);
    }
  });

  test("SIGSTOP and SIGCONT to the target: it stops, then resumes correctly", async () => {
    const watched = startGomodjail(jailed("echo"), { stdin: "pipe" });
    const proc = watched.proc as Bun.Subprocess<"pipe", "pipe", "pipe">;
    await watched.until("ready\n");
    const [target] = childrenOf(proc.pid);
    // One read of the state per check: a running thread flips between R and S.
    const isIn = (states: string) => () => states.includes(state(target!));
    process.kill(target!, "SIGSTOP");
    expect(await until(isIn("Tt"))).toBe(true);
    process.kill(target!, "SIGCONT");
    expect(await until(isIn("SR"))).toBe(true);
    proc.stdin.write("after\n");
    await watched.until("echo: after\n");
    proc.stdin.end();
    expect(await proc.exited).toBe(0);
    expect(await watched.all()).toBe("ready\necho: after\n");
  });
});
