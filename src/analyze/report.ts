// `gomodjail analyze PROG [--go-mod FILE]`: every module of a Go binary (confined ones first) with
// what in it a jail reading call stacks cannot hold, from the binary and, where the module's
// sources are on this machine, from its source files.
import { parseGoVersion } from "../gobin/go-release.ts";
import { GoBinary } from "../gobin/binary.ts";
import type { ModuleVersion } from "../gobin/buildinfo.ts";
import type { ModuleKind, ModuleRef } from "../gobin/modules.ts";
import { confinedModules, loadProfile, orderedClasses, type Policy, policyOf, type Profile } from "../policy/profile.ts";
import { Confinement } from "../confinement/model.ts";
import type { Attribution } from "../gobin/modules.ts";
import { analyzeBinary, moduleKey } from "./binary.ts";
import { CallGraph } from "./call-graph.ts";
import { type CapabilityFinding, capabilityFindings, CapabilityWalker, type ModuleVerdict, moduleVerdict } from "./capabilities.ts";
import type { CapabilityClass } from "../policy/classes.ts";
import type { BuildContext } from "./build-constraints.ts";
import { countKinds, type Finding, FINDING_KINDS, formatKindCounts, type KindCounts } from "./findings.ts";
import { escapeModulePath, moduleCaches, moduleRootCandidates, packageDirectories, scanSources } from "./sources.ts";

export interface ModuleAnalysis {
  /** The module path; for kind "unknown", the package that no known module owns. */
  path: string;
  kind: ModuleKind;
  version?: string;
  /** With a go.mod: the module's policy. */
  policy?: Policy;
  confined: boolean;
  /** The package directories on this machine whose sources were read; [] when none were found. */
  sourceDirs: string[];
  counts: KindCounts;
  findings: Finding[];
  /** Confined modules: the verdict on what their code can reach, against what they are allowed. */
  verdict?: ModuleVerdict;
  allow?: CapabilityClass[];
  /** Confined modules: each class their code reaches (allowed ones included), with a witness path. */
  capabilities?: CapabilityFinding[];
}

interface VerdictSummary {
  ok: number;
  warnings: number;
  violations: number;
  /** Among the ok: confined modules with no code in the binary. */
  unused: number;
}

export interface AnalysisReport {
  file: string;
  goVersion: string | null;
  arch: string;
  mainModule: string | null;
  goMod: string | null;
  /** The policy's confined modules and that have findings. */
  confinedWithFindings: string[];
  /** Findings of all modules by kind. */
  counts: KindCounts;
  /** With a go.mod: the confined modules' verdicts, counted. */
  verdicts?: VerdictSummary;
  /** Confined modules first, then the main module, then the others, each by path. */
  modules: ModuleAnalysis[];
  /** Functions of the standard library and the Go distribution (cmd/...): never confined, not analyzed. */
  standardLibraryFunctions: number;
  warnings: string[];
  elapsedMs: number;
}

interface AnalyzeOptions {
  goMod?: string;
  /** Where the module caches are looked for ($GOMODCACHE, $GOPATH, $HOME). */
  env?: Record<string, string | undefined>;
}

