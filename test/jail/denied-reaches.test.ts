// `run` says once what a confined module's code can reach that it is not allowed (analyze's FAIL
// verdict), and which have code the jail cannot hold, from the per-binary cache that a
// low-priority process of its own fills; the cache is keyed on the file's identity and decides
// nothing, so a rewritten binary or a tampered entry can cost a warning, never let a call through.
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, utimesSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { identify } from "../../src/launch/program.ts";
import { CACHE_COMMAND } from "../../src/session/cache-command.ts";
import { claimFill } from "../../src/cache/binary-cache.ts";
import { readRunWarnings, runWarningsEntry } from "../../src/session/warnings-entry.ts";
import { loadProfile, profileData } from "../../src/policy/profile.ts";
import { runGomodjail, startGomodjail } from "../helpers/gomodjail.ts";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";
import { victim, victimGoMod } from "../users/helpers.ts";

const WARNING = 'msg="confined modules reach classes they are not allowed"';
const REACHES = 'reaches="example.com/gomodjail/examples/poisoned reaches EXEC: example.com/gomodjail/examples/poisoned.attack -> os/exec.Command"';

/** A copy of the victim of its own (its own inode), and a cache directory of its own. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), "denied-reaches-"));
  const prog = join(dir, "victim");
  copyFileSync(victim(), prog);
  const env = { XDG_CACHE_HOME: join(dir, "cache"), GOMODJAIL_ANALYSIS: "on" };
  const entry = () => runWarningsEntry(identify(prog), loadProfile(victimGoMod), env);
  return { prog, env, entry };
}

/** Fills the cache as a run's background process does, from the claim a run leaves it, and waits for it. */
async function fillCache(prog: string, env: Record<string, string>, entry: string) {
  expect(claimFill(entry, JSON.stringify(profileData(loadProfile(victimGoMod))))).toBe(true);
  const r = await runGomodjail([CACHE_COMMAND, prog, entry], { env });
  expect(r.exitCode).toBe(0);
}

/** The pids of the cache fills running for `prog`. */
function fillsRunning(prog: string): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv.includes(CACHE_COMMAND) && argv.includes(prog);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.includes(WARNING));

