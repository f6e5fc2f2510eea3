// How the npm package's command starts next to the single-file binary: `gomodjail --version` from
// _output/bin/gomodjail and from node_modules/.bin/gomodjail as npm installs the packages that
// scripts/build-npm.ts makes with that same binary (the platform package's file, put in place of
// the bin script by the install script), interleaved, medians of N. For context, not for the
// target: the bin script where no install script ran (`bun x`'s install, npm --ignore-scripts: sh
// execs the binary), Bun running the bundle where no platform package is installed, and `bun x` and
// `npx` themselves, whose own start is Bun's and Node's. Target: the installed bin within 5 ms of
// the single binary.
//
//   make && node_modules/.bin/bun run bench/npm-bin.ts [--runs=N] [--gomodjail=BIN]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildNpmPackages, hostArch, installBuilt } from "../scripts/build-npm.ts";
import { repoRoot } from "../test/helpers/gobuild.ts";
import { median, runOnce } from "./measure.ts";

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "20" }, gomodjail: { type: "string" } } });
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${flags.runs}`);
const single = flags.gomodjail ?? join(repoRoot, "_output/bin/gomodjail");
if (!existsSync(single)) throw new Error(`${single} is missing: run \`make\` first`);
const bun = join(repoRoot, "node_modules/.bin/bun");

const dir = mkdtempSync(join(tmpdir(), "gomodjail-bench-npm-bin-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
process.stderr.write("building and installing the npm packages...\n");
const built = buildNpmPackages({ out: join(dir, "packages"), arches: [hostArch], binaries: { [hostArch]: single }, pack: true });
const install = (name: string, npmFlags: string[]) => {
  const app = join(dir, name);
  mkdirSync(app);
  installBuilt(built, app, npmFlags);
  return app;
};
const app = install("app", []);
const noScripts = install("no-scripts", ["--ignore-scripts"]);
const noBinary = install("no-binary", ["--omit=optional"]);

const systemPath = "/usr/bin:/bin";
const pathWithBun = `${join(repoRoot, "node_modules/.bin")}:${systemPath}`;
interface Row {
  title: string;
  argv: string[];
  cwd: string;
  path: string;
}
const rows: Row[] = [
  { title: "single binary (_output/bin/gomodjail)", argv: [single], cwd: app, path: systemPath },
  { title: "npm's bin, installed (node_modules/.bin/gomodjail)", argv: [join(app, "node_modules/.bin/gomodjail")], cwd: app, path: systemPath },
  { title: "npm's bin where no install script ran (sh execs it)", argv: [join(noScripts, "node_modules/.bin/gomodjail")], cwd: noScripts, path: systemPath },
  { title: "npm's bin without a platform package (Bun, bundle)", argv: [join(noBinary, "node_modules/.bin/gomodjail")], cwd: noBinary, path: pathWithBun },
  { title: "bun x gomodjail (Bun's start, then the bin)", argv: [bun, "x", "gomodjail"], cwd: app, path: systemPath },
];
// npx takes a second to start (npm's own code): measured apart, after, a few runs, so that the
// rounds above stay short.
const npx: Row = { title: "npx gomodjail (npm's own start, then the bin)", argv: ["npx", "--no-install", "gomodjail"], cwd: app, path: systemPath };
const npxRuns = Math.min(runs, 5);

async function time(row: Row): Promise<number> {
  const r = await runOnce([...row.argv, "--version"], { cwd: row.cwd, env: { PATH: row.path, HOME: dir, npm_config_update_notifier: "false" } });
  if (r.exitCode !== 0 || !r.stdout.startsWith("gomodjail version ")) throw new Error(`${row.title}: exit ${r.exitCode}:\n${r.stdout}${r.stderrTail}`);
  return r.wallMs;
}

const times = rows.map(() => [] as number[]);
for (let i = 0; i < runs + 1; i++) {
  // The first round warms the page cache; the order rotates every round.
  for (let k = 0; k < rows.length; k++) {
    const j = (i + k) % rows.length;
    const ms = await time(rows[j]!);
    if (i > 0) times[j]!.push(ms);
  }
}
const npxTimes: number[] = [];
for (let i = 0; i < npxRuns + 1; i++) {
  const ms = await time(npx);
  if (i > 0) npxTimes.push(ms);
}

const medians = times.map(median);
const line = (title: string, ms: number[], m: number, over: boolean) =>
  `  ${title.padEnd(56)} ${m.toFixed(1).padStart(7)}  min ${Math.min(...ms).toFixed(1).padStart(6)}${over ? `  (${m - medians[0]! >= 0 ? "+" : ""}${(m - medians[0]!).toFixed(1)})` : ""}`;
console.log(`gomodjail --version, spawn to exit, ms: medians of ${runs} interleaved runs (npx: of ${npxRuns}, after):`);
for (const [j, row] of rows.entries()) console.log(line(row.title, times[j]!, medians[j]!, j > 0));
console.log(line(npx.title, npxTimes, median(npxTimes), true));
const gap = medians[1]! - medians[0]!;
console.log(`${gap <= 5 ? "  ok" : "MISS"}  the installed npm bin within 5 ms of the single binary: ${gap >= 0 ? "+" : ""}${gap.toFixed(1)} ms`);
