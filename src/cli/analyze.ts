// `gomodjail analyze PROG [--go-mod FILE] [--json]`: what in a Go program's modules a jail that
// reads call stacks cannot hold (see src/analyze/report.ts). The exit status says whether a
// confined module has any: 0 when none has, 3 when one has; errors are 1, as everywhere.
import type { Logger } from "../log-format.ts";

/** The exit status when a confined module has findings. */
export const CONFINED_FINDINGS_STATUS = 3;

export interface AnalyzeCommandOptions {
  goMod?: string;
  json?: boolean;
  logger?: Logger;
}

export const analyzeDescription = "Show what in a Go program's modules a jail cannot hold (assembly, cgo, linkname, plugin, reflect, unsafe)";

export const analyzeHelp = `
Exit status: 0 when no confined module has a finding, 3 when one has, 1 on errors.

Examples:
  # Every module of the program, with what the binary and the sources show
  gomodjail analyze ./prog

  # The confined modules of a policy first; exit status 3 if any of them has findings
  gomodjail analyze --go-mod=go.mod ./prog

  # The same as one JSON document, for tools
  gomodjail analyze --go-mod=go.mod --json ./prog
`;

/** Prints the analysis of `prog` and resolves to the exit status; unreadable input throws the reader's typed error. */
export async function analyzeCommand(prog: string, opts: AnalyzeCommandOptions, out: (text: string) => void): Promise<number> {
  // Loaded here: the description above is read by every command line, the analyzer only by this one.
  const { analyzeProgram, formatAnalysis } = await import("../analyze/report.ts");
  const report = analyzeProgram(prog, { goMod: opts.goMod });
  opts.logger?.debug({ prog, modules: report.modules.length, elapsedMs: report.elapsedMs }, "analyzed");
  out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatAnalysis(report));
  return report.confinedWithFindings.length > 0 ? CONFINED_FINDINGS_STATUS : 0;
}
