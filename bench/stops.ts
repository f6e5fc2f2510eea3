// How often a jailed program stops, by syscall: runs `gomodjail --debug run FLAGS -- PROG ARGS`
// under one or more gomodjail binaries and counts the tracer's decisions (the "allow" and "block"
// debug records: one per seccomp stop the tracer judges), side by side.
//
//   node_modules/.bin/bun run bench/stops.ts --column=LABEL@BIN[@FLAGS]... [--cwd=DIR] \
//       -- RUN-FLAGS... -- PROG [ARGS]...
//
// e.g. --column=before@/path/to/old/gomodjail --column="after@_output/bin/gomodjail@--judge-metadata".
// A column's FLAGS (split at blanks) go after RUN-FLAGS; RUN-FLAGS (--go-mod=..., --policy=...) are the same for every column. The environment is this
// process's. Stops the tracer does not judge (a program outside the policy's main module, a
// process it has not read yet) are not counted.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const dashes = process.argv.indexOf("--");
const { values: opts } = parseArgs({
  args: process.argv.slice(2, dashes < 0 ? undefined : dashes),
  options: {
    column: { type: "string", multiple: true },
    cwd: { type: "string" },
  },
});
const rest = dashes < 0 ? [] : process.argv.slice(dashes + 1);
const progAt = rest.indexOf("--");
if (!opts.column?.length || progAt < 0 || progAt === rest.length - 1) {
  console.error("usage: bench/stops.ts --column=LABEL@BIN[@FLAGS]... [--cwd=DIR] -- RUN-FLAGS... -- PROG [ARGS]...");
  process.exit(2);
}
const runFlags = rest.slice(0, progAt);
const program = rest.slice(progAt + 1);

/** Stops by syscall, and how many were blocked, of one run. */
function countStops(bin: string, extra: string[]): { bySyscall: Map<string, number>; blocked: number; status: number | null } {
  const argv = ["--debug", "run", ...runFlags, ...extra, "--", ...program];
  const r = spawnSync(bin, argv, { cwd: opts.cwd, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "ignore", "pipe"] });
  const bySyscall = new Map<string, number>();
  let blocked = 0;
  for (const line of r.stderr.split("\n")) {
    const m = /^level=DEBUG msg=(allow|block) pid=\d+ syscall=(\w+)/.exec(line);
    if (!m) continue;
    bySyscall.set(m[2]!, (bySyscall.get(m[2]!) ?? 0) + 1);
    if (m[1] === "block") blocked++;
  }
  return { bySyscall, blocked, status: r.status };
}

const columns = opts.column.map((spec) => {
  const [label, bin, flags = ""] = spec.split("@");
  if (!label || !bin) throw new Error(`--column=${spec}: give LABEL@BIN[@FLAGS]`);
  return { label, ...countStops(bin, flags.split(" ").filter((f) => f !== "")) };
});
const names = [...new Set(columns.flatMap((c) => [...c.bySyscall.keys()]))];
const total = (c: (typeof columns)[number]) => [...c.bySyscall.values()].reduce((a, b) => a + b, 0);
names.sort((a, b) => Math.max(...columns.map((c) => c.bySyscall.get(b) ?? 0)) - Math.max(...columns.map((c) => c.bySyscall.get(a) ?? 0)) || a.localeCompare(b));

console.log(`Stops of ${program.join(" ")}, by syscall:`);
console.log(`| syscall | ${columns.map((c) => c.label).join(" | ")} |`);
console.log(`|:--|${columns.map(() => "--:").join("|")}|`);
for (const n of names) console.log(`| ${n} | ${columns.map((c) => c.bySyscall.get(n) ?? 0).join(" | ")} |`);
console.log(`| **all** | ${columns.map((c) => `**${total(c)}**`).join(" | ")} |`);
console.log(`| of them blocked | ${columns.map((c) => c.blocked).join(" | ")} |`);
console.log(`| exit status | ${columns.map((c) => c.status).join(" | ")} |`);
