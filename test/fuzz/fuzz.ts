// The fuzzer's command line. A long run:
//
//   node_modules/.bin/bun test/fuzz/fuzz.ts --iterations 200000
//
// runs the inputs in a child process under a watchdog: an input that runs for --hang-seconds
// without returning is killed and reported as a hang, one that kills the process (out of memory,
// a crash) as a crash, and the run goes on from the next input. Any failure prints the seed, the
// target and the input number; make that input again, in this process, with
//
//   node_modules/.bin/bun test/fuzz/fuzz.ts --seed S --target NAME --input N
//
// which prints the input's mutations and the full stack of what it threw. Exit status 1 when
// any input failed. Other options: --targets gomod,elf,buildinfo,pclntab,modules,inspect,
// --binaries quick (three corpus builds instead of every toolchain and variant, compile and the
// cached old esbuild releases), --time-budget-ms (an input slower than this fails; 2000),
// --max-rss-mb (4096), --hang-seconds (60), --in-process (no watchdog) with --refusals (the
// commonest typed errors per target: which checks the mutations reach).
import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { emptyStats, type Failure, formatFailure, formatStats, runFuzz, type TargetStats } from "./engine.ts";
import { Random } from "./random.ts";
import { allBinaries, goModSeeds, loadBinaries, quickBinaries } from "./seeds.ts";
import { makeTargets, onRefusal, TARGET_NAMES, type TargetName } from "./targets.ts";

const { values: args } = parseArgs({
  options: {
    iterations: { type: "string", default: "20000" },
    seed: { type: "string", default: "1" },
    targets: { type: "string", default: TARGET_NAMES.join(",") },
    binaries: { type: "string", default: "all" },
    "time-budget-ms": { type: "string", default: "2000" },
    "max-rss-mb": { type: "string", default: "4096" },
    "hang-seconds": { type: "string", default: "60" },
    target: { type: "string" },
    input: { type: "string" },
    "in-process": { type: "boolean", default: false },
    // With --in-process: the commonest typed errors per target, to see which checks the mutations reach.
    refusals: { type: "boolean", default: false },
    // Internal: the child of a supervised run, and where it starts.
    child: { type: "boolean", default: false },
    start: { type: "string", default: "0" },
  },
});

const seed = Number(args.seed);
const end = Number(args.iterations);
const names = args.targets.split(",") as TargetName[];
for (const n of names) if (!TARGET_NAMES.includes(n)) throw new Error(`unknown target ${n} (targets: ${TARGET_NAMES.join(", ")})`);
const timeBudgetMs = Number(args["time-budget-ms"]);
const maxRssBytes = Number(args["max-rss-mb"]) * 2 ** 20;

function setup() {
  const binaries = loadBinaries(args.binaries === "quick" ? quickBinaries() : allBinaries());
  const goMods = goModSeeds();
  return { binaries, goMods, targets: makeTargets(names, binaries, goMods) };
}

const out = (line: string): void => {
  writeSync(1, `${line}\n`);
};

if (args.input !== undefined) {
  // Make one input again and show everything about it.
  const { targets } = setup();
  const target = targets.find((t) => t.name === args.target);
  if (!target) throw new Error(`--input needs --target (one of ${names.join(", ")})`);
  const input = Number(args.input);
  const notes: string[] = [];
  try {
    const outcome = target.run(new Random(seed, target.name, input), notes);
    out(`input: ${notes.join("; ")}\noutcome: ${outcome}`);
  } catch (e) {
    out(`input: ${notes.join("; ")}`);
    throw e;
  } finally {
    for (const t of targets) t.close?.();
  }
} else if (args.child || args["in-process"]) {
  const { targets, binaries } = setup();
  const child = args.child;
  if (!child) out(`seed ${seed}, ${end} inputs over ${targets.map((t) => t.name).join(", ")}; binaries: ${binaries.map((b) => b.label).join(", ")}`);
  const t0 = performance.now();
  const refusals = new Map<string, Map<string, number>>(targets.map((t) => [t.name, new Map()]));
  let running = "";
  if (args.refusals) {
    onRefusal((e) => {
      // Numbers and the file name differ from input to input; the check that refused does not.
      const reason = e.message.replace(/^[^:]*: /, "").replace(/0x[0-9a-f]+|\d+/g, "N");
      const tally = refusals.get(running)!;
      tally.set(`${e.name}: ${reason}`, (tally.get(`${e.name}: ${reason}`) ?? 0) + 1);
    });
  }
  const result = await runFuzz(targets, {
    seed,
    start: Number(args.start),
    end,
    timeBudgetMs,
    maxRssBytes,
    onInput: (i) => {
      running = targets[i % targets.length].name;
      if (child) out(`I ${i}`);
    },
    onOutcome: child ? (_i, outcome, ms) => out(`O ${outcome} ${ms.toFixed(2)}`) : undefined,
    onFailure: (f) => (child ? out(`F ${JSON.stringify(f)}`) : out(formatFailure(f))),
  });
  for (const t of targets) t.close?.();
  if (child) {
    out(`E ${result.next}`);
  } else {
    for (const [name, tally] of refusals) {
      if (tally.size === 0) continue;
      out(`${name}: commonest typed errors`);
      for (const [reason, n] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 15)) out(`${String(n).padStart(8)}  ${reason}`);
    }
    out(`${formatStats(result.stats)}\n${((performance.now() - t0) / 1000).toFixed(1)} s`);
    process.exitCode = result.failures.length > 0 ? 1 : 0;
  }
} else {
  await supervise();
}

