// Should the seccomp filter trap tgkill? Measures how often a goroutine-heavy Go program calls it
// (Go preempts running goroutines with tgkill(getpid(), tid, SIGURG)) and what one call costs
// natively and when a ptrace tracer stops on it (strace --seccomp-bpf stands in for the tracer).
//
//   bun bench/seccomp-tgkill.ts [seconds per spin run, default 5]
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { goCommand, goEnv, goToolchains, repoRoot } from "../test/helpers/gobuild.ts";

const seconds = Number(process.argv[2] ?? 5);
const source = join(import.meta.dir, "seccomp-tgkill.go");

function build(): string {
  const version = goToolchains().at(-1);
  if (!version) throw new Error("no Go toolchain installed (scripts/install-go.sh)");
  const hash = createHash("sha256").update(version).update(readFileSync(source)).digest("hex").slice(0, 16);
  const dir = join(repoRoot, ".cache", "bench", `seccomp-tgkill-${hash}`);
  const out = join(dir, "prog");
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const res = Bun.spawnSync([goCommand(version), "build", "-o", out, source], {
    cwd: dir,
    env: { ...goEnv("amd64", false), GOFLAGS: "", GO111MODULE: "off" },
    stderr: "pipe",
  });
  if (res.exitCode !== 0) throw new Error(`go build failed:\n${res.stderr.toString()}`);
  return out;
}

function run(argv: string[], env: Record<string, string> = {}): string {
  const res = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`${argv.join(" ")} failed:\n${res.stderr.toString()}`);
  return res.stdout.toString();
}

/** tgkill calls per second of a spin run, counted by strace (which stops only on tgkill). */
function tgkillRate(prog: string, gomaxprocs: number, alloc: boolean): number {
  const summary = join(repoRoot, ".cache", "bench", `tgkill-count-${process.pid}.txt`);
  const start = performance.now();
  run(
    ["strace", "-f", "-qq", "-c", "--seccomp-bpf", "-e", "trace=tgkill", "-o", summary, prog, "-mode=spin", `-d=${seconds}s`, `-alloc=${alloc}`],
    { GOMAXPROCS: String(gomaxprocs) },
  );
  const elapsed = (performance.now() - start) / 1000;
  const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?tgkill$/m.exec(readFileSync(summary, "utf8"));
  rmSync(summary, { force: true });
  return m ? Number(m[1]) / elapsed : 0;
}

/** Median ns per tgkill call over five loop runs. */
function callCost(argv: string[]): number {
  const samples = Array.from({ length: 5 }, () => Number(run(argv).trim())).sort((a, b) => a - b);
  return samples[2];
}

const prog = build();
const native = callCost([prog, "-mode=loop"]);
const filtered = callCost(["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=getppid", "-o", "/dev/null", prog, "-mode=loop"]);
const trapped = callCost(["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=tgkill", "-o", "/dev/null", prog, "-mode=loop"]);
console.log(`tgkill cost: native ${(native / 1000).toFixed(2)} µs, through a filter that allows it ${(filtered / 1000).toFixed(2)} µs, trapped by a tracer ${(trapped / 1000).toFixed(2)} µs`);
console.log(`tgkill rate of 200 CPU-bound goroutines over ${seconds} s (${Bun.spawnSync(["nproc"]).stdout.toString().trim()} CPUs):`);
for (const gomaxprocs of [2, 16]) {
  for (const alloc of [false, true]) {
    const rate = tgkillRate(prog, gomaxprocs, alloc);
    const stopCost = (rate * (trapped - native)) / 1e6; // ms of stops per second
    console.log(
      `  GOMAXPROCS=${String(gomaxprocs).padEnd(2)} ${alloc ? "allocating" : "CPU only  "}  ${rate.toFixed(0).padStart(5)} calls/s` +
        `  -> trapped: ${stopCost.toFixed(1)} ms of stops per second (${(stopCost / 10).toFixed(2)} % of a CPU)`,
    );
  }
}
