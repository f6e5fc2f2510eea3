// The real-program benchmark (issue 24, item 6): third-party Go programs from Debian and npm
// (bench/real-programs/programs.ts), each running one short command, natively, under gomodjail
// with an empty cache and with a warm one, and under the original gomodjail (v0.3.2, built from
// its source by scripts/build-original.sh), side by side in one run, with the bench's hello world
// as the yardstick. Prints medians, the judged stops per run, the time to the program's first
// instruction, the tracer's peak RSS, the cost of one stop, the minimal tracer's floor and the
// floor of gomodjail's shape (Bun with a Worker, bench/shape-floor.ts), all measured in this run,
// then the issue's targets met or missed, and the start-up timeline of the largest program.
//
//   scripts/install-bench-programs.sh && scripts/build-original.sh     (once, as root)
//   make && node_modules/.bin/bun run bench/real-programs.ts [--rounds=N] [--only=ID,...]
//       [--gomodjail=BIN] [--original=BIN]
//
// No figure from here belongs in a test: compare only figures taken side by side in one run.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CACHE_COMMAND } from "../src/session/cache-command.ts";
import { goBuild, goCommand, goToolchains, repoRoot } from "../test/helpers/gobuild.ts";
import { floorLine, measureFloor } from "./floor.ts";
import { measureShapeFloor } from "./shape-floor.ts";
import { fmtMB, markdownTable, median, reportedLoopMs, runOnce, straceTotalCalls } from "./measure.ts";
import { prepare, type RealProgram } from "./real-programs/programs.ts";
import { straceTraceExpression } from "./trapped-set.ts";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "9" },
    only: { type: "string" },
    gomodjail: { type: "string" },
    original: { type: "string" },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${flags.rounds}`);
const gomodjail = resolve(flags.gomodjail ?? join(repoRoot, "_output/bin/gomodjail"));
if (!existsSync(gomodjail)) throw new Error(`${gomodjail} is missing: run \`make\` first`);
const ORIGINAL_TAG = "v0.3.2";
const original = resolve(flags.original ?? join(repoRoot, `.cache/original/gomodjail-${ORIGINAL_TAG}`));
/** Why the original's column is empty, when it is. */
const originalMissing = existsSync(original)
  ? undefined
  : `${original} is not built: scripts/build-original.sh builds it (as root, from git clones of AkihiroSuda/gomodjail ${ORIGINAL_TAG}, gomoddirectivecomments, gosocialcheck and elastic/go-seccomp-bpf under $ORIGINAL_GIT_DIRS, and Debian forky's golang-*-dev packages)`;

const progress = (msg: string) => process.stderr.write(`${msg}\n`);
const newestGo = goToolchains().at(-1);
if (!newestGo) throw new Error("no Go toolchain under /usr/lib/go-* (scripts/install-go.sh)");
const goVersion: string = newestGo;

type Mode = "native" | "cold" | "warm" | "original";
const MODES: readonly Mode[] = ["native", "cold", "warm", "original"];

/** A program of the bench (hello world among the real ones), and the policy the original runs it under. */
interface Subject extends RealProgram {
  /** The go.mod the original runs under (the same, where it can read it). */
  originalProfile: string;
}

// ---- setup

