// Running one command for the bench: its wall time, exit status, output, and (when asked) the
// peak RSS of the process itself (VmHWM), sampled from /proc while it runs. The peak of the
// process alone matters for gomodjail: getrusage and `time -v` would fold in the traced
// programs, which are its descendants.
import { readFileSync } from "node:fs";

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Sample the process's own VmHWM while it runs. */
  sampleRss?: boolean;
}

export interface RunResult {
  wallMs: number;
  /** User + system CPU time of the process and every descendant it waited for. */
  cpuMs: number;
  exitCode: number;
  stdout: string;
  /** The end of stderr, for failure reports. */
  stderrTail: string;
  /** Peak resident set of the spawned process alone, in bytes (when sampled). */
  peakRss?: number;
}

const RSS_SAMPLE_MS = 10;

function vmHwm(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // exited between samples
  }
}

export async function runOnce(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const start = performance.now();
  const proc = Bun.spawn(argv, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let peakRss: number | undefined;
  const sample = () => {
    const v = vmHwm(proc.pid);
    if (v !== undefined && (peakRss === undefined || v > peakRss)) peakRss = v;
  };
  const sampler = opts.sampleRss ? setInterval(sample, RSS_SAMPLE_MS) : undefined;
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const wallMs = performance.now() - start;
  if (sampler) clearInterval(sampler);
  const cpuMs = Number(proc.resourceUsage()?.cpuTime.total ?? Number.NaN) / 1000;
  return { wallMs, cpuMs, exitCode, stdout, stderrTail: stderr.slice(-2000), peakRss };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The loop time a bench program reports on stdout ("ns=..."), in ms. */
export function reportedLoopMs(stdout: string): number | undefined {
  const m = /^ns=(\d+)$/m.exec(stdout);
  return m ? Number(m[1]) / 1e6 : undefined;
}

/** The number of calls strace -c counted, from its summary table's "total" row. */
export function straceTotalCalls(summary: string): number {
  const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?total$/m.exec(summary);
  if (!m) throw new Error(`strace -c printed no total:\n${summary}`);
  return Number(m[1]);
}

/** Bytes as whole MiB, "MB" as the tables print them; "—" when not measured. */
export const fmtMB = (b: number | undefined): string => (b === undefined ? "—" : `${(b / 2 ** 20).toFixed(0)} MB`);

/** A markdown table: the first column left-aligned, the figures right-aligned. */
export function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}
