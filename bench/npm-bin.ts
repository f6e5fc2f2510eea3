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
  counted: boolean;
}
const rows: Row[] = [
  { title: "single binary (_output/bin/gomodjail)", argv: [single], cwd: app, path: systemPath, counted: true },
  { title: "npm's bin, installed (node_modules/.bin/gomodjail)", argv: [join(app, "node_modules/.bin/gomodjail")], cwd: app, path: systemPath, counted: true },
  { title: "npm's bin where no install script ran (sh execs it)", argv: [join(noScripts, "node_modules/.bin/gomodjail")], cwd: noScripts, path: systemPath, counted: false },
  { title: "npm's bin without a platform package (Bun, bundle)", argv: [join(noBinary, "node_modules/.bin/gomodjail")], cwd: noBinary, path: pathWithBun, counted: false },
  { title: "bun x gomodjail (Bun's start, then the bin)", argv: [bun, "x", "gomodjail"], cwd: app, path: systemPath, counted: false },
  { title: "npx gomodjail (Node's start, then the bin)", argv: ["npx", "--no-install", "gomodjail"], cwd: app, path: systemPath, counted: false },
];

const times = rows.map(() => [] as number[]);
for (let i = 0; i < runs + 1; i++) {
  for (const [j, row] of rows.entries()) {
    const r = await runOnce([...row.argv, "--version"], { cwd: row.cwd, env: { PATH: row.path, HOME: dir, npm_config_update_notifier: "false" } });
    if (r.exitCode !== 0 || !r.stdout.startsWith("gomodjail version ")) throw new Error(`${row.title}: exit ${r.exitCode}:\n${r.stdout}${r.stderrTail}`);
    if (i > 0) times[j]!.push(r.wallMs); // the first round warms the page cache
  }
}

const medians = times.map(median);
console.log(`gomodjail --version, spawn to exit, medians of ${runs} interleaved runs (ms):`);
for (const [j, row] of rows.entries()) {
  const over = j === 0 ? "" : `  (${medians[j]! - medians[0]! >= 0 ? "+" : ""}${(medians[j]! - medians[0]!).toFixed(1)})`;
  console.log(`  ${row.title.padEnd(56)} ${medians[j]!.toFixed(1).padStart(7)}${over}`);
}
const gap = medians[1]! - medians[0]!;
console.log(`${gap <= 5 ? "  ok" : "MISS"}  the installed npm bin within 5 ms of the single binary: ${gap >= 0 ? "+" : ""}${gap.toFixed(1)} ms`);