describe("what a run says the confined modules reach", () => {
  test("a run with nothing cached starts the analysis in the background and the next run warns once, naming the class and the path", async () => {
    const { prog, env, entry } = setup();
    // --report keeps gomodjail to the end of the run, where a finished analysis would be told.
    const first = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--report", join(prog, "..", "report.json"), "--", prog], { env });
    expect(first.stdout).toContain("1 + 2 = 3");
    while (!existsSync(entry())) await Bun.sleep(50);
    const second = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--", prog], { env });
    expect(warnings(second.stderr)).toEqual([`level=WARN ${WARNING} ${REACHES} details="gomodjail analyze --go-mod=FILE ${prog}"`]);
    // The warning decides nothing: the poisoned module's attempt is blocked as always.
    expect(second.stderr).toContain("msg=***Blocked***");
    expect(second.stdout).toContain("1 + 2 = 3");
  });

  test("a binary rewritten in place is not its cache entry's: the entry is refused, and no warning comes from it", async () => {
    const { prog, env, entry } = setup();
    await fillCache(prog, env, entry());
    const before = entry();
    expect(readRunWarnings(before, identify(prog))?.denied).toHaveLength(1);
    // The same bytes written over the same inode: the modification and change times move.
    await Bun.sleep(20);
    const bytes = readFileSync(prog);
    const fd = openSync(prog, "r+");
    writeSync(fd, bytes, 0, bytes.length, 0);
    closeSync(fd);
    expect(entry()).not.toBe(before);
    expect(readRunWarnings(before, identify(prog))).toBeUndefined();
    const r = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--", prog], { env });
    expect(warnings(r.stderr)).toEqual([]);
  });

  test("an entry that does not parse, or is another file's, is ignored and the run goes on", async () => {
    const { prog, env, entry } = setup();
    await fillCache(prog, env, entry());
    writeFileSync(entry(), "{ not json");
    const garbage = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--", prog], { env });
    expect(warnings(garbage.stderr)).toEqual([]);
    expect(garbage.stdout).toContain("1 + 2 = 3");
    const foreign = JSON.parse(JSON.stringify({ format: 1, identity: { ...identify(prog), ino: "1" }, data: { cannotHold: [], denied: [] } }));
    writeFileSync(entry(), JSON.stringify(foreign));
    expect(readRunWarnings(entry(), identify(prog))).toBeUndefined();
  });

  test("a cache that says nothing is denied does not let --strict start the program: --strict works it out itself", async () => {
    const { prog, env, entry } = setup();
    await fillCache(prog, env, entry());
    const tampered = JSON.parse(readFileSync(entry(), "utf8"));
    tampered.data.denied = [];
    writeFileSync(entry(), JSON.stringify(tampered));
    expect(readRunWarnings(entry(), identify(prog))?.denied).toEqual([]);
    const r = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--strict", "--", prog], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("confined modules reach classes they are not allowed: example.com/gomodjail/examples/poisoned reaches EXEC");
  });

  test("with an entry, both warnings come from it, as the entry says; an entry naming a kind of finding that does not exist is refused", async () => {
    const { prog, env, entry } = setup();
    await fillCache(prog, env, entry());
    const cached = JSON.parse(readFileSync(entry(), "utf8"));
    cached.data.cannotHold = [{ module: "example.com/gomodjail/examples/poisoned", counts: { asm: 2 } }];
    writeFileSync(entry(), JSON.stringify(cached));
    const r = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--", prog], { env });
    expect(r.stderr).toContain(`level=WARN msg="confined modules have code the jail cannot hold" modules="example.com/gomodjail/examples/poisoned (2 asm)"`);
    expect(warnings(r.stderr)).toHaveLength(1);
    cached.data.cannotHold = [{ module: "example.com/gomodjail/examples/poisoned", counts: { "no such kind": 1 } }];
    writeFileSync(entry(), JSON.stringify(cached));
    expect(readRunWarnings(entry(), identify(prog))).toBeUndefined();
  });

  test("a run while another run's fill goes on starts no second one; a claim left by a killed fill is taken over after ten minutes", async () => {
    const { prog, env, entry } = setup();
    const claim = `${entry()}.filling`;
    mkdirSync(join(claim, ".."), { recursive: true });
    writeFileSync(claim, "");
    const report = join(prog, "..", "report.json");
    const during = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--report", report, "--", prog], { env });
    expect(during.stdout).toContain("1 + 2 = 3");
    // A fill started would be running still, or done and written.
    expect(fillsRunning(prog)).toEqual([]);
    expect(existsSync(entry())).toBe(false);
    expect(existsSync(claim)).toBe(true);
    const eleven = Date.now() / 1000 - 11 * 60;
    utimesSync(claim, eleven, eleven);
    const after = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--report", report, "--", prog], { env });
    expect(after.stdout).toContain("1 + 2 = 3");
    while (existsSync(claim) || !existsSync(entry())) await Bun.sleep(50);
    expect(readRunWarnings(entry(), identify(prog))?.denied).toHaveLength(1);
  });

  test("a fill whose claim holds no profile it can read fails and releases the claim: the next run's fill writes the entry", async () => {
    const { prog, env, entry } = setup();
    const claim = `${entry()}.filling`;
    mkdirSync(join(claim, ".."), { recursive: true });
    writeFileSync(claim, "{ not json");
    const fill = await runGomodjail([CACHE_COMMAND, prog, entry()], { env });
    expect(fill.exitCode).not.toBe(0);
    expect(existsSync(claim)).toBe(false);
    expect(existsSync(entry())).toBe(false);
    const next = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--report", join(prog, "..", "report.json"), "--", prog], { env });
    expect(next.stdout).toContain("1 + 2 = 3");
    while (existsSync(claim) || !existsSync(entry())) await Bun.sleep(50);
    expect(readRunWarnings(entry(), identify(prog))?.denied).toHaveLength(1);
  });

  test("a program that goes on running gets its cache filled meanwhile, by a process in the idle scheduling class", async () => {
    const dir = mkdtempSync(join(tmpdir(), "denied-reaches-"));
    const prog = join(dir, "app");
    copyFileSync(goBuild({ dir: join(repoRoot, "test/fixtures/jail/app") }), prog);
    const goMod = join(repoRoot, "test/fixtures/jail/app/go.mod");
    const env = { XDG_CACHE_HOME: join(dir, "cache"), GOMODJAIL_ANALYSIS: "on" };
    const watched = startGomodjail(["run", `--go-mod=${goMod}`, "--", prog, "echo"], { stdin: "pipe", env });
    const proc = watched.proc as Bun.Subprocess<"pipe", "pipe", "pipe">;
    await watched.until("ready\n");
    let fills: number[] = [];
    while ((fills = fillsRunning(prog)).length === 0) await Bun.sleep(5);
    // /proc/PID/stat's 41st field, the scheduling policy (after the command, in parentheses): 5 is SCHED_IDLE.
    const policy = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[38]);
    // The run moves the fill as soon as Bun.spawn returns it, which can be after its exec shows
    // it here: seen until it is moved (a fill takes far longer than that to end).
    let seen = policy(fills[0]!);
    while (seen !== 5 && fillsRunning(prog).includes(fills[0]!)) seen = policy(fills[0]!);
    expect(seen).toBe(5);
    expect(proc.exitCode).toBeNull();
    proc.stdin.end();
    expect(await proc.exited).toBe(0);
  });

  test("GOMODJAIL_ANALYSIS=off: no background analysis, no warning", async () => {
    const { prog, env, entry } = setup();
    await fillCache(prog, env, entry());
    const r = await runGomodjail(["run", `--go-mod=${victimGoMod}`, "--", prog], { env: { ...env, GOMODJAIL_ANALYSIS: "off" } });
    expect(warnings(r.stderr)).toEqual([]);
  });
});
