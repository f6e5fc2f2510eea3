// The floor of the shape gomodjail keeps (Bun runs the tool, the tracer has a thread of its own),
// measured in the bench's run: a compiled Bun hello world, and a compiled Bun program that starts
// a Worker and ends when it answers (bench/shape-floor/), built with the flags of the Makefile's
// binary. Both are below any jailed run: the hello world's overhead target compares with them.
import { join } from "node:path";
import { COMPILE_FLAGS } from "../src/pack/base.ts";
import { median, runOnce } from "./measure.ts";

export interface ShapeFloor {
  /** ms spawn to exit of the compiled hello world. */
  bunHelloMs: number;
  /** ms spawn to exit of the compiled program with a Worker. */
  workerMs: number;
}

const SOURCES = join(import.meta.dir, "shape-floor");

/** Builds both into `work` and times them interleaved, `rounds` times; a string says why it could not. */
export async function measureShapeFloor(work: string, rounds: number): Promise<ShapeFloor | string> {
  const build = (entries: string[], out: string): string | undefined => {
    const argv = [process.execPath, "build", ...COMPILE_FLAGS, ...entries.map((e) => join(SOURCES, e)), "--outfile", out];
    const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    return r.exitCode === 0 ? undefined : `bun build ${entries.join(" ")} failed: ${r.stderr.toString().trim().split("\n").at(-1)}`;
  };
  const hello = join(work, "shape-floor-hello");
  const worker = join(work, "shape-floor-worker");
  const failure = build(["hello.ts"], hello) ?? build(["main.ts", "worker.ts"], worker);
  if (failure) return failure;
  const times = { hello: [] as number[], worker: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    times.hello.push((await runOnce([hello])).wallMs);
    times.worker.push((await runOnce([worker])).wallMs);
  }
  return { bunHelloMs: median(times.hello), workerMs: median(times.worker) };
}
