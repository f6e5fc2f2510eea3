// The performance bench (issue 6): builds the bench programs, runs each workload natively, under
// the single-file gomodjail binary (with the bench profile, and with --no-policy: stops without
// judging), and under strace stopping on the same syscalls, side by side, and prints medians,
// ratios, the cost per trapped syscall and the tracer's peak RSS, then the targets met or missed.
// Start-up also runs from the npm package (scripts/build-npm.ts's packages, with this binary as the
// platform package's, installed in a scratch directory, through its bin link, as `npx gomodjail`
// and `bun x gomodjail` run it).
//
//   make bench                                  (builds _output/bin/gomodjail first)
//   node_modules/.bin/bun run bench/run.ts [--rounds=N] [--only=shallow,deep,...] [--baseline=BIN]
//
// --baseline adds a column for another gomodjail binary (a build of an earlier commit), measured
// in the same rounds: a before/after comparison that the machine's load cannot tilt.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildNpmPackages, hostArch, installBuilt } from "../scripts/build-npm.ts";
import { goBuild, goToolchains, repoRoot } from "../test/helpers/gobuild.ts";
import { floorLine, measureFloor } from "./floor.ts";
import { fmtMB, markdownTable, median, reportedLoopMs, runOnce, straceTotalCalls, type RunResult } from "./measure.ts";
import { straceTraceExpression } from "./trapped-set.ts";
import { STARTUP_RUNS, workloads, type PreparedRun, type Workload } from "./workloads.ts";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    only: { type: "string" },
    baseline: { type: "string" },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${flags.rounds}`);

const gomodjail = join(repoRoot, "_output/bin/gomodjail");
const programsDir = join(repoRoot, "bench/programs");
const profile = join(programsDir, "go.mod");
type Mode = "native" | "gomodjail" | "npm" | "noPolicy" | "strace" | "baseline";
// Absolute: some workloads run in a directory of their own.
const baseline = flags.baseline === undefined ? undefined : resolve(flags.baseline);
if (baseline !== undefined && !existsSync(baseline)) throw new Error(`--baseline=${baseline}: no such file`);
const MODES: readonly Mode[] = ["native", "gomodjail", "npm", "noPolicy", "strace", ...(baseline ? (["baseline"] as const) : [])];
const MODE_TITLES: Record<Mode, string> = {
  native: "native",
  gomodjail: "gomodjail",
  npm: "npm package",
  noPolicy: "gomodjail --no-policy",
  strace: "strace -f --seccomp-bpf",
  baseline: "baseline gomodjail",
};

const progress = (msg: string) => process.stderr.write(`${msg}\n`);

if (!existsSync(gomodjail)) throw new Error(`${gomodjail} is missing: run \`make\` (or \`make bench\`) first`);
if (!Bun.which("strace")) throw new Error("strace is not installed (Debian package strace)");
const goVersion = goToolchains().at(-1);
if (!goVersion) throw new Error("no Go toolchain under /usr/lib/go-* (scripts/install-go.sh)");
const traceExpr = straceTraceExpression();

function command(mode: Mode, argv: string[]): string[] {
  switch (mode) {
    case "native":
      return argv;
    case "gomodjail":
      return [gomodjail, "run", `--go-mod=${profile}`, "--", ...argv];
    case "npm":
      return [npmGomodjail(), "run", `--go-mod=${profile}`, "--", ...argv];
    case "noPolicy":
      return [gomodjail, "run", "--no-policy", "--", ...argv];
    case "strace":
      return ["strace", "-f", "-qq", "--seccomp-bpf", "-e", traceExpr, "-o", "/dev/null", ...argv];
    case "baseline":
      return [baseline!, "run", `--go-mod=${profile}`, "--", ...argv];
  }
}

/** Only start-up runs from the npm package: the other rows would measure the same tracer again. */
function measured(w: Workload, mode: Mode): boolean {
  return mode !== "npm" || w.id === "startup";
}

