// The JSON that `gomodjail run --report` (and `learn --report`) writes: what was blocked, and for
// `gomodjail learn` which program ran (so that a report of another program or of another build is
// refused), the policy it ran under (a module's behaviour is known only where it was confined),
// and what every confined module that took part in a blocked call did, with each call's
// capability class.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { CAPABILITY_CLASSES } from "../policy/classes.ts";
import { ElfFile } from "../elf/elf.ts";
import { readBuildInfo } from "../gobin/buildinfo.ts";
import { knownPolicies, type Policy, type Profile } from "../policy/profile.ts";
import type { Role } from "../decision/involvement.ts";
import { resolveProgram } from "../launch/program.ts";
import type { RunResult } from "../session/run.ts";
import type { BlockSummary, StdInitializationSummary } from "../session/tally.ts";
import type { BlockedSyscall } from "../tracer/hooks.ts";
import { LearnError, systemReason } from "./errors.ts";
import { EvidenceTally, type InvolvementRow, type UnseenRow } from "./evidence.ts";

/** Which program a run ran: reports of one build can be merged, others cannot. */
export interface ProgramIdentity {
  /** PROG as resolved when the run started. */
  path: string;
  /** Of the file's content: the build. */
  sha256: string;
  /** From the build information; null without it (or for a program that is not Go). */
  mainModule: string | null;
  goVersion: string | null;
  /** The dependencies the build information lists. */
  modules: { path: string; version: string }[];
}

/** The policy a run judged by. */
export interface PolicyRecord {
  mainModule: string | null;
  defaultPolicy: Policy;
  modules: Record<string, Policy>;
}

export interface RunReport {
  audit: boolean;
  status: number;
  exitCode?: number;
  signal?: number;
  blocked: BlockSummary[];
  /**
   * The standard library's lazy loaders' opens that went through, checked, for a confined module:
   * evidence of no module's (absent in reports of runs with none, and of older gomodjails).
   */
  stdInitialization?: StdInitializationSummary[];
  program: ProgramIdentity;
  /** null for a run without a policy (--no-policy). */
  policy: PolicyRecord | null;
  involved: InvolvementRow[];
  unseen: UnseenRow[];
}

/** Resolves PROG as `run` does and identifies its build; a program that is not Go gets no module information. */
export function identifyProgram(prog: string): ProgramIdentity {
  const path = resolveProgram(prog);
  let info;
  try {
    info = readBuildInfo(ElfFile.open(path));
  } catch {
    // Not ELF, or damaged build information: the hash still identifies the build.
  }
  return {
    path,
    sha256: sha256Of(path),
    mainModule: info?.main?.path ?? null,
    goVersion: info?.goVersion ?? null,
    modules: info?.deps.map((d) => ({ path: d.path, version: d.version })) ?? [],
  };
}

function sha256Of(path: string): string {
  const hash = new Bun.CryptoHasher("sha256");
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** Collects a report: the program's identity, read before it runs, and the evidence of each blocked call. */
export class ReportRecorder {
  private readonly evidence = new EvidenceTally();
  readonly onBlocked = (event: BlockedSyscall): void => this.evidence.add(event);

  constructor(readonly program: ProgramIdentity) {}

  report(result: RunResult, audit: boolean, profile: Profile | undefined): RunReport {
    return {
      audit,
      status: result.status,
      exitCode: result.exitCode,
      signal: result.signal,
      blocked: result.blocked,
      stdInitialization: result.stdInitialization,
      program: this.program,
      policy: profile ? { mainModule: profile.mainModule ?? null, defaultPolicy: profile.defaultPolicy, modules: Object.fromEntries(profile.modules) } : null,
      involved: this.evidence.involved(),
      unseen: this.evidence.unseen(),
    };
  }
}

export function formatReport(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const roles: readonly Role[] = ["made", "calls", "callback", "creator"];

/** Reads a report to learn from; refuses one that cannot show what modules do. */
export function readRunReport(file: string): RunReport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new LearnError(`${file}: cannot read the report: ${systemReason(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LearnError(`${file}: not a gomodjail report (not JSON)`);
  }
  const bad = (what: string): never => {
    throw new LearnError(`${file}: not a gomodjail report: ${what}`);
  };
  if (!isObject(json) || typeof json.audit !== "boolean" || !Array.isArray(json.blocked)) bad("no audit and blocked fields");
  const r = json as Record<string, unknown>;
  if (r.program === undefined || r.involved === undefined) {
    throw new LearnError(`${file}: has no program identity or evidence (written by an older gomodjail?): run the program again with gomodjail run --audit --report`);
  }
  const program = r.program;
  if (!isObject(program) || typeof program.path !== "string" || typeof program.sha256 !== "string" || !nullOr(program.mainModule, "string") || !nullOr(program.goVersion, "string")) {
    bad("program: expected path, sha256, mainModule and goVersion");
  }
  if (!Array.isArray((program as Record<string, unknown>).modules) || !((program as Record<string, unknown>).modules as unknown[]).every((m) => isObject(m) && typeof m.path === "string" && typeof m.version === "string")) {
    bad("program.modules: expected a list of {path, version}");
  }
  const policy = r.policy;
  if (policy !== null) {
    const valid =
      isObject(policy) &&
      nullOr(policy.mainModule, "string") &&
      isPolicy(policy.defaultPolicy) &&
      isObject(policy.modules) &&
      Object.values(policy.modules).every(isPolicy);
    if (!valid) bad("policy: expected mainModule, defaultPolicy and modules");
  }
  // class and ownSyscall are optional: reports written before capability classes have neither.
  const rowOk = (row: unknown) =>
    isObject(row) &&
    typeof row.module === "string" &&
    roles.includes(row.role as Role) &&
    typeof row.syscall === "string" &&
    (row.class === undefined || isCallClass(row.class)) &&
    (row.ownSyscall === undefined || row.ownSyscall === true) &&
    isCount(row.count) &&
    typeof row.example === "string";
  if (!Array.isArray(r.involved) || !r.involved.every(rowOk)) bad("involved: expected rows of module, role, syscall, class (optional), count and example");
  const unseenOk = (row: unknown) => isObject(row) && typeof row.syscall === "string" && typeof row.reason === "string" && isCount(row.count) && typeof row.example === "string";
  if (!Array.isArray(r.unseen) || !r.unseen.every(unseenOk)) bad("unseen: expected rows of syscall, reason, count and example");
  if (!r.audit) {
    throw new LearnError(`${file}: a report of a run that blocked calls (without --audit), so the program did not run as it does natively: learn from runs with --audit`);
  }
  if (policy === null) throw new LearnError(`${file}: a report of a run without a policy (--no-policy): it confined nothing, so it shows nothing`);
  return r as unknown as RunReport;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nullOr(v: unknown, type: "string"): boolean {
  return v === null || typeof v === type;
}

function isPolicy(v: unknown): v is Policy {
  return (knownPolicies as readonly unknown[]).includes(v);
}

/** A class a run can record: one enforced at run time, or "none". */
function isCallClass(v: unknown): boolean {
  return v === "none" || CAPABILITY_CLASSES.some((c) => c.enforced && c.name === v);
}

function isCount(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}
