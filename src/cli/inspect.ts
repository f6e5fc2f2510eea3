// `gomodjail inspect PROG [--go-mod FILE] [--json]`: what gomodjail sees in a Go program (Go
// version, main module, architecture, PIE) and which modules its functions belong to, with the
// policy each module gets, so a user can check what a policy will touch before running it.
import type { Logger } from "../log-format.ts";
import { formatKindCounts } from "../analyze/findings.ts";
import { type InspectReport, inspectBinary } from "../analyze/inspect.ts";
import { writeFully } from "../output.ts";

interface InspectCommandOptions {
  /** A go.mod with gomodjail directives: adds its policies (and its requirements as known modules). */
  goMod?: string;
  json?: boolean;
  logger?: Logger;
}

export function formatReport(r: InspectReport): string {
  const lines: string[] = [];
  const field = (name: string, value: string) => lines.push(`${name.padEnd(14)}${value}`);
  field("file", r.file);
  field("go version", r.goVersion ?? "unknown (no build information)");
  if (r.mainPackage) field("main package", r.mainPackage);
  field("main module", r.mainModule ?? "unknown");
  field("architecture", r.arch);
  field("PIE", r.pie ? "yes" : "no");
  field("functions", String(r.functions));
  if (r.policy) {
    const p = r.policy;
    const defaultAllow = p.defaultAllowed ? ` allow=${p.defaultAllowed.join(",")}` : "";
    field("go.mod", `${p.goMod} (module ${p.mainModule ?? "unknown"}, default policy ${p.defaultPolicy}${defaultAllow})`);
  }
  for (const w of r.warnings) field("warning", w);
  lines.push("");

  // The classes column only when some module is allowed classes: most policies allow none.
  const showAllow = r.modules.some((m) => m.allow);
  const header = ["MODULE", "VERSION", "KIND", "FUNCTIONS", ...(r.policy ? ["POLICY"] : []), ...(showAllow ? ["ALLOW"] : []), "FINDINGS"];
  const cells = r.modules.map((m) => [
    m.path === "" ? "(unreadable names)" : m.path,
    m.replace ? `${m.version ?? ""} => ${m.replace.path}${m.replace.version ? ` ${m.replace.version}` : ""}` : (m.version ?? ""),
    m.kind,
    String(m.functions),
    ...(r.policy ? [m.policy ?? ""] : []),
    ...(showAllow ? [m.allow?.join(",") ?? ""] : []),
    formatKindCounts(m.findings ?? {}),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const numeric = header.indexOf("FUNCTIONS");
  for (const c of [header, ...cells]) {
    const padded = c.map((cell, i) => (i === numeric && c !== header ? cell.padStart(widths[i]) : cell.padEnd(widths[i])));
    lines.push(padded.join("  ").trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Prints what gomodjail sees in `prog` and resolves to the exit status (0). Unreadable input
 * (missing file, not ELF, not Go, a bad go.mod) throws the reader's typed error, whose message
 * names the file; the command line prints it as one line and exits 1.
 */
export async function inspectCommand(prog: string, opts: InspectCommandOptions, out: (text: string) => void = writeStdout): Promise<number> {
  const report = inspectBinary(prog, opts.goMod);
  opts.logger?.debug({ prog, functions: report.functions, modules: report.modules.length }, "inspected");
  out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}

function writeStdout(text: string): void {
  writeFully(1, text);
}