/** Analyzes `prog`; throws the readers' typed errors (ElfError, PclntabError, GoModError...). */
export function analyzeProgram(prog: string, options: AnalyzeOptions = {}): AnalysisReport {
  const started = performance.now();
  const profile = options.goMod === undefined ? undefined : loadProfile(options.goMod);
  const binary = GoBinary.open(prog);
  const info = binary.buildInfo;
  const warnings: string[] = [];
  const binaryMain = info?.main?.path;
  let policy = profile;
  if (profile && binaryMain && profile.mainModule && binaryMain !== profile.mainModule) {
    warnings.push(`the main module of ${prog} is ${binaryMain}, not the go.mod's ${profile.mainModule}: gomodjail run does not police it, so nothing is confined`);
    policy = undefined;
  }
  const confinement = Confinement.of(binary, profile);
  const attribution = confinement.attribution;
  const mainPackage = info?.path || undefined;
  const analysis = analyzeBinary(binary, confinement, { reports: (m) => m.kind !== "std", read: "all", mainPackage });
  warnings.push(...analysis.warnings);

  // Every non-standard module with code in the binary (its own functions, code inlined
  // elsewhere, C code) and the directories that code comes from.
  const rows = new Map<string, { module: ModuleRef; dirs: Set<string> }>();
  const rowOf = (module: ModuleRef) => {
    const key = moduleKey(module);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { module, dirs: new Set() }));
    return row;
  };
  const addDir = (module: ModuleRef, file: string | undefined) => {
    if (module.kind === "std") return;
    const row = rowOf(module);
    if (file && file.includes("/") && !file.startsWith("<")) row.dirs.add(file.slice(0, file.lastIndexOf("/")));
  };
  const t = binary.pclntab;
  let standardLibraryFunctions = 0;
  for (let fn = 0; fn < t.funcCount; fn++) {
    const module = attribution.modules.moduleOf(t.funcName(fn));
    if (module.kind === "std") {
      standardLibraryFunctions++;
      continue;
    }
    addDir(module, t.fileLine(fn, t.funcEntry(fn))?.file);
    if (analysis.warnings.length > 0) continue; // the inline trees are unreadable
    for (const inlined of t.inlinedCalls(fn)) addDir(attribution.modules.moduleOf(inlined.func), t.fileLine(fn, inlined.bodyPc)?.file);
  }
  if (analysis.cCode?.kind === "present") {
    for (const [module, functions] of analysis.cCode.byModule) for (const f of functions) addDir(module, f.file);
  }
  for (const { module } of analysis.findings.values()) rowOf(module);

  const deps = new Map<string, ModuleVersion>(info?.deps.map((d) => [d.path, d]) ?? []);
  const allFiles = [...rows.values()].flatMap((r) => [...r.dirs]);
  const caches = moduleCaches(options.env ?? process.env, allFiles);
  const mainRoot = mainModuleRoot(rows, attribution, mainPackage);
  const ctx = buildContext(binary);
  const modules: ModuleAnalysis[] = [...rows.values()].map(({ module, dirs }) => {
    const dep = deps.get(module.path);
    const version = module.kind === "main" ? info?.main?.version : dep?.version;
    // A replacement by a directory has no version; one by another module is that module's files.
    const from = dep?.replace ?? dep;
    const replaceDir = dep?.replace?.version === "" ? dep.replace.path : undefined;
    const roots = module.kind === "main" ? (mainRoot ? [mainRoot] : []) : moduleRootCandidates({ path: from?.path ?? module.path, version: from?.version, replace: replaceDir }, mainRoot, caches);
    const trimmed = [module.path, ...(from?.version ? [`${from.path}@${from.version}`, `${escapeModulePath(from.path)}@${from.version}`] : [])];
    const sourceDirs = packageDirectories(dirs, trimmed, roots);
    const findings = [...(analysis.findings.get(moduleKey(module))?.findings ?? []), ...scanSources(sourceDirs, ctx)];
    const confined = policy !== undefined && confinement.isConfined(module);
    return {
      path: module.path,
      kind: module.kind,
      ...(version ? { version } : {}),
      ...(profile ? { policy: policy && module.kind !== "main" ? policyOf(policy, module.path) : "unconfined" } : {}),
      confined,
      sourceDirs,
      counts: countKinds(findings),
      findings,
    };
  });
  if (policy && confinement.confinesAnything) judgeConfinedModules(binary, confinement, policy, modules, deps);
  modules.sort(byConfinedThenKindThenPath);
  return {
    file: prog,
    goVersion: info?.goVersion ?? null,
    arch: binary.arch,
    mainModule: binaryMain ?? profile?.mainModule ?? null,
    goMod: options.goMod ?? null,
    confinedWithFindings: modules.filter((m) => m.confined && m.findings.length > 0).map((m) => m.path),
    counts: countKinds(modules.flatMap((m) => m.findings)),
    ...(policy ? { verdicts: countVerdicts(modules) } : {}),
    modules,
    standardLibraryFunctions,
    warnings,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * Gives each confined module its verdict: what its code reaches (capabilities.ts) and its
 * findings, against its allowed classes. A confined module of the go.mod with no code in this
 * build is added, ok (unused).
 */
function judgeConfinedModules(binary: GoBinary, confinement: Confinement, policy: Profile, modules: ModuleAnalysis[], deps: Map<string, ModuleVersion>): void {
  const walker = new CapabilityWalker(new CallGraph(binary), binary.pclntab, confinement);
  for (const path of confinedModules(policy)) {
    if (modules.some((m) => m.path === path)) continue;
    const dep = deps.get(path);
    modules.push({ path, kind: "dependency", ...(dep ? { version: dep.version } : {}), policy: "confined", confined: true, sourceDirs: [], counts: {}, findings: [] });
  }
  for (const m of modules) {
    if (!m.confined) continue;
    const allowed = confinement.allowedClasses(m.path);
    const used = m.kind === "unknown" || walker.uses(m.path) || m.findings.length > 0;
    m.capabilities = used ? capabilityFindings(walker.reach(m.path), m.findings, allowed) : [];
    m.verdict = moduleVerdict(used, m.capabilities);
    m.allow = orderedClasses(allowed);
  }
}

/** The main module's directory: main.main's, less the main package's path below the module. */
function mainModuleRoot(rows: Map<string, { module: ModuleRef; dirs: Set<string> }>, attribution: Attribution, mainPackage: string | undefined): string | undefined {
  const main = attribution.modules.mainModule;
  if (main === undefined || mainPackage === undefined) return undefined;
  for (const { module, dirs } of rows.values()) {
    if (module.kind !== "main") continue;
    const below = mainPackage === main ? "" : mainPackage.startsWith(`${main}/`) ? mainPackage.slice(main.length) : undefined;
    if (below === undefined) return undefined;
    for (const dir of dirs) if (dir.startsWith("/") && dir.endsWith(below)) return dir.slice(0, dir.length - below.length);
  }
  return undefined;
}

function buildContext(binary: GoBinary): BuildContext {
  const info = binary.buildInfo;
  const minor = parseGoVersion(info?.goVersion ?? "")?.minor;
  return {
    goos: "linux",
    goarch: binary.arch,
    cgo: info?.settings.get("CGO_ENABLED") === "1",
    goMinor: minor ?? Number.MAX_SAFE_INTEGER,
    tags: (info?.settings.get("-tags") ?? "").split(",").filter(Boolean),
  };
}

const kindOrder: Record<ModuleKind, number> = { main: 0, dependency: 1, unknown: 2, std: 3 };
function byConfinedThenKindThenPath(a: ModuleAnalysis, b: ModuleAnalysis): number {
  return Number(b.confined) - Number(a.confined) || kindOrder[a.kind] - kindOrder[b.kind] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * The report as `gomodjail analyze` prints it, in the style of `go vet`: a `# MODULE` line per
 * module with findings (and per confined module), then one `FILE:LINE: KIND: MESSAGE` line per
 * finding, then a summary.
 */
export function formatAnalysis(r: AnalysisReport): string {
  const lines: string[] = [];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const m of r.modules) {
    if (m.findings.length === 0 && !m.confined) continue;
    const marks = [m.confined ? "confined" : m.kind === "main" ? "main module" : undefined, m.kind === "unknown" ? "package of no known module" : undefined].filter(Boolean);
    const head = `# ${m.path}${m.version && m.version !== "(devel)" ? ` ${m.version}` : ""}${marks.length > 0 ? ` (${marks.join(", ")})` : ""}`;
    lines.push(m.findings.length === 0 ? `${head}: no findings` : `${head}: ${formatKindCounts(m.counts)}`);
    for (const f of m.findings) {
      lines.push(`${f.file}${f.line > 0 ? `:${f.line}` : ""}: ${f.kind}${f.origin === "source" ? " (source)" : ""}: ${f.message}`);
    }
  }
  const total = FINDING_KINDS.reduce((n, k) => n + (r.counts[k] ?? 0), 0);
  const confined = r.modules.filter((m) => m.confined).length;
  const summary = [
    `${r.file}: ${total} finding${total === 1 ? "" : "s"}${total > 0 ? ` (${formatKindCounts(r.counts)})` : ""} in ${r.modules.length} module${r.modules.length === 1 ? "" : "s"}`,
    ` and ${r.standardLibraryFunctions} functions of the standard library (never confined, not analyzed)`,
    r.goMod ? `; ${r.confinedWithFindings.length} of ${confined} confined module${confined === 1 ? "" : "s"} with findings` : "",
    ` (${(r.elapsedMs / 1000).toFixed(2)} s)`,
  ];
  lines.push(summary.join(""));
  return `${lines.join("\n")}\n`;
}

function countVerdicts(modules: ModuleAnalysis[]): VerdictSummary {
  const judged = modules.filter((m) => m.verdict !== undefined);
  return {
    ok: judged.filter((m) => m.verdict === "ok" || m.verdict === "ok (unused)").length,
    warnings: judged.filter((m) => m.verdict === "WARN").length,
    violations: judged.filter((m) => m.verdict === "FAIL").length,
    unused: judged.filter((m) => m.verdict === "ok (unused)").length,
  };
}

const verdictRank = { "ok (unused)": 0, ok: 1, WARN: 2, FAIL: 3 } as const;
const classRank = { ok: 0, WARN: 1, FAIL: 2 } as const;

/**
 * The reports of several binaries built from one pattern as one: a module's rows joined (its
 * worst verdict, each class at its worst with the first path found), the counts of the joined
 * rows. `file` is the pattern; `programs` the binaries.
 */
export function mergeReports(pattern: string, reports: AnalysisReport[]): AnalysisReport & { programs: string[] } {
  const byPath = new Map<string, ModuleAnalysis>();
  for (const r of reports) {
    for (const m of r.modules) {
      const seen = byPath.get(m.path);
      if (!seen) {
        byPath.set(m.path, { ...m, findings: [...m.findings], ...(m.capabilities ? { capabilities: [...m.capabilities] } : {}) });
        continue;
      }
      seen.findings.push(...m.findings.filter((f) => !seen.findings.some((g) => g.message === f.message && g.file === f.file && g.line === f.line)));
      seen.counts = countKinds(seen.findings);
      if (m.verdict && (!seen.verdict || verdictRank[m.verdict] > verdictRank[seen.verdict])) seen.verdict = m.verdict;
      for (const c of m.capabilities ?? []) {
        const caps = (seen.capabilities ??= []);
        const i = caps.findIndex((d) => d.class === c.class);
        if (i < 0) caps.push(c);
        else if (classRank[c.verdict] > classRank[caps[i]!.verdict]) caps[i] = c;
      }
    }
  }
  const modules = [...byPath.values()].sort(byConfinedThenKindThenPath);
  const first = reports[0]!;
  return {
    ...first,
    file: pattern,
    programs: reports.map((r) => r.file),
    confinedWithFindings: modules.filter((m) => m.confined && m.findings.length > 0).map((m) => m.path),
    counts: countKinds(modules.flatMap((m) => m.findings)),
    ...(first.verdicts ? { verdicts: countVerdicts(modules) } : {}),
    modules,
    standardLibraryFunctions: Math.max(...reports.map((r) => r.standardLibraryFunctions)),
    warnings: [...new Set(reports.flatMap((r) => r.warnings))],
    elapsedMs: reports.reduce((n, r) => n + r.elapsedMs, 0),
  };
}
