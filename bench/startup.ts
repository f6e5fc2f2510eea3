// Where a short jailed run's milliseconds go: runs the bench's hello world under the single-file
// binary with --debug, N times, and prints the median of each start-up moment the tool records
// (src/timeline.ts), next to the median wall time of the whole run and of the program alone.
//
//   node_modules/.bin/bun run bench/startup.ts [--runs=N] [--gomodjail=BIN]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { goBuild, goToolchains, repoRoot } from "../test/helpers/gobuild.ts";
import { median, runOnce } from "./measure.ts";

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "30" }, gomodjail: { type: "string" } } });
const runs = Number(flags.runs);
const gomodjail = flags.gomodjail ?? join(repoRoot, "_output/bin/gomodjail");
const programsDir = join(repoRoot, "bench/programs");
const hello = goBuild({ dir: programsDir, pkg: "./hello", go: goToolchains().at(-1) });
const jailed = [gomodjail, "--debug", "run", `--go-mod=${join(programsDir, "go.mod")}`, "--", hello];

const native: number[] = [];
const whole: number[] = [];
const moments = new Map<string, number[]>();
for (let i = 0; i < runs; i++) {
  native.push((await runOnce([hello])).wallMs);
  const r = await runOnce(jailed);
  whole.push(r.wallMs);
  const line = r.stderrTail.split("\n").find((l) => l.includes('msg="start-up (ms since Bun started)"'));
  if (!line) throw new Error(`no start-up record in the output of ${jailed.join(" ")}:\n${r.stderrTail}`);
  for (const [, name, ms] of line.matchAll(/ (\w+)=([\d.]+)/g)) {
    if (!moments.has(name!)) moments.set(name!, []);
    moments.get(name!)!.push(Number(ms));
  }
}

const rows = [...moments].map(([name, ms]) => [name, median(ms)] as const).sort((a, b) => a[1] - b[1]);
console.log(`Start-up of a jailed hello world (${gomodjail}), medians of ${runs} runs, ms since Bun started:`);
let previous = 0;
for (const [name, ms] of rows) {
  console.log(`  ${name.padEnd(24)} ${ms.toFixed(1).padStart(6)}   (+${(ms - previous).toFixed(1)})`);
  previous = ms;
}
console.log(`Whole run, spawn to exit: ${median(whole).toFixed(1)} ms; the program alone: ${median(native).toFixed(1)} ms.`);
