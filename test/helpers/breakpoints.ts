// Whether this machine delivers hardware breakpoints, asked of gdb (a tracer that is not ours):
// some hypervisors accept writes to the debug registers and never deliver their breakpoints.
// There the tracer cannot watch goroutine creations, and the tests of that watch expect its
// fail-closed outcome instead.
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot } from "./gobuild.ts";

let answer: boolean | undefined;

export function hardwareBreakpointsFire(): boolean {
  if (answer !== undefined) return answer;
  const prog = goBuild({ dir: join(repoRoot, "bench/programs"), pkg: "./hello", go: goToolchains().at(-1)! });
  // Stopped at the first instruction, then a hardware breakpoint on main.main, then on.
  const r = Bun.spawnSync(["gdb", "-nx", "-batch", "-ex", "starti", "-ex", "hbreak main.main", "-ex", "continue", "-ex", "kill", prog], { stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString();
  if (!out.includes("Hardware assisted breakpoint 1 at")) throw new Error(`gdb could not set a hardware breakpoint (is gdb installed? scripts/bootstrap.sh installs it):\n${out}${r.stderr.toString()}`);
  answer = /hit Hardware assisted breakpoint 1/.test(out);
  return answer;
}
