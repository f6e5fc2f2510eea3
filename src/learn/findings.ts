// What the evidence of every run learned from says of each module, and the policy it earns:
// confined when a run confined it and it took part in no trapped call; confined with exactly the
// capability classes of the calls it took part in (made them, or stood on the stack or among the
// creators of the code that did: each confined module there must allow the class) when those
// can be granted; unconfined when a call fell in no class, its class is not known, or it needed
// a class that reaches every other (unless every class may be allowed); and none when no run
// confined it, since then nothing it did could be seen.
import { ModuleIndex } from "../gobin/modules.ts";
import type { GoMod } from "../policy/gomod.ts";
import { CAPABILITY_CLASSES, type CapabilityClass } from "../policy/classes.ts";
import { classesNeeded } from "../decision/verdict.ts";
import { policyOf, type Profile } from "../policy/profile.ts";
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

/**
 * A class a module's calls needed: a capability class, "none" for a call in no class, or
 * "unrecorded" where no class can be known (its C code judged without a goroutine, an older report).
 */
export type NeededClass = CapabilityClass | "none" | "unrecorded";

export interface ClassEvidence {
  total: number;
  /** Calls per syscall, most first. */
  bySyscall: [string, number][];
  /** The first row that needed it, whose example is shown. */
  first: InvolvementRow;
  /** Some of the calls needed it (SYSTEM_CALLS) because the module's own code made them, not for their class. */
  ownSyscall: boolean;
}

export interface ModuleFinding {
  module: string;
  /** The version the build information lists, if it does. */
  version: string | undefined;
  roles: Partial<Record<Role, RoleEvidence>>;
  /** The classes its calls needed, from every role, in the class table's order ("none", "unrecorded" last). */
  classes: Map<NeededClass, ClassEvidence>;
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

export interface LearnOptions {
  /** Confine with classes also a module that needed a class that reaches every other (`--allow-all-classes`). */
  allowAllClasses: boolean;
}

/**
 * A policy learned for a module: confined with the classes it needs, or unconfined and why (the
 * reason goes into a go.mod comment, so it never says "allow=", which the go.mod's reader takes
 * for a policy's field).
 */
export type LearnedPolicy = { policy: "confined"; allow: CapabilityClass[] } | { policy: "unconfined"; because: string };

/** The policy the evidence earns a module; undefined when no run could see what it does. */
export function learnedPolicy(f: ModuleFinding, options: LearnOptions): LearnedPolicy | undefined {
  if (Object.keys(f.roles).length === 0) return f.observed ? { policy: "confined", allow: [] } : undefined;
  const example = (c: NeededClass) => {
    const row = f.classes.get(c)!.first;
    return `e.g. ${row.syscall} at ${row.example}`;
  };
  if (f.classes.has("none")) return { policy: "unconfined", because: `it took part in calls that are in no capability class (${example("none")}): no capability class lets them through` };
  if (f.classes.has("unrecorded")) {
    return {
      policy: "unconfined",
      because: `the class of some of its calls is not known (${example("unrecorded")}; its C code judged without a goroutine, or a report of an older gomodjail): no capability class can be learned for them`,
    };
  }
  const allow = [...f.classes.keys()] as CapabilityClass[];
  const broad = CAPABILITY_CLASSES.filter((c) => c.reachesAll !== undefined && f.classes.has(c.name));
  if (broad.length > 0 && !options.allowAllClasses) {
    const why = broad.map((c) => `${c.name} (${c.reachesAll})`).join(", ");
    return {
      policy: "unconfined",
      because: `it needed ${why}, which can reach every other class: learn --allow-all-classes would confine it with ${allow.join(", ")}`,
    };
  }
  return { policy: "confined", allow };
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
    classes: new Map(),
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
    addCount(role.bySyscall, row.syscall, row.count);
    for (const c of neededClasses(row)) {
      const evidence = f.classes.get(c) ?? { total: 0, bySyscall: [], first: row, ownSyscall: false };
      evidence.total += row.count;
      evidence.ownSyscall ||= row.ownSyscall === true && row.class !== c;
      addCount(evidence.bySyscall, row.syscall, row.count);
      f.classes.set(c, evidence);
    }
  }
  for (const f of modules.values()) {
    for (const e of [...Object.values(f.roles), ...f.classes.values()]) e.bySyscall.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    f.classes = new Map([...f.classes].sort(([a], [b]) => classOrder(a) - classOrder(b)));
  }
  const sorted = new Map([...modules].sort(([a], [b]) => a.localeCompare(b)));
  return { mainModule, modules: sorted, unnamed: unnamed.involved(), unseen: merged.unseen() };
}

/** The classes a module needed to take part in a row's calls, as the Decider asks them of it. */
function neededClasses(row: InvolvementRow): NeededClass[] {
  if (row.class === undefined) return ["unrecorded"];
  if (row.class === "none") return ["none"];
  return classesNeeded(row.class, row.ownSyscall === true)!;
}

const classNames: readonly NeededClass[] = [...CAPABILITY_CLASSES.map((c) => c.name), "none", "unrecorded"];

function classOrder(c: NeededClass): number {
  return classNames.indexOf(c);
}

/** Adds to a syscall's count (rows of one syscall differ by class). */
function addCount(counts: [string, number][], syscall: string, n: number): void {
  const known = counts.find(([s]) => s === syscall);
  if (known) known[1] += n;
  else counts.push([syscall, n]);
}

/** A row's module as the go.mod and build information name it: a package path of a known module is that module. */
function moduleOfRow(index: ModuleIndex, path: string): string {
  const ref = index.moduleOfPackage(path);
  return ref.kind === "dependency" ? ref.path : path;
}

function profileOf(record: PolicyRecord): Profile {
  return { mainModule: record.mainModule ?? undefined, defaultPolicy: record.defaultPolicy, modules: new Map(Object.entries(record.modules)) };
}