let npmBin: string | undefined;
/** The bin link of the packages as npm installs them (built and packed once, with this binary). */
function npmGomodjail(): string {
  if (npmBin) return npmBin;
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-bench-npm-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const built = buildNpmPackages({ out: join(dir, "packages"), arches: [hostArch], binaries: { [hostArch]: gomodjail }, pack: true });
  mkdirSync(join(dir, "app"));
  installBuilt(built, join(dir, "app"));
  return (npmBin = join(dir, "app/node_modules/.bin/gomodjail"));
}

function prepared(w: Workload): PreparedRun {
  return w.prepare?.() ?? { argv: w.argv, env: process.env, cleanup: () => {} };
}

/** How many syscalls gomodjail's filter stops on in one run of argv (counted by strace -c). */
async function countTrapped(w: Workload, argv?: string[]): Promise<number> {
  const run = prepared(w);
  const summary = join(tmpdir(), `gomodjail-bench-count-${process.pid}.txt`);
  try {
    const r = await runOnce(["strace", "-f", "-qq", "--seccomp-bpf", "-c", "-e", traceExpr, "-o", summary, ...(argv ?? run.argv)], { env: run.env, cwd: w.cwd });
    if (r.exitCode !== 0 && r.exitCode !== expectedExit.get(w.id)) throw new Error(`counting run of ${w.id} failed (exit ${r.exitCode}):\n${r.stderrTail}`);
    return straceTotalCalls(readFileSync(summary, "utf8"));
  } finally {
    rmSync(summary, { force: true });
    run.cleanup();
  }
}

interface Row {
  workload: Workload;
  /** Median wall (or loop) time per mode, in ms. */
  ms: Record<Mode, number>;
  /** Median CPU time (user + system, all processes) per mode, in ms; for loops, minus an empty loop's. */
  cpuMs: Record<Mode, number>;
  failed: Partial<Record<Mode, string>>;
  trapped: number;
  peakRss: number | undefined;
}

/** Exit statuses the native program gives (gofmt -l exits 2 on the src/ tree's deliberately broken testdata). */
const expectedExit = new Map<string, number>();

const perMode = <T>(f: (m: Mode) => T): Record<Mode, T> => Object.fromEntries(MODES.map((m) => [m, f(m)])) as Record<Mode, T>;

async function measure(w: Workload): Promise<Row> {
  const times = perMode((): number[] => []);
  const cpu = perMode((): number[] => []);
  const emptyCpu = perMode((): number[] => []);
  const failed: Row["failed"] = {};
  let peakRss: number | undefined;
  const runMode = async (mode: Mode, argv?: string[]): Promise<RunResult> => {
    const run = prepared(w);
    try {
      return await runOnce(command(mode, argv ?? run.argv), { env: run.env, cwd: w.cwd, sampleRss: mode === "gomodjail" });
    } finally {
      run.cleanup();
    }
  };
  for (let round = 0; round < w.rounds; round++) {
    // Rotate the order so that drift on a noisy machine does not favour one mode.
    const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
    for (const mode of order) {
      if (failed[mode] || !measured(w, mode)) continue;
      const r = await runMode(mode);
      if (mode === "native" && !expectedExit.has(w.id)) expectedExit.set(w.id, r.exitCode);
      // The tracer's peak counts even when the traced program failed under it.
      if (mode === "gomodjail" && r.peakRss !== undefined) peakRss = Math.max(peakRss ?? 0, r.peakRss);
      const ms = w.clock === "loop" ? reportedLoopMs(r.stdout) : r.wallMs;
      if (r.exitCode !== expectedExit.get(w.id) || ms === undefined) {
        failed[mode] = `exit ${r.exitCode}, native ${expectedExit.get(w.id)}: ${r.stderrTail.trim().split("\n").slice(-3).join(" | ")}`;
        continue;
      }
      times[mode].push(ms);
      cpu[mode].push(r.cpuMs);
      // The CPU time of start-up and exit, to take out of a loop's (the loop times itself).
      if (w.emptyArgv) emptyCpu[mode].push((await runMode(mode, w.emptyArgv)).cpuMs);
    }
  }
  const trapped = (await countTrapped(w)) - (w.emptyArgv ? await countTrapped(w, w.emptyArgv) : 0);
  return {
    workload: w,
    ms: perMode((m) => median(times[m])),
    cpuMs: perMode((m) => median(cpu[m]) - (w.emptyArgv ? median(emptyCpu[m]) : 0)),
    failed,
    trapped,
    peakRss,
  };
}

