// `gomodjail fix --go-mod FILE [--unconfine] [--strict] [--dry-run] PROG`: analyzes PROG and writes
// into the go.mod, for each confined module that fails, the allow= set it needs (or unconfined),
// then prints what changed. The file is replaced atomically; with --dry-run it is left alone.
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";

interface FixCommandOptions {
  goMod: string;
  unconfine: boolean;
  strict: boolean;
  dryRun: boolean;
}

export const fixDescription = "Write into the go.mod the allow= set (or unconfined) that each failing confined module needs";

export const fixHelp = `
Examples:
  # Add to each failing module's allow= the classes analyze found, and show the change
  gomodjail fix --go-mod=go.mod ./prog

  # Unconfine the failing modules instead
  gomodjail fix --go-mod=go.mod --unconfine ./prog
`;

/** Fixes the go.mod and resolves to the exit status (0: fixed or nothing to fix). */
export async function fixCommand(prog: string, opts: FixCommandOptions, out: (text: string) => void): Promise<number> {
  const { analyzeProgram } = await import("../analyze/report.ts");
  const { fixGoMod } = await import("../analyze/fix.ts");
  const text = readFileSync(opts.goMod, "utf8");
  const report = analyzeProgram(prog, { goMod: opts.goMod });
  const fix = fixGoMod(text, opts.goMod, report, { unconfine: opts.unconfine, strict: opts.strict });
  if (fix.fixed.length === 0) {
    out(`gomodjail fix: no confined module fails; ${opts.goMod} left as it is\n`);
    return 0;
  }
  const lines = [`--- ${opts.goMod}`, `+++ ${opts.goMod}`, ...fix.diff];
  for (const f of fix.fixed) {
    if (f.reachesAll.length > 0) lines.push(`gomodjail fix: note: ${f.module} is allowed ${f.reachesAll.join(", ")}, each of which reaches every other class: consider --unconfine, or review it`);
  }
  if (!opts.dryRun) {
    // Replaced at once, with the file's permissions: a reader never sees half a go.mod.
    const temp = `${opts.goMod}.gomodjail-fix.tmp`;
    writeFileSync(temp, fix.text, { mode: statSync(opts.goMod).mode & 0o7777 });
    renameSync(temp, opts.goMod);
  }
  lines.push(`gomodjail fix: ${fix.fixed.length} module(s) ${opts.dryRun ? "would be " : ""}rewritten in ${opts.goMod}`);
  out(`${lines.join("\n")}\n`);
  return 0;
}
