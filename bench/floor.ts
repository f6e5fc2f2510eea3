// The floor under any ptrace+seccomp jail, measured in the bench's own run: the minimal tracer
// of bench/programs/mintracer (a seccomp filter that traces getppid only, a tracer that waits and
// continues, or also reads the registers and 4 KiB of the stack). Both benches print it.
export interface Floor {
  /** µs per seccomp stop + PTRACE_CONT. */
  stopUs: number;
  /** µs per stop that also reads the registers and 4 KiB with process_vm_readv. */
  regsUs: number;
  /** µs per untraced getppid, for scale. */
  nativeUs: number;
}

/** Runs the minimal tracer (its own medians of interleaved rounds); undefined, with why, when it cannot. */
export function measureFloor(mintracer: string): Floor | string {
  const r = Bun.spawnSync([mintracer], { stdout: "pipe", stderr: "pipe" });
  const m = /stop_ns=(-?\d+) regs_ns=(-?\d+) native_ns=(\d+)/.exec(r.stdout.toString());
  if (r.exitCode !== 0 || !m) return `the minimal tracer failed (exit ${r.exitCode}): ${r.stderr.toString().trim()}`;
  return { stopUs: Number(m[1]) / 1000, regsUs: Number(m[2]) / 1000, nativeUs: Number(m[3]) / 1000 };
}

export function floorLine(f: Floor | string): string {
  if (typeof f === "string") return `Minimal tracer (bench/programs/mintracer): not measured: ${f}`;
  return (
    `Minimal tracer in this run (bench/programs/mintracer, Go): ${f.stopUs.toFixed(1)} µs per seccomp stop + PTRACE_CONT, ` +
    `${f.regsUs.toFixed(1)} µs with the registers and one 4 KiB process_vm_readv (getppid untraced: ${f.nativeUs.toFixed(2)} µs).`
  );
}
