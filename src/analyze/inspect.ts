// What gomodjail sees in a Go program (Go version, main module, architecture, PIE), which modules
// its functions belong to, what of each a jail cannot hold, and with a go.mod the policy each
// gets: the report of `gomodjail inspect` and of the library's inspect().
import { GoBinary } from "../gobin/binary.ts";
import type { ModuleVersion } from "../gobin/buildinfo.ts";
import { ModuleIndex, type ModuleKind } from "../gobin/modules.ts";
import { allowedClasses, loadProfile, orderedClasses, type Policy, policyOf, type Profile } from "../policy/profile.ts";
import type { CapabilityClass } from "../policy/classes.ts";
import { Confinement } from "../confinement/model.ts";
import { analyzeBinary } from "./binary.ts";
import { countKinds, type KindCounts } from "./findings.ts";

export interface ModuleReport {
  /** The module path; "std" for the standard library; for "unknown", the package no known module owns. */
  path: string;
  kind: ModuleKind;
  /** From the build information, when the binary has it and lists the module. */
  version?: string;
  replace?: { path: string; version: string };
  /** Functions in the binary's function table (pclntab) attributed to this module. */
  functions: number;
  /** With a go.mod: the policy the module gets. */
  policy?: Policy;
  /** With a go.mod: the capability classes a confined module is allowed (`allow=`); absent when none. */
  allow?: CapabilityClass[];
  /** What the binary holds of the module that a jail cannot hold, by kind (`gomodjail analyze` lists them); absent when nothing. */
  findings?: KindCounts;
}

export interface InspectReport {
  file: string;
  /** null when the binary has no build information. */
  goVersion: string | null;
  mainPackage: string | null;
  /** From the build information, else from the go.mod; null when neither says. */
  mainModule: string | null;
  arch: string;
  pie: boolean;
  functions: number;
  policy: {
    goMod: string;
    mainModule: string | null;
    defaultPolicy: Policy;
    /** The classes of the default policy's `allow=`; absent when none. */
    defaultAllowed?: CapabilityClass[];
    /** False when gomodjail would not police this binary at all, as `reason` says. */
    applies: boolean;
    reason?: string;
  } | null;
  /** The main module, then dependencies by path, then unknown packages, then std. */
  modules: ModuleReport[];
  warnings: string[];
}

/** Reads `prog` (and the go.mod) into a report; throws the readers' typed errors. */
export function inspectBinary(prog: string, goMod?: string): InspectReport {
  const warnings: string[] = [];
  const profile = goMod === undefined ? undefined : loadProfile(goMod, (msg) => warnings.push(msg));
  const binary = GoBinary.open(prog);
  const info = binary.buildInfo;

  const binaryMain = info?.main?.path;
  const mainModule = binaryMain ?? profile?.mainModule;
  if (!info) warnings.push(`${prog} has no Go build information: its module list comes from the go.mod only`);

  let applies = profile !== undefined;
  let reason: string | undefined;
  if (profile && binaryMain && profile.mainModule && binaryMain !== profile.mainModule) {
    applies = false;
    reason = `the main module of ${prog} is ${binaryMain}, not the go.mod's ${profile.mainModule}: gomodjail run does not police it`;
    warnings.push(reason);
  }

  const deps = new Map<string, ModuleVersion>(info?.deps.map((d) => [d.path, d]) ?? []);
  const index = new ModuleIndex(mainModule, [...deps.keys(), ...(profile?.modules.keys() ?? [])]);
  const rows = new Map<string, ModuleReport>();
  const row = (path: string, kind: ModuleKind): ModuleReport => {
    const key = `${kind} ${path}`;
    let r = rows.get(key);
    if (!r) {
      r = { path, kind, functions: 0 };
      const version = kind === "main" ? info?.main : deps.get(path);
      if (version) Object.assign(r, versionFields(version));
      rows.set(key, r);
    }
    return r;
  };
  if (mainModule !== undefined) row(mainModule, "main");
  for (const path of index.knownModules()) if (path !== mainModule) row(path, "dependency");

  const table = binary.pclntab;
  for (let fn = 0; fn < table.funcCount; fn++) {
    const ref = index.moduleOf(table.funcName(fn));
    row(ref.path, ref.kind).functions++;
  }

  const analysis = analyzeBinary(binary, Confinement.of(binary, profile), { reports: (m) => m.kind !== "std", read: "all", mainPackage: info?.path || undefined });
  for (const { module, findings } of analysis.findings.values()) row(module.path, module.kind).findings = countKinds(findings);
  warnings.push(...analysis.warnings);

  const modules = [...rows.values()].sort(byKindThenPath);
  if (profile) {
    for (const m of modules) {
      m.policy = applies ? policyOfRow(profile, m) : "unconfined";
      const allow = applies ? orderedClasses(allowedOfRow(profile, m)) : [];
      if (allow.length > 0) m.allow = allow;
    }
  }
  const defaultAllowed = profile?.defaultAllowed && orderedClasses(profile.defaultAllowed);

  return {
    file: prog,
    goVersion: info?.goVersion ?? null,
    mainPackage: info?.path || null,
    mainModule: mainModule ?? null,
    arch: binary.arch,
    pie: binary.pie,
    functions: table.funcCount,
    policy: profile
      ? {
          goMod: goMod!,
          mainModule: profile.mainModule ?? null,
          defaultPolicy: profile.defaultPolicy,
          ...(defaultAllowed ? { defaultAllowed } : {}),
          applies,
          ...(reason ? { reason } : {}),
        }
      : null,
    modules,
    warnings,
  };
}

function versionFields(v: ModuleVersion): Pick<ModuleReport, "version" | "replace"> {
  return v.replace ? { version: v.version, replace: { path: v.replace.path, version: v.replace.version } } : { version: v.version };
}

/** The policy a row's functions get; an unknown package is judged as an unlisted module. */
function policyOfRow(profile: Profile, m: ModuleReport): Policy {
  if (m.kind === "main" || m.kind === "std") return "unconfined";
  if (m.kind === "unknown" && m.path === "") return profile.defaultPolicy;
  return policyOf(profile, m.path);
}

/** The classes a row's functions are allowed, judged as policyOfRow judges its policy. */
function allowedOfRow(profile: Profile, m: ModuleReport): ReadonlySet<CapabilityClass> {
  if (m.kind === "main" || m.kind === "std") return new Set();
  if (m.kind === "unknown" && m.path === "") return profile.defaultAllowed ?? new Set();
  return allowedClasses(profile, m.path);
}

const kindOrder: Record<ModuleKind, number> = { main: 0, dependency: 1, unknown: 2, std: 3 };
function byKindThenPath(a: ModuleReport, b: ModuleReport): number {
  return kindOrder[a.kind] - kindOrder[b.kind] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** The report as the text `gomodjail inspect` prints. */