// ---- formatting

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

type Metric = "ms" | "cpuMs";

function cell(row: Row, mode: Mode, metric: Metric): string {
  if (row.failed[mode]) return "FAILED";
  if (!measured(row.workload, mode)) return "—";
  const t = row[metric][mode];
  if (mode === "native") return fmtMs(t);
  return `${fmtMs(t)} (${(t / row[metric].native).toFixed(2)}×)`;
}

/** Extra µs per trapped syscall: (mode − native) / trapped calls. */
function perTrapped(row: Row, mode: Mode, metric: Metric = "ms"): number | undefined {
  if (!row.workload.perTrappedCall || row.trapped <= 0 || row.failed[mode]) return undefined;
  return ((row[metric][mode] - row[metric].native) * 1000) / row.trapped;
}

const fmtUs = (us: number | undefined): string => (us === undefined || !Number.isFinite(us) ? "—" : `${us.toFixed(1)}`);


function table(rows: Row[], metric: Metric): string {
  const traced = MODES.filter((m) => m !== "native" && m !== "npm");
  const header = ["workload", ...MODES.map((m) => MODE_TITLES[m]), "trapped calls", ...traced.map((m, i) => (i === 0 ? `µs/trapped: ${MODE_TITLES[m]}` : MODE_TITLES[m]))];
  if (metric === "ms") header.push("tracer peak RSS");
  const body = rows.map((r) => {
    const cells = [r.workload.title, ...MODES.map((m) => cell(r, m, metric)), String(r.trapped), ...traced.map((m) => fmtUs(perTrapped(r, m, metric)))];
    if (metric === "ms") cells.push(fmtMB(r.peakRss));
    return cells;
  });
  return markdownTable(header, body);
}

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

function targets(rows: Row[]): TargetCheck[] {
  const by = new Map(rows.map((r) => [r.workload.id, r]));
  const checks: TargetCheck[] = [];
  const ratio = (id: string) => {
    const r = by.get(id);
    return r && !r.failed.gomodjail ? r.ms.gomodjail / r.ms.native : undefined;
  };
  const check = (target: string, value: number | undefined, limit: number, unit: string, digits = 2, note = "") =>
    checks.push({ target, measured: value === undefined ? "not measured" : `${value.toFixed(digits)}${unit}${note}`, met: value === undefined ? undefined : value <= limit });
  const cpuNote = (id: string) => {
    const us = by.get(id) && perTrapped(by.get(id)!, "gomodjail", "cpuMs");
    return us === undefined ? "" : ` (CPU time: ${us.toFixed(1)} µs)`;
  };
  const shallow = by.get("shallow") && perTrapped(by.get("shallow")!, "gomodjail");
  const deep = by.get("deep") && perTrapped(by.get("deep")!, "gomodjail");
  if (by.has("shallow")) check("trapped, shallow: ≤ 13 µs per call (under load)", shallow, 13, " µs", 1, cpuNote("shallow"));
  if (shallow !== undefined && deep !== undefined) check("deep ≤ 1.3× shallow (per call)", deep / shallow, 1.3, "×");
  if (by.has("pipe")) check("untrapped pipe: ≤ 1.02× native", ratio("pipe"), 1.02, "×", 3);
  const getpid = by.get("getpid");
  if (getpid && !getpid.failed.strace) {
    // Any seccomp filter costs a few ns per call; the bar is another tracer's filter, side by side.
    check("untrapped getpid: no slower than under strace's filter", getpid.failed.gomodjail ? undefined : getpid.ms.gomodjail / getpid.ms.strace, 1, "× strace's", 3);
  }
  const startup = by.get("startup");
  if (startup) check("start-up: ≤ native + 15 ms", startup.failed.gomodjail ? undefined : startup.ms.gomodjail - startup.ms.native, 15, " ms over native", 1);
  if (startup) check("start-up from the npm package: ≤ native + 30 ms", startup.failed.npm ? undefined : startup.ms.npm - startup.ms.native, 30, " ms over native", 1);
  if (by.has("gofmt")) check("gofmt -l: ≤ 1.5× native", ratio("gofmt"), 1.5, "×");
  if (by.has("gobuild")) check("go build, cold cache: ≤ 1.3× native", ratio("gobuild"), 1.3, "×");
  const largest = rows.filter((r) => r.peakRss !== undefined).sort((a, b) => b.peakRss! - a.peakRss!)[0];
  if (largest) check("tracer peak RSS: ≤ 150 MB", largest.peakRss! / 2 ** 20, 150, " MB", 0, ` (${largest.workload.id})`);
  return checks;
}