const work = mkdtempSync(join(tmpdir(), "gomodjail-bench-real-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

progress("building the bench programs and preparing the real programs' state...");
const programsDir = join(repoRoot, "bench/programs");
const build = (pkg: string) => goBuild({ dir: programsDir, pkg, go: goVersion });
const hello = build("./hello");
const loops = build("./loops");
const mintracer = build("./mintracer");
const benchProfile = join(programsDir, "go.mod");

/**
 * The original has no capability classes: a module learn confined with `allow=CLASSES` would be
 * confined outright there and the program would fail, so it runs under the same go.mod with such
 * modules unconfined (the nearest policy it can express).
 */
function originalProfileOf(id: string, profile: string): string {
  const text = readFileSync(profile, "utf8");
  if (!/gomodjail:confined allow=/.test(text)) return profile;
  const out = join(work, `${id}.original.go.mod`);
  writeFileSync(out, text.replace(/\/\/ gomodjail:confined allow=\S+/g, "// gomodjail:unconfined"));
  return out;
}

const only = flags.only?.split(",");
const real = prepare(work).filter((p) => !only || only.includes(p.id));
const subject = (p: Pick<RealProgram, "id" | "binary" | "argv" | "env" | "profile"> & { source: string }): Subject => ({
  ...p,
  originalProfile: originalProfileOf(p.id, p.profile),
});
const subjects: Subject[] = [
  subject({ id: "hello", source: `bench/programs/hello, Go ${goVersion}`, binary: hello, argv: [hello], env: {}, profile: benchProfile }),
  ...real.map(subject),
];

interface BuildFacts {
  size: number;
  go: string;
  cgo: boolean;
}
function buildFacts(binary: string): BuildFacts {
  const r = Bun.spawnSync([goCommand(goVersion), "version", "-m", binary], { stdout: "pipe" });
  const text = r.stdout.toString();
  return {
    size: statSync(binary).size,
    go: /:\s+go(\S+)/.exec(text)?.[1] ?? "?",
    cgo: /CGO_ENABLED=1/.test(text),
  };
}

const warmCache = (s: Subject) => join(work, "xdg-warm", s.id);
const nativeCache = join(work, "xdg-native");
mkdirSync(nativeCache, { recursive: true });

/**
 * The processes gomodjail left behind to fill a cache of this run's (a run starts one, at the
 * lowest priority, where the cache lacks its binary's entry, and does not wait for it): their
 * pids, found by their command and their XDG_CACHE_HOME under this run's directory.
 */
function cacheFillers(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Any gomodjail's hidden cache command: a --gomodjail=BIN of another commit may name it otherwise.
      if (!readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").some((a) => a.startsWith("__cache-"))) continue;
      if (readFileSync(`/proc/${name}/environ`, "utf8").split("\0").some((e) => e.startsWith(`XDG_CACHE_HOME=${work}/`))) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

const FILL_WAIT_MS = 300_000;

/** Waits until no cache filler of this run is left, so that none competes with the next run; the ms waited. */
async function awaitCacheFill(): Promise<number> {
  const start = performance.now();
  if (cacheFillers().length === 0) return 0;
  while (cacheFillers().length > 0) {
    if (performance.now() - start > FILL_WAIT_MS) {
      // Starved at the lowest priority on a busy machine: go on, and say so.
      progress(`gomodjail's ${CACHE_COMMAND} still runs after ${FILL_WAIT_MS / 1000} s; not waiting longer`);
      return Number.POSITIVE_INFINITY;
    }
    await Bun.sleep(5);
  }
  return performance.now() - start;
}

interface Prepared {
  argv: string[];
  env: Record<string, string | undefined>;
  cleanup: () => void;
}

function prepared(s: Subject, mode: Mode | "debug-cold" | "debug-warm"): Prepared {
  const env: Record<string, string | undefined> = { ...process.env, ...s.env, XDG_CACHE_HOME: nativeCache };
  let cleanup = () => {};
  if (mode === "cold" || mode === "debug-cold") {
    const dir = mkdtempSync(join(work, "xdg-cold-"));
    env.XDG_CACHE_HOME = dir;
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else if (mode === "warm" || mode === "debug-warm") {
    env.XDG_CACHE_HOME = warmCache(s);
  }
  const jailed = (debug: boolean) => [gomodjail, ...(debug ? ["--debug"] : []), "run", `--go-mod=${s.profile}`, "--", ...s.argv];
  switch (mode) {
    case "native":
      return { argv: s.argv, env, cleanup };
    case "cold":
    case "warm":
      return { argv: jailed(false), env, cleanup };
    case "debug-cold":
    case "debug-warm":
      return { argv: jailed(true), env, cleanup };
    case "original":
      return { argv: [original, "run", `--go-mod=${s.originalProfile}`, "--", ...s.argv], env, cleanup };
  }
}

/** A --debug run: the judged stops (allow and block decisions), the creation breakpoint's hits and the start-up moments. */
async function debugRun(s: Subject, mode: "debug-cold" | "debug-warm"): Promise<{ stops: number; creations: number; moments: Map<string, number>; exitCode: number }> {
  const run = prepared(s, mode);
  try {
    const proc = Bun.spawn(run.argv, { env: run.env, cwd: work, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    let stops = 0;
    let creations = 0;
    const moments = new Map<string, number>();
    for (const line of stderr.split("\n")) {
      if (/^level=DEBUG msg=(allow|block) /.test(line)) stops++;
      else if (line.startsWith("level=DEBUG msg=stops ")) creations += Number(/ creations=(\d+)/.exec(line)?.[1] ?? 0);
      else if (line.includes('msg="start-up (ms since Bun started)"')) {
        for (const [, name, ms] of line.matchAll(/ (\w+)=([\d.]+)/g)) moments.set(name!, Number(ms));
      }
    }
    await awaitCacheFill();
    return { stops, creations, moments, exitCode };
  } finally {
    run.cleanup();
  }
}

interface Row {
  s: Subject;
  facts: BuildFacts;
  ms: Record<Mode, number[]>;
  failed: Partial<Record<Mode, string>>;
  stops: { cold: number[]; warm: number[] };
  /** The creation breakpoint's hits (one per goroutine started), per --debug run. */
  creations: { cold: number[]; warm: number[] };
  moments: { cold: Map<string, number[]>; warm: Map<string, number[]> };
  peakRss: number | undefined;
  nativeExit: number | undefined;
  /** ms from a jailed run's exit until the cache fill it started was done (none: 0), per mode. */
  fill: { cold: number[]; warm: number[] };
}

const rows: Row[] = subjects.map((s) => ({
  s,
  facts: buildFacts(s.binary),
  ms: { native: [], cold: [], warm: [], original: [] },
  failed: originalMissing ? { original: "not built" } : {},
  stops: { cold: [], warm: [] },
  creations: { cold: [], warm: [] },
  moments: { cold: new Map(), warm: new Map() },
  peakRss: undefined,
  nativeExit: undefined,
  fill: { cold: [], warm: [] },
}));

// One run of each program natively (fastly, depot and sst write their config on the first run),
// and one under gomodjail into the warm cache.
progress("warming up...");
for (const r of rows) {
  const native = prepared(r.s, "native");
  r.nativeExit = (await runOnce(native.argv, { env: native.env, cwd: work })).exitCode;
  mkdirSync(warmCache(r.s), { recursive: true });
  const warm = prepared(r.s, "warm");
  await runOnce(warm.argv, { env: warm.env, cwd: work });
  await awaitCacheFill();
}

// ---- the cost of one judged stop, in this run: bench/programs/loops shallow (open+close from
// main, every open judged under the bench profile), jailed minus native, per trapped call.
const STOP_LOOP = 5000;
async function stopCost(): Promise<{ us: number; trapped: number }> {
  const argv = (n: number) => [loops, "shallow", `-n=${n}`, `-file=${loops}`];
  const summary = join(work, "strace-count.txt");
  const count = async (n: number) => {
    await runOnce(["strace", "-f", "-qq", "--seccomp-bpf", "-c", "-e", straceTraceExpression(), "-o", summary, ...argv(n)]);
    return straceTotalCalls(readFileSync(summary, "utf8"));
  };
  const trapped = (await count(STOP_LOOP)) - (await count(0));
  const native: number[] = [];
  const jailed: number[] = [];
  for (let i = 0; i < rounds; i++) {
    native.push(reportedLoopMs((await runOnce(argv(STOP_LOOP))).stdout) ?? Number.NaN);
    jailed.push(reportedLoopMs((await runOnce([gomodjail, "run", `--go-mod=${benchProfile}`, "--", ...argv(STOP_LOOP)])).stdout) ?? Number.NaN);
  }
  return { us: ((median(jailed) - median(native)) * 1000) / trapped, trapped };
}

// ---- the rounds

const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  progress(`round ${round + 1} of ${rounds}...`);
  // Rotate both the programs and the modes, so that drift on a noisy machine favours nothing.
  const order = rows.map((_, i) => rows[(i + round) % rows.length]!);
  for (const r of order) {
    const modes = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
    for (const mode of modes) {
      if (r.failed[mode]) continue;
      const run = prepared(r.s, mode);
      try {
        const res = await runOnce(run.argv, { env: run.env, cwd: work, sampleRss: mode === "cold" || mode === "warm" });
        if (mode === "cold" || mode === "warm") {
          if (res.peakRss !== undefined) r.peakRss = Math.max(r.peakRss ?? 0, res.peakRss);
          r.fill[mode].push(await awaitCacheFill());
        }
        if (res.exitCode !== r.nativeExit) {
          const tail = res.stderrTail.trim().split("\n").slice(-2).join(" | ");
          r.failed[mode] = `exit ${res.exitCode}, natively ${r.nativeExit}: ${tail.slice(0, 400)}`;
          continue;
        }
        r.ms[mode].push(res.wallMs);
      } finally {
        run.cleanup();
      }
    }
    // Alternately first: a cold run leaves a cache fill, awaited before the next run, and in both
    // runs of 2026-12-07 the warm --debug runs, each right after such a fill, reached every
    // start-up moment 1.5-4 ms later than the cold ones (the timed warm runs were not slower).
    for (const cache of round % 2 === 0 ? (["cold", "warm"] as const) : (["warm", "cold"] as const)) {
      const d = await debugRun(r.s, cache === "cold" ? "debug-cold" : "debug-warm");
      if (d.exitCode !== r.nativeExit) continue;
      r.stops[cache].push(d.stops);
      r.creations[cache].push(d.creations);
      for (const [name, ms] of d.moments) {
        if (!r.moments[cache].has(name)) r.moments[cache].set(name, []);
        r.moments[cache].get(name)!.push(ms);
      }
    }
  }
}
progress("the cost of one stop (bench/programs/loops shallow)...");
const stop = await stopCost();
progress("the minimal tracer (bench/programs/mintracer)...");
const floor = measureFloor(mintracer);
progress("the floor of the shape (bench/shape-floor)...");
const shape = await measureShapeFloor(work, 3 * rounds);

// ---- report

/** The moment the program's first instruction runs after: its filter and the creation breakpoint are in, the tracer lets it go. */
const FIRST_INSTRUCTION = "program_released";
const med = (r: Row, m: Mode) => median(r.ms[m]);
const overhead = (r: Row, m: Mode) => med(r, m) - med(r, "native");
const firstInstruction = (r: Row, cache: "cold" | "warm") => median(r.moments[cache].get(FIRST_INSTRUCTION) ?? []);
const stopsOf = (r: Row, cache: "cold" | "warm") => median(r.stops[cache]);
const creationsOf = (r: Row, cache: "cold" | "warm") => median(r.creations[cache]);
const helloRow = rows[0]!;

const fmtMs = (ms: number): string => (ms === Number.POSITIVE_INFINITY ? `> ${FILL_WAIT_MS / 1000} s` : !Number.isFinite(ms) ? "—" : ms >= 100 ? `${ms.toFixed(0)}` : `${ms.toFixed(1)}`);


function timeCell(r: Row, m: Mode): string {
  if (m === "original" && originalMissing) return "—";
  if (r.failed[m]) return "FAILED";
  if (m === "native") return fmtMs(med(r, m));
  return `${fmtMs(med(r, m))} (+${fmtMs(overhead(r, m))})`;
}

const vsHello = (r: Row, m: "cold" | "warm") => (r.failed[m] || helloRow.failed[m] ? "—" : `${(overhead(r, m) / overhead(helloRow, m)).toFixed(2)}×`);

const timeTable = markdownTable(
  ["program", "size", "Go", "native ms", "gomodjail cold ms", "gomodjail warm ms", `original ${ORIGINAL_TAG} ms`, "overhead ÷ hello's (cold / warm)"],
  rows.map((r) => [
    `${r.s.id}${r.facts.cgo ? " (cgo)" : ""}`,
    `${(r.facts.size / 2 ** 20).toFixed(1)} MB`,
    r.facts.go,
    timeCell(r, "native"),
    timeCell(r, "cold"),
    timeCell(r, "warm"),
    timeCell(r, "original"),
    `${vsHello(r, "cold")} / ${vsHello(r, "warm")}`,
  ]),
);

const stopsTable = markdownTable(
  ["program", "source", "judged stops per run", "creation stops per run", "first instruction, cold / warm (ms since start)", "÷ hello's", "tracer peak RSS", "cache fill after exit, cold / warm (ms)"],
  rows.map((r) => [
    r.s.id,
    r.s.source,
    `${stopsOf(r, "cold")}${stopsOf(r, "cold") !== stopsOf(r, "warm") ? ` / ${stopsOf(r, "warm")}` : ""}`,
    `${creationsOf(r, "cold")}${creationsOf(r, "cold") !== creationsOf(r, "warm") ? ` / ${creationsOf(r, "warm")}` : ""}`,
    `${fmtMs(firstInstruction(r, "cold"))} / ${fmtMs(firstInstruction(r, "warm"))}`,
    `${(firstInstruction(r, "cold") / firstInstruction(helloRow, "cold")).toFixed(2)}× / ${(firstInstruction(r, "warm") / firstInstruction(helloRow, "warm")).toFixed(2)}×`,
    fmtMB(r.peakRss),
    `${fmtMs(median(r.fill.cold))} / ${fmtMs(median(r.fill.warm))}`,
  ]),
);

interface Check {
  target: string;
  measured: string;
  met: boolean | undefined;
}
function targets(): Check[] {
  const checks: Check[] = [];
  const check = (target: string, met: boolean | undefined, measured: string) => checks.push({ target, met, measured });
  const origHello = !originalMissing && !helloRow.failed.original ? overhead(helloRow, "original") : undefined;
  for (const cache of ["cold", "warm"] as const) {
    const h = overhead(helloRow, cache);
    check(
      `hello world (${cache}): overhead ≤ the original's`,
      origHello === undefined ? undefined : h <= origHello,
      `+${fmtMs(h)} ms${origHello === undefined ? ` (original: ${originalMissing ? "not built" : "failed"})` : ` against +${fmtMs(origHello)} ms`}` +
        (typeof shape === "string" ? "" : `; Bun and a Worker alone: +${fmtMs(shape.workerMs - med(helloRow, "native"))} ms over the native hello world`),
    );
  }
  for (const r of rows.slice(1)) {
    for (const cache of ["cold", "warm"] as const) {
      const fi = firstInstruction(r, cache);
      const hfi = firstInstruction(helloRow, cache);
      check(`${r.s.id} (${cache}): first instruction ≤ 1.2 × hello's`, Number.isFinite(fi) ? fi <= 1.2 * hfi : undefined, `${fmtMs(fi)} ms against ${fmtMs(hfi)} ms`);
      if (r.failed[cache]) {
        check(`${r.s.id} (${cache}): runs as natively`, false, r.failed[cache]!);
        continue;
      }
      // A creation stop (one per goroutine started) costs about what a judged one does (bench/README.md).
      const stops = stopsOf(r, cache) + creationsOf(r, cache);
      const budget = 1.2 * overhead(helloRow, cache) + (stops * stop.us) / 1000;
      check(
        `${r.s.id} (${cache}): overhead ≤ 1.2 × hello's + stops × ${stop.us.toFixed(1)} µs`,
        overhead(r, cache) <= budget,
        `+${fmtMs(overhead(r, cache))} ms against ${fmtMs(budget)} ms (${stopsOf(r, cache)} judged + ${creationsOf(r, cache)} creation stops)`,
      );
      const o = originalMissing || r.failed.original ? undefined : med(r, "original");
      check(`${r.s.id} (${cache}): no slower than the original`, o === undefined ? undefined : med(r, cache) <= o, `${fmtMs(med(r, cache))} ms against ${o === undefined ? (originalMissing ? "not built" : "failed") : `${fmtMs(o)} ms`}`);
    }
  }
  const largest = [...rows].sort((a, b) => b.facts.size - a.facts.size)[0]!;
  check(`tracer peak RSS on the largest (${largest.s.id}) ≤ 120 MB`, largest.peakRss === undefined ? undefined : largest.peakRss <= 120 * 2 ** 20, fmtMB(largest.peakRss));
  return checks;
}

function timeline(r: Row): string {
  const names = [...new Set([...r.moments.cold.keys(), ...r.moments.warm.keys()])];
  const at = (cache: "cold" | "warm", n: string) => median(r.moments[cache].get(n) ?? []);
  names.sort((a, b) => (at("warm", a) || at("cold", a)) - (at("warm", b) || at("cold", b)));
  const hello = (cache: "cold" | "warm", n: string) => median(helloRow.moments[cache].get(n) ?? []);
  return markdownTable(
    ["moment", "cold ms", "warm ms", "hello world (warm) ms"],
    names.map((n) => [n, fmtMs(at("cold", n)), fmtMs(at("warm", n)), fmtMs(hello("warm", n))]),
  );
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
console.log(`gomodjail real-program bench, ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} CPUs, Linux ${kernel}, Bun ${Bun.version}`);
console.log(`gomodjail: ${gomodjail}; original: ${originalMissing ? "not built" : original}`);
console.log(`Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`);
console.log(
  `Medians of ${rounds} rounds, programs and modes interleaved (order rotated each round), spawn to exit. ` +
    `cold: an empty XDG_CACHE_HOME for each run; warm: one kept per program (filled by a run before the rounds). ` +
    `Each runs under the go.mod beside bench/real-programs/programs.ts, written by gomodjail learn; the original under the same ` +
    `with the modules learn confined with allow= classes unconfined (it has no classes).`,
);
console.log();
console.log(timeTable);
console.log();
console.log(
  `Judged stops: the tracer's allow and block decisions in a --debug run (medians; one --debug run per round and cache, not timed); ` +
    `creation stops: the creation breakpoint's hits, one per goroutine started (the run's "stops" record). ` +
    `First instruction: the start-up timeline's ${FIRST_INSTRUCTION} (src/timeline.ts), ms since the tool's JavaScript started. ` +
    `Tracer peak RSS: gomodjail's own VmHWM, sampled every 10 ms, the most of any run. ` +
    `Cache fill: a run whose cache lacks its binary leaves a lowest-priority process (${CACHE_COMMAND}) filling it after the program exits; ` +
    `the bench waits for it before the next run (so that it competes with none) and shows how long it went on (0: none was left).`,
);
console.log();
console.log(stopsTable);
console.log();
console.log(
  `One judged stop in this run: ${stop.us.toFixed(1)} µs (bench/programs/loops shallow, ${STOP_LOOP} open+close from main under bench/programs/go.mod: ` +
    `jailed minus native loop time over ${stop.trapped} trapped calls counted by strace -c).`,
);
console.log(floorLine(floor));
console.log(
  typeof shape === "string"
    ? `The shape's floor (bench/shape-floor): not measured: ${shape}.`
    : `The shape's floor in this run (bench/shape-floor, compiled as the Makefile compiles gomodjail, ${3 * rounds} runs each): ` +
        `a Bun hello world ${fmtMs(shape.bunHelloMs)} ms, a Bun program that starts a Worker and ends when it answers ${fmtMs(shape.workerMs)} ms, ` +
        `spawn to exit; the Go hello world natively ${fmtMs(med(helloRow, "native"))} ms, under the original ${fmtMs(med(helloRow, "original"))} ms.`,
);
if (originalMissing) console.log(`Original: no column: ${originalMissing}.`);
for (const r of rows) for (const [mode, why] of Object.entries(r.failed)) if (!(mode === "original" && originalMissing)) console.log(`FAILED: ${r.s.id} under ${mode}: ${why}`);
console.log();
console.log("Targets (issue 24):");
for (const c of targets()) console.log(`  ${c.met === undefined ? "??" : c.met ? "ok" : "MISSED"}  ${c.target}: ${c.measured}`);
console.log();
const largest = [...rows].sort((a, b) => b.facts.size - a.facts.size)[0]!;
console.log(`Start-up timeline of the largest program, ${largest.s.id} (${(largest.facts.size / 2 ** 20).toFixed(1)} MB), ms since the tool's JavaScript started, medians:`);
console.log(timeline(largest));
