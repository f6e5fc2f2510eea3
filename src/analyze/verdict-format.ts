// The confined modules' verdicts as `gomodjail analyze --go-mod` prints them: in text as the
// original gomodjail's v2 does (a FAIL/WARN/ok line per module, a witness block per class, one
// summary line), and as SARIF 2.1.0 with each result at the module's require line in go.mod.
import { readGoMod } from "../policy/gomod.ts";
import { CAPABILITY_CLASSES, type CapabilityClass } from "../policy/classes.ts";
import type { CapabilityFinding, WitnessStep } from "./capabilities.ts";
import type { AnalysisReport, ModuleAnalysis } from "./report.ts";

interface VerdictOptions {
  /** WARN counts as a violation. */
  strict: boolean;
  /** Witness paths for warnings too (violations always have theirs). */
  explain: boolean;
}

/** Whether the report has a module that fails under `options`: exit status 3. */
export function failsVerdicts(r: AnalysisReport, options: VerdictOptions): boolean {
  return (r.verdicts?.violations ?? 0) > 0 || (options.strict && (r.verdicts?.warnings ?? 0) > 0);
}

const verdictOrder = { FAIL: 0, WARN: 1, ok: 2, "ok (unused)": 2 } as const;

function judgedModules(r: AnalysisReport): ModuleAnalysis[] {
  return r.modules.filter((m) => m.verdict !== undefined).sort((a, b) => verdictOrder[a.verdict!] - verdictOrder[b.verdict!]);
}

/** A function name or file as printed: control characters escaped (a //line directive lets a module choose file names). */
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function witnessLines(f: CapabilityFinding): string[] {
  const lines = [`     [${f.class}]`];
  f.steps.forEach((step: WitnessStep, i: number) => {
    // Each step after the first with the position of the call that reached it.
    const at = i > 0 ? f.steps[i - 1]! : undefined;
    const where = at?.file ? `  (${printable(at.file.slice(at.file.lastIndexOf("/") + 1))}:${at.line})` : "";
    lines.push(`       ${printable(step.func)}${where}${step.why ? `  [${printable(step.why)}]` : ""}`);
  });
  return lines;
}

/** The verdict section: as v2 prints it, then the summary line. */
export function formatVerdicts(r: AnalysisReport, options: VerdictOptions): string {
  const lines: string[] = [];
  for (const m of judgedModules(r)) {
    const caps = m.capabilities ?? [];
    const fails = caps.filter((c) => c.verdict === "FAIL");
    const warns = caps.filter((c) => c.verdict === "WARN");
    const allow = m.allow && m.allow.length > 0 ? ` (allow=${m.allow.join(",")})` : "";
    switch (m.verdict) {
      case "FAIL":
        lines.push(`FAIL ${m.path}${allow}: reaches ${fails.map((c) => c.class).join(", ")}`);
        for (const f of fails) lines.push(...witnessLines(f));
        if (warns.length > 0) {
          lines.push(`     also uses ${warns.map((c) => c.class).join(", ")} (cannot be statically verified)`);
          if (options.explain) for (const f of warns) lines.push(...witnessLines(f));
        }
        break;
      case "WARN":
        lines.push(
          `WARN ${m.path}${allow}: uses ${warns.map((c) => c.class).join(", ")} ${
            options.strict ? "(failing due to --strict)" : "(verified except for these; use --explain for paths, --strict to fail)"
          }`,
        );
        if (options.explain || options.strict) for (const f of warns) lines.push(...witnessLines(f));
        break;
      case "ok (unused)":
        lines.push(`ok   ${m.path} (unused: no code in this build)`);
        break;
      default:
        lines.push(`ok   ${m.path}${allow}`);
    }
  }
  const v = r.verdicts!;
  const total = v.ok + v.warnings + v.violations;
  lines.push("", `gomodjail: ${total} confined module(s): ${v.ok} ok, ${v.warnings} warning(s), ${v.violations} violation(s)`);
  if (v.warnings === 0 && v.violations === 0) lines.push("gomodjail: ok, no policy violations");
  return `${lines.join("\n")}\n`;
}

/** The verdicts as a SARIF 2.1.0 log: one rule per class, one result per class a confined module is denied. */
export function verdictsSarif(r: AnalysisReport, options: VerdictOptions): object {
  // Each module's require line, as the go.mod parser reads it.
  const requires = r.goMod ? readGoMod(r.goMod).require : [];
  const tiers = new Map(CAPABILITY_CLASSES.map((c) => [c.name, c.tier]));
  const results: object[] = [];
  const used = new Set<CapabilityClass>();
  for (const m of judgedModules(r)) {
    const line = requires.find((q) => q.path === m.path)?.directive.line;
    for (const f of m.capabilities ?? []) {
      if (f.verdict === "ok") continue;
      used.add(f.class);
      const path = f.path.join(" -> ");
      results.push({
        ruleId: f.class,
        level: f.verdict === "FAIL" || options.strict ? "error" : "warning",
        message: {
          text:
            f.verdict === "FAIL"
              ? `confined module ${m.path} reaches ${f.class}: ${path}`
              : `confined module ${m.path} uses ${f.class}, which cannot be statically verified: ${path}`,
        },
        locations: [{ physicalLocation: { artifactLocation: { uri: r.goMod }, ...(line ? { region: { startLine: line } } : {}) } }],
        codeFlows: [
          {
            threadFlows: [
              {
                locations: f.steps.map((s) => ({
                  location: {
                    message: { text: s.func },
                    ...(s.file ? { physicalLocation: { artifactLocation: { uri: s.file }, region: { startLine: s.line } } } : {}),
                  },
                })),
              },
            ],
          },
        ],
      });
    }
  }
  const rules = [...used].sort().map((cls) => ({
    id: cls,
    shortDescription: { text: `A confined module reaches the ${cls} capability (${tiers.get(cls)} tier)` },
  }));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "gomodjail", rules } }, results }],
  };
}