// ---- main

progress("building the bench programs...");
const build = (pkg: string) => goBuild({ dir: programsDir, pkg, go: goVersion });
const programs = { loops: build("./loops"), hello: build("./hello"), walk: build("./walk"), moduleDir: programsDir, goVersion };
const mintracer = build("./mintracer");

// The profile must be in force, or every "gomodjail" figure would be an unjudged run.
const probe = await runOnce(command("gomodjail", [programs.loops, "probe", `-file=${programs.loops}`]));
if (!probe.stdout.startsWith("blocked:")) {
  throw new Error(`the bench profile ${profile} does not confine example.com/benchsandbox under ${gomodjail}:\n${probe.stdout}${probe.stderrTail}`);
}

const only = flags.only?.split(",");
const selected = workloads(programs, rounds).filter((w) => !only || only.includes(w.id));
if (only && selected.length !== only.length) throw new Error(`--only takes some of: ${workloads(programs, rounds).map((w) => w.id).join(",")}`);

const loadBefore = loadavg()[0]!;
const rows: Row[] = [];
for (const w of selected) {
  const start = performance.now();
  progress(`${w.id}: ${w.title}, ${w.rounds} rounds...`);
  rows.push(await measure(w));
  progress(`  done in ${((performance.now() - start) / 1000).toFixed(0)} s`);
}

progress("minimal tracer (bench/programs/mintracer)...");
const floor = measureFloor(mintracer);

const cpu = cpus()[0]?.model ?? "unknown CPU";
const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
console.log(`gomodjail bench, ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} CPUs, Linux ${kernel}, Bun ${Bun.version}, Go ${goVersion}`);
// Other work on the machine shows in every figure: say how busy it was.
console.log(`Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`);
console.log(
  `Medians of ${rounds} side-by-side rounds (start-up: ${STARTUP_RUNS} runs; gofmt and go build: ${Math.min(rounds, 3)}). Loops are timed by the program itself (start-up excluded); ` +
    `other rows spawn to exit. gomodjail runs under bench/programs/go.mod (confines a module that is never on the stack, so every trapped call is unwound and judged); ` +
    `--no-policy stops without judging; strace stops on the same syscalls (-o /dev/null). Trapped calls counted with strace -c.`,
);
console.log();
console.log("Time (wall clock; loops: the loop's own time):");
console.log(table(rows, "ms"));
console.log();
console.log("CPU time (user + system of every process of the run, the tracer's included; loops: minus the same program with an empty loop):");
console.log(table(rows, "cpuMs"));
console.log();
for (const r of rows) for (const [mode, why] of Object.entries(r.failed)) console.log(`FAILED: ${r.workload.id} under ${MODE_TITLES[mode as Mode]}: ${why}`);
console.log("Targets (issue 12):");
for (const c of targets(rows)) console.log(`  ${c.met === undefined ? "??" : c.met ? "ok" : "MISSED"}  ${c.target}: ${c.measured}`);
console.log(floorLine(floor));
