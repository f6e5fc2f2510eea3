// `gomodjail fix`: writes into the go.mod, for each confined module whose verdict fails, the
// decision a reviewer has to make anyway, so that it shows in review: the classes it needs added
// to its `allow=`, or `unconfined`. Only the policy field of its require line changes.
import { parseGoMod } from "../policy/gomod.ts";
import { allowedClasses, orderedClasses, parseProfile, policyOf } from "../policy/profile.ts";
import { CAPABILITY_CLASSES, type CapabilityClass } from "../policy/classes.ts";
import type { AnalysisReport } from "./report.ts";

interface FixOptions {
  /** Write `unconfined` instead of the classes needed. */
  unconfine: boolean;
  /** Fix modules with warnings too (their caveat classes). */
  strict: boolean;
}

interface FixedModule {
  module: string;
  /** The directive written: `gomodjail:confined allow=...` or `gomodjail:unconfined`. */
  directive: string;
  /** Among the classes now allowed, those that reach every other (EXEC, FILES/WRITE, SYSTEM_CALLS). */
  reachesAll: CapabilityClass[];
}

interface Fix {
  text: string;
  fixed: FixedModule[];
  /** `-`/`+` lines, with line numbers, of what changed. */
  diff: string[];
}

class FixError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = "FixError";
  }
}

const REACHES_ALL = new Set(CAPABILITY_CLASSES.filter((c) => c.reachesAll).map((c) => c.name));
const DIRECTIVE = /gomodjail:[A-Za-z]+(\s+allow=\S*)?/;

/** The go.mod `text` (file `file`) with every failing module of `report` fixed. */
export function fixGoMod(text: string, file: string, report: AnalysisReport, options: FixOptions): Fix {
  const profile = parseProfile(text, file);
  const failing = report.modules.filter((m) => m.verdict === "FAIL" || (options.strict && m.verdict === "WARN"));
  const confined = report.modules.filter((m) => m.confined && m.kind !== "unknown");
  if (options.unconfine && failing.length > 0 && failing.length === confined.length) {
    throw new FixError(file, `every confined module (${failing.length}) fails: unconfining them all would leave nothing confined; decide for some by hand`);
  }
  const requires = parseGoMod(text, file).require;
  const lines = text.split("\n");
  const diff: string[] = [];
  const fixed: FixedModule[] = [];
  for (const m of failing) {
    const needed = new Set<CapabilityClass>(allowedClasses(profile, m.path));
    for (const c of m.capabilities ?? []) if (c.verdict === "FAIL" || (options.strict && c.verdict === "WARN")) needed.add(c.class);
    const allow = orderedClasses(needed);
    const directive = options.unconfine ? "gomodjail:unconfined" : `gomodjail:confined allow=${allow.join(",")}`;
    const line = requires.find((q) => q.path === m.path)?.directive.line;
    if (line === undefined) throw new FixError(file, `${m.path} has no require line to write its policy on`);
    const index = line - 1;
    const before = lines[index]!;
    const comment = before.indexOf("//");
    let after: string;
    if (comment >= 0 && DIRECTIVE.test(before.slice(comment))) after = before.slice(0, comment) + before.slice(comment).replace(DIRECTIVE, directive);
    else if (comment >= 0) after = `${before.replace(/\s+$/, "")}; ${directive}`;
    else after = `${before.replace(/\s+$/, "")} // ${directive}`;
    lines[index] = after;
    diff.push(`-${index + 1}: ${before}`, `+${index + 1}: ${after}`);
    fixed.push({ module: m.path, directive, reachesAll: options.unconfine ? [] : allow.filter((c) => REACHES_ALL.has(c)) });
  }
  const out = lines.join("\n");
  verify(out, file, fixed, options);
  return { text: out, fixed, diff };
}

/** The fixed file must parse and give each fixed module the policy written for it. */
function verify(text: string, file: string, fixed: FixedModule[], options: FixOptions): void {
  const profile = parseProfile(text, file);
  for (const f of fixed) {
    const policy = policyOf(profile, f.module);
    const want = options.unconfine ? "unconfined" : "confined";
    const allow = `gomodjail:${policy}${policy === "confined" ? ` allow=${orderedClasses(allowedClasses(profile, f.module)).join(",")}` : ""}`;
    if (policy !== want || allow !== f.directive) throw new FixError(file, `the fixed go.mod gives ${f.module} ${allow}, not ${f.directive}`);
  }
}
