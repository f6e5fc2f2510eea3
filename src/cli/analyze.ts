// `gomodjail analyze PROG [--go-mod FILE] [--format text|json|sarif] [--strict] [--explain]`: what
// each confined module's code can reach (capability classes, with witness paths) and what in the
// program's modules a jail that reads call stacks cannot hold (src/analyze/report.ts). The exit
// status is the original gomodjail's v2's: 3 when a confined module is FAIL (or WARN under
// --strict), 0 otherwise; errors are 1, as everywhere.
import type { Logger } from "../log-format.ts";

/** The exit status when a confined module fails its verdict. */
export const CONFINED_VIOLATION_STATUS = 3;

export interface AnalyzeCommandOptions {
  goMod?: string;
  format: "text" | "json" | "sarif";
  strict: boolean;
  explain: boolean;
  logger?: Logger;
}

export const analyzeDescription = "Show what each confined module can reach (capability classes, with witness paths) and what a jail cannot hold";

export const analyzeHelp = `
Verdicts (with --go-mod), per confined module: FAIL when its code reaches a denied class
(FILES/READ, FILES/WRITE, NETWORK, EXEC, SYSTEM_CALLS, OPERATING_SYSTEM, MODIFY_SYSTEM_STATE, CGO)
that its allow= does not grant; WARN for caveats (REFLECT, UNSAFE_POINTER, ARBITRARY_EXECUTION,
UNANALYZED); ok; ok (unused) when the build has none of its code.

Exit status: 3 when a confined module is FAIL (or WARN under --strict), 0 otherwise, 1 on errors.

PROG is a Go executable, or a package pattern or directory (./..., ./cmd/x) that is built first
with the Go toolchain ($GO, else go on the PATH), each main package, and analyzed together.

Examples:
  # The confined modules' verdicts, with a witness path per denied class
  gomodjail analyze --go-mod=go.mod ./prog

  # The same for every main package of the module in this directory, as the original's v2 runs
  gomodjail analyze --go-mod=go.mod ./...

  # For CI: SARIF 2.1.0, each result at the module's require line in go.mod
  gomodjail analyze --go-mod=go.mod --format=sarif ./prog > gomodjail.sarif

  # Every module of the program, with what the binary and the sources show
  gomodjail analyze ./prog
`;

/** Prints the analysis of `prog` and resolves to the exit status; unreadable input throws the reader's typed error. */
export async function analyzeCommand(prog: string, opts: AnalyzeCommandOptions, out: (text: string) => void): Promise<number> {
  // Loaded here: the description above is read by every command line, the analyzer only by this one.
  const { analyzeProgram, formatAnalysis, mergeReports } = await import("../analyze/report.ts");
  const { failsVerdicts, formatVerdicts, verdictsSarif } = await import("../analyze/verdict-format.ts");
  const { buildMainPackages, isPackagePattern } = await import("../analyze/build-packages.ts");
  // A pattern or directory is built first (each main package), as the original's v2 takes it.
  const programs = isPackagePattern(prog) ? buildMainPackages(prog) : [prog];
  const reports = programs.map((p) => analyzeProgram(p, { goMod: opts.goMod }));
  const report = reports.length === 1 && programs[0] === prog ? reports[0]! : mergeReports(prog, reports);
  opts.logger?.debug({ prog, modules: report.modules.length, elapsedMs: report.elapsedMs }, "analyzed");
  const verdicts = { strict: opts.strict, explain: opts.explain };
  switch (opts.format) {
    case "json":
      out(`${JSON.stringify(report, null, 2)}\n`);
      break;
    case "sarif":
      out(`${JSON.stringify(verdictsSarif(report, verdicts), null, 2)}\n`);
      break;
    case "text":
      // With a policy, the verdicts as the original prints them; every module's findings on request.
      if (report.verdicts && !opts.explain) out(formatVerdicts(report, verdicts));
      else if (report.verdicts) out(`${formatAnalysis(report)}\n${formatVerdicts(report, verdicts)}`);
      else out(formatAnalysis(report));
  }
  return failsVerdicts(report, verdicts) ? CONFINED_VIOLATION_STATUS : 0;
}