/** Runs the inputs in child processes, restarting after a hang or a crash, and prints the totals. */
async function supervise(): Promise<void> {
  // The same numbering as runFuzz: input i is input floor(i / T) of target i mod T.
  const order = TARGET_NAMES.filter((n) => names.includes(n));
  const targetOf = (index: number) => ({ target: order[index % order.length], input: Math.floor(index / order.length) });
  const stats = new Map<string, TargetStats>(order.map((n) => [n, emptyStats()]));
  const failures: Failure[] = [];
  const hangMs = Number(args["hang-seconds"]) * 1000;
  const t0 = performance.now();
  out(`seed ${seed}, ${end} inputs over ${order.join(", ")}`);
  let start = 0;
  while (start < end) {
    const proc = Bun.spawn(
      [process.execPath, import.meta.path, ...process.argv.slice(2).filter((a) => a !== "--child"), "--child", "--start", String(start)],
      { stdout: "pipe", stderr: "inherit" },
    );
    let current = start - 1;
    let finished: number | undefined;
    let lastProgress = performance.now();
    let lastReport = performance.now();
    let hung = false;
    const watchdog = setInterval(() => {
      // Armed from the first input on: loading the seeds may build Go programs first.
      if (current >= start && performance.now() - lastProgress > hangMs) {
        hung = true;
        proc.kill("SIGKILL");
      }
    }, Math.min(1000, hangMs));
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        lastProgress = performance.now();
        const [tag, rest] = [line.slice(0, 1), line.slice(2)];
        if (tag === "I") current = Number(rest);
        else if (tag === "O") {
          const [outcome, ms] = rest.split(" ");
          const s = stats.get(targetOf(current).target)!;
          s.inputs++;
          s.slowestMs = Math.max(s.slowestMs, Number(ms));
          if (outcome === "ok" || outcome === "rejected" || outcome === "partial") s[outcome]++;
        } else if (tag === "F") {
          const f = JSON.parse(rest) as Failure;
          failures.push(f);
          stats.get(f.target)!.failures++;
          out(formatFailure(f));
        } else if (tag === "E") finished = Number(rest);
        else out(line);
      }
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        out(`progress: ${current + 1}/${end} inputs, ${failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
    await proc.exited;
    clearInterval(watchdog);
    if (finished !== undefined) {
      start = finished;
      continue;
    }
    if (current < start) {
      out(`the fuzzer's child process failed before its first input (exit ${proc.exitCode}, signal ${proc.signalCode})`);
      process.exitCode = 2;
      return;
    }
    // The child died inside input `current`.
    const { target, input } = targetOf(current);
    const f: Failure = {
      kind: hung ? "hang" : "crash",
      target,
      seed,
      input,
      message: hung ? `no result after ${hangMs / 1000} s` : `the process died (exit ${proc.exitCode}, signal ${proc.signalCode})`,
      notes: ["make it again alone with --target and --input"],
    };
    failures.push(f);
    const s = stats.get(target)!;
    s.inputs++;
    s.failures++;
    out(formatFailure(f));
    start = current + 1;
  }
  out(`${formatStats(stats)}\n${((performance.now() - t0) / 1000).toFixed(1)} s, ${failures.length} failures`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}
