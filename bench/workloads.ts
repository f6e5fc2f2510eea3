// The bench's workloads (issue 6): what each runs, how many times, and how it is timed.
import { mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goCommand, goEnv } from "../test/helpers/gobuild.ts";

export interface Workload {
  id: string;
  title: string;
  argv: string[];
  /** Runs per mode, taken side by side (one of each mode per round). */
  rounds: number;
  /** "loop": the program's own report of its loop time (start-up left out); "wall": spawn to exit. */
  clock: "loop" | "wall";
  /** The same program with an empty loop: its trapped calls are start-up's, not the loop's. */
  emptyArgv?: string[];
  /** Whether a cost per trapped call means anything here (not for untrapped loops or start-up). */
  perTrappedCall: boolean;
  /** Fresh state for one run (a cold build cache): the command to run and a cleanup for after it. */
  prepare?: () => PreparedRun;
  cwd?: string;
}

export interface PreparedRun {
  argv: string[];
  env: Record<string, string | undefined>;
  cleanup: () => void;
}

export interface BenchPrograms {
  loops: string;
  hello: string;
  walk: string;
  /** bench/programs: the module `go build` compiles. */
  moduleDir: string;
  /** The toolchain whose gofmt, go and src/ tree the real-program workloads use. */
  goVersion: string;
}

/** Loop sizes: a few hundred ms natively for the untrapped loops, about a second traced. */
const TRAPPED_ITERATIONS = 20000;
const GETPID_ITERATIONS = 2_000_000;
const PIPE_ITERATIONS = 200_000;
export const STARTUP_RUNS = 20;
/** Walks of the src/ tree: about 40,000 trapped calls, half a second natively. */
const WALKS = 5;

export function workloads(p: BenchPrograms, rounds: number): Workload[] {
  const trappedFile = p.loops; // any readable file; the program itself is always there
  const loop = (id: string, title: string, mode: string, n: number, perTrappedCall: boolean, extra: string[] = []): Workload => ({
    id,
    title,
    argv: [p.loops, mode, `-n=${n}`, ...extra],
    emptyArgv: [p.loops, mode, "-n=0", ...extra],
    rounds,
    clock: "loop",
    perTrappedCall,
  });
  const goRoot = realpathSync(`/usr/lib/go-${p.goVersion}`);
  const srcTree = realpathSync(join(goRoot, "src"));
  return [
    loop("shallow", `trapped, shallow: ${TRAPPED_ITERATIONS} open+close from main`, "shallow", TRAPPED_ITERATIONS, true, [`-file=${trappedFile}`]),
    loop("deep", `trapped, deep: the same under 60 frames of recursion`, "deep", TRAPPED_ITERATIONS, true, [`-file=${trappedFile}`, "-depth=60"]),
    loop("concurrent", `trapped, concurrent: the same split over 8 goroutines`, "concurrent", TRAPPED_ITERATIONS, true, [`-file=${trappedFile}`, "-goroutines=8"]),
    loop("getpid", `untrapped: ${GETPID_ITERATIONS / 1e6}M getpid`, "getpid", GETPID_ITERATIONS, false),
    loop("pipe", `untrapped: ${PIPE_ITERATIONS / 1000}k pipe write+read`, "pipe", PIPE_ITERATIONS, false),
    { id: "startup", title: `start-up: hello world (per run, ${STARTUP_RUNS} runs)`, argv: [p.hello], rounds: STARTUP_RUNS, clock: "wall", perTrappedCall: false },
    {
      id: "gofmt",
      title: `gofmt -l over Go ${p.goVersion}'s src/ (no module info: policed)`,
      argv: [join(goRoot, "bin/gofmt"), "-l", srcTree],
      rounds: Math.min(rounds, 3),
      clock: "wall",
      perTrappedCall: true,
    },
    {
      id: "walk",
      title: `walk: open+read every .go file of src/, ${WALKS} times (policed main module)`,
      argv: [p.walk, `-n=${WALKS}`, srcTree],
      emptyArgv: [p.walk, "-n=0", srcTree],
      rounds,
      clock: "loop",
      perTrappedCall: true,
    },
    {
      id: "golist",
      title: `go list -json std: the go command alone (a ${(statSync(goCommand(p.goVersion)).size / 2 ** 20).toFixed(0)} MB binary)`,
      argv: [goCommand(p.goVersion), "list", "-json", "std"],
      rounds,
      clock: "wall",
      perTrappedCall: true,
      cwd: p.moduleDir,
      prepare: () => freshGo([goCommand(p.goVersion), "list", "-json", "std"]),
    },
    {
      id: "gobuild",
      title: `go build of a small module, cold cache (go, compile, link...)`,
      argv: [goCommand(p.goVersion), "build", "./hello"],
      rounds: Math.min(rounds, 3),
      clock: "wall",
      perTrappedCall: true,
      cwd: p.moduleDir,
      prepare: () => freshGo([goCommand(p.goVersion), "build", "-o", "OUT/hello", "./hello"]),
    },
  ];
}

/** A go command offline, with an empty GOCACHE of its own; "OUT/" in argv names its scratch directory. */
function freshGo(argv: string[]): PreparedRun {
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-bench-go-"));
  const env = {
    ...goEnv(process.arch === "arm64" ? "arm64" : "amd64", false),
    GOCACHE: join(dir, "cache"),
    GOPATH: join(dir, "gopath"),
    GOMODCACHE: join(dir, "gopath/pkg/mod"),
  };
  return { argv: argv.map((a) => a.replace(/^OUT\//, `${dir}/`)), env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
