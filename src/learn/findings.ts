// What the evidence of every run learned from says of each module, and the policy it earns:
// unconfined when it took part in a trapped call (made it, or stood on the stack or among the
// creators of the code that did), confined when a run confined it and it took part in none, and
// none when no run confined it, since then nothing it did could be seen.
import { ModuleIndex } from "../gobin/modules.ts";
import type { GoMod } from "../policy/gomod.ts";
import { type Policy, policyOf, type Profile } from "../policy/profile.ts";
import type { Role } from "../decision/involvement.ts";
import { EvidenceTally, type InvolvementRow, type UnseenRow } from "./evidence.ts";
import type { PolicyRecord, RunReport } from "./report.ts";

export interface RoleEvidence {
  total: number;
  /** Calls per syscall, most first. */
  bySyscall: [string, number][];
  /** The row of its most frequent syscall, whose example is shown. */
  first: InvolvementRow;
}

export interface ModuleFinding {
  module: string;
  /** The version the build information lists, if it does. */
  version: string | undefined;
  roles: Partial<Record<Role, RoleEvidence>>;
  /** Some run confined it, so what it did was seen. */
  observed: boolean;
  /** A package path that no module of the go.mod or of the build information holds (a binary without build information). */
  unlisted: boolean;
}

export interface Findings {
  mainModule: string;
  /** By module path. */
  modules: Map<string, ModuleFinding>;
  /** Calls on whose stack a function whose name names no module ran: no module policy can let them through. */
  unnamed: InvolvementRow[];
  /** Calls that could not be attributed in full: blocked under any policy that confines a module. */
  unseen: UnseenRow[];
}

/** The policy the evidence earns a module; undefined when no run could see what it does. */
export function learnedPolicy(f: ModuleFinding): Policy | undefined {
  if (Object.keys(f.roles).length > 0) return "unconfined";
  return f.observed ? "confined" : undefined;
}

/** Merges the reports' evidence over the modules of the go.mod and of the programs' build information. */
export function gatherFindings(mod: GoMod, mainModule: string, reports: readonly RunReport[]): Findings {
  const versions = new Map<string, string | undefined>();
  for (const r of mod.require) if (r.path !== mainModule) versions.set(r.path, undefined);
  for (const report of reports) for (const m of report.program.modules) if (m.path !== mainModule) versions.set(m.path, m.version);
  const index = new ModuleIndex(mainModule, versions.keys());

  const merged = new EvidenceTally();
  const unnamed = new EvidenceTally();
  for (const report of reports) {
    for (const row of report.involved) {
      if (row.module === "unknown") unnamed.addRow(row);
      else merged.addRow({ ...row, module: moduleOfRow(index, row.module) });
    }
    for (const row of report.unseen) merged.addUnseen(row);
  }

  const profiles = reports.map((r) => profileOf(r.policy!));
  const finding = (module: string): ModuleFinding => ({
    module,
    version: versions.get(module),
    roles: {},
    observed: profiles.some((p) => policyOf(p, module) === "confined"),
    unlisted: !versions.has(module),
  });
  const modules = new Map<string, ModuleFinding>();
  for (const module of versions.keys()) modules.set(module, finding(module));
  for (const row of merged.involved()) {
    let f = modules.get(row.module);
    if (!f) modules.set(row.module, (f = finding(row.module)));
    const role = (f.roles[row.role] ??= { total: 0, bySyscall: [], first: row });
    role.total += row.count;
    role.bySyscall.push([row.syscall, row.count]);
  }
  for (const f of modules.values()) for (const role of Object.values(f.roles)) role.bySyscall.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const sorted = new Map([...modules].sort(([a], [b]) => a.localeCompare(b)));
  return { mainModule, modules: sorted, unnamed: unnamed.involved(), unseen: merged.unseen() };
}

/** A row's module as the go.mod and build information name it: a package path of a known module is that module. */
function moduleOfRow(index: ModuleIndex, path: string): string {
  const ref = index.moduleOfPackage(path);
  return ref.kind === "dependency" ? ref.path : path;
}

function profileOf(record: PolicyRecord): Profile {
  return { mainModule: record.mainModule ?? undefined, defaultPolicy: record.defaultPolicy, modules: new Map(Object.entries(record.modules)) };
}
