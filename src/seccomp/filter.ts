// Compiles the allow table for an architecture into the seccomp filter the target runs under:
//
//   arch != ours                  -> KILL_PROCESS  (a foreign ABI would bypass the number table)
//   amd64: nr has the x32 bit     -> ERRNO(ENOSYS) (what kernels without x32 support answer)
//   binary search over nr         -> ALLOW | argument check (ALLOW or TRACE) | ERRNO | TRACE
//
// The search runs over ranges of consecutive numbers that share an action, so the hot syscalls
// cost about log2(#ranges) comparisons instead of a chain of a hundred. Unknown and future
// numbers are traced: the tracer decides.
import type { Arch, ArchName } from "../arch/arch.ts";
import {
  argHighOffset,
  argLowOffset,
  ENOSYS,
  SECCOMP_DATA_ARCH,
  SECCOMP_DATA_NR,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_DATA,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_TRACE,
} from "./abi.ts";
import { allowTable } from "./allow.ts";
import { BpfAssembler, encodeProgram, Label, type SockFilter } from "./bpf.ts";
import { FilterError } from "./errors.ts";
import { checkOwnPid, fillOwnPid, type FilterTemplate, PID_T_MAX } from "./template.ts";
import type { AllowRule, AllowTable, ArgCondition, FailRule } from "./rules.ts";

export { FilterError };

/** Which of the two filters: the default lets the metadata syscalls through, the other traces them. */
export interface FilterMode {
  /** Trace the table's `metadata` entries (lstat, access, newfstatat, faccessat, faccessat2): --judge-metadata. */
  judgeMetadata: boolean;
}

/** The default filter's mode: the metadata syscalls go through without a stop. */
export const DEFAULT_MODE: FilterMode = { judgeMetadata: false };

export interface FilterOptions extends Partial<FilterMode> {
  /** The pid of the process that installs the filter (and keeps it across execve). */
  ownPid: number;
}

/** What the filter needs to know of an architecture. */
export type FilterTarget = Pick<Arch, "name" | "auditArch" | "x32SyscallBit" | "syscalls">;

/** What the filter does with a syscall number before looking at arguments. */
export type SyscallAction =
  | { kind: "allow" }
  | { kind: "trace" }
  | { kind: "fail"; errno: number }
  | { kind: "check"; when: ArgCondition };

const TRACE: SyscallAction = { kind: "trace" };

/**
 * The rules of `table` for `target` in `mode`: all but those marked for another architecture, and
 * but the `metadata` ones when judging metadata. One marked for another architecture that `target`
 * has too is a FilterError: it would be traced here without anyone having decided so.
 */
export function rulesFor(target: FilterTarget, table: AllowTable = allowTable, mode: FilterMode = DEFAULT_MODE): AllowTable {
  const applies = (rule: AllowRule | FailRule): boolean => {
    if (rule.only === undefined || rule.only === target.name) return true;
    if (target.syscalls.has(rule.name)) {
      throw new FilterError(`${target.name}: syscall ${rule.name} is marked ${rule.only}-only, but ${target.name} has it too`);
    }
    return false;
  };
  // Judged, a metadata syscall is traced like any syscall the table does not name.
  const judged = (rule: AllowRule): boolean => mode.judgeMetadata && rule.metadata === true;
  return { allow: table.allow.filter((rule) => applies(rule) && !judged(rule)), fail: table.fail.filter(applies) };
}

/**
 * The action for every number 0..maxNumber of the target's table. A rule's name the target's
 * table lacks is an UnknownSyscallError (a typo, or a syscall to mark `only`); a name twice, or a
 * condition or errno the filter cannot encode, is a FilterError.
 */
export function syscallActions(target: FilterTarget, table: AllowTable = allowTable, mode: FilterMode = DEFAULT_MODE): SyscallAction[] {
  const { name: arch, syscalls } = target;
  const rules = rulesFor(target, table, mode);
  const actions = new Array<SyscallAction>(syscalls.maxNumber + 1).fill(TRACE);
  const seen = new Set<string>();
  const claim = (name: string): number => {
    if (seen.has(name)) throw new FilterError(`${arch}: syscall ${name} appears twice in the allow table`);
    seen.add(name);
    return syscalls.number(name);
  };
  for (const rule of rules.allow) {
    if (rule.when) checkCondition(arch, rule.name, rule.when);
    actions[claim(rule.name)] = rule.when ? { kind: "check", when: rule.when } : { kind: "allow" };
  }
  for (const rule of rules.fail) {
    if (!Number.isInteger(rule.errno) || rule.errno <= 0 || rule.errno > SECCOMP_RET_DATA) {
      throw new FilterError(`${arch}: ${rule.name}: errno ${rule.errno} does not fit SECCOMP_RET_DATA`);
    }
    actions[claim(rule.name)] = { kind: "fail", errno: rule.errno };
  }
  return actions;
}

function checkCondition(arch: ArchName, name: string, c: ArgCondition): void {
  const u32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  const bad = (why: string): never => {
    throw new FilterError(`${arch}: ${name}: ${why}`);
  };
  if (c.kind === "oneOf") {
    if (c.values.length === 0) bad("an empty value list would trace every call; leave the syscall out instead");
    for (const v of c.values) if (v !== "ownPid" && !u32(v)) bad(`${v} is not a 32-bit value`);
  } else if (c.kind === "flags") {
    if (!u32(c.required) || !u32(c.forbidden) || c.required === 0) bad("flags need a non-zero 32-bit required mask");
    if ((c.required & c.forbidden) !== 0) bad("a flag cannot be both required and forbidden");
  }
}

/** Builds the filter for `target` and returns it as struct sock_filter[] bytes, ready for seccomp(2). */
export function buildFilter(target: FilterTarget, opts: FilterOptions): Uint8Array {
  return fillOwnPid(filterTemplate(target, modeOf(opts)), opts.ownPid);
}

function modeOf(opts: Partial<FilterMode>): FilterMode {
  return { judgeMetadata: opts.judgeMetadata ?? false };
}

/** Two pids no rule names: the instructions where two compilations differ are the pid's. */
const PROBE_PIDS = [PID_T_MAX - 1, PID_T_MAX - 2] as const;

/**
 * The filter of `target` for any pid, found by compiling it for two. Compiled ahead of time
 * (templates.ts, by scripts/gen-filter-templates.ts), it spares each run the compilation.
 */
export function filterTemplate(target: FilterTarget, mode: FilterMode = DEFAULT_MODE): FilterTemplate {
  const [a, b] = PROBE_PIDS.map((ownPid) => compileFilter(target, { ...mode, ownPid })) as [SockFilter[], SockFilter[]];
  const ownPidSlots: number[] = [];
  const shapeDiffers = () => new FilterError(`${target.name}: the filter's shape depends on the pid`);
  if (a.length !== b.length) throw shapeDiffers();
  a.forEach((x, i) => {
    const y = b[i]!;
    if (x.code !== y.code || x.jt !== y.jt || x.jf !== y.jf) throw shapeDiffers();
    if (x.k === y.k) return;
    if (x.k !== PROBE_PIDS[0] || y.k !== PROBE_PIDS[1]) throw shapeDiffers();
    ownPidSlots.push(i);
  });
  return { program: encodeProgram(a), ownPidSlots };
}

export function compileFilter(target: FilterTarget, opts: FilterOptions): SockFilter[] {
  const { ownPid } = opts;
  checkOwnPid(ownPid);
  const segments = toSegments(syscallActions(target, allowTable, modeOf(opts)));
  const asm = new BpfAssembler();

  const sameArch = new Label("arch ok");
  asm.loadWord(SECCOMP_DATA_ARCH).jump("jeq", target.auditArch, sameArch).ret(SECCOMP_RET_KILL_PROCESS).bind(sameArch);
  asm.loadWord(SECCOMP_DATA_NR);
  if (target.x32SyscallBit !== undefined) {
    const native = new Label("not x32");
    asm.jump("jset", target.x32SyscallBit, undefined, native).ret(SECCOMP_RET_ERRNO | ENOSYS).bind(native);
  }
  emitSearch(asm, segments, 0, segments.length - 1, ownPid);
  return asm.assemble();
}

interface Segment {
  /** First syscall number of the range; it ends where the next segment starts (the last at 2^32). */
  start: number;
  action: SyscallAction;
}

function mergeable(a: SyscallAction, b: SyscallAction): boolean {
  if (a.kind === "check" || b.kind === "check") return false;
  if (a.kind === "fail" && b.kind === "fail") return a.errno === b.errno;
  return a.kind === b.kind;
}

function toSegments(actions: SyscallAction[]): Segment[] {
  const segments: Segment[] = [];
  // Numbers past the table (newer syscalls, garbage) are traced.
  [...actions, TRACE].forEach((action, nr) => {
    const last = segments.at(-1);
    if (!last || !mergeable(last.action, action)) segments.push({ start: nr, action });
  });
  return segments;
}

/** A balanced binary search over segments[lo..hi]; A holds the syscall number. */
function emitSearch(asm: BpfAssembler, segments: Segment[], lo: number, hi: number, ownPid: number): void {
  if (lo === hi) {
    emitAction(asm, segments[lo].action, ownPid);
    return;
  }
  const mid = (lo + hi + 1) >> 1;
  const upper = new Label(`nr >= ${segments[mid].start}`);
  asm.jump("jge", segments[mid].start, upper);
  emitSearch(asm, segments, lo, mid - 1, ownPid);
  asm.bind(upper);
  emitSearch(asm, segments, mid, hi, ownPid);
}

function emitAction(asm: BpfAssembler, action: SyscallAction, ownPid: number): void {
  switch (action.kind) {
    case "allow":
      asm.ret(SECCOMP_RET_ALLOW);
      return;
    case "trace":
      asm.ret(SECCOMP_RET_TRACE);
      return;
    case "fail":
      asm.ret(SECCOMP_RET_ERRNO | action.errno);
      return;
    case "check":
      emitCondition(asm, action.when, ownPid);
      return;
  }
}

/** Loads the argument and returns ALLOW when the condition holds, TRACE when it does not. */
function emitCondition(asm: BpfAssembler, c: ArgCondition, ownPid: number): void {
  asm.loadWord(argLowOffset(c.arg));
  switch (c.kind) {
    case "oneOf": {
      const allow = new Label("allow");
      // The pid gets a comparison of its own, so that the program's shape does not depend on it
      // (filterTemplate).
      if (c.values.includes("ownPid")) asm.jump("jeq", ownPid, allow);
      const values = [...new Set(c.values.filter((v) => v !== "ownPid"))].sort((a, b) => a - b);
      for (const [first, last] of runs(values)) {
        if (first === last) {
          asm.jump("jeq", first, allow);
        } else {
          const above = new Label(`above ${last}`);
          asm.jump("jgt", last, above).jump("jge", first, allow).bind(above);
        }
      }
      asm.ret(SECCOMP_RET_TRACE).bind(allow).ret(SECCOMP_RET_ALLOW);
      return;
    }
    case "flags": {
      const trace = new Label("trace");
      if (c.forbidden !== 0) asm.jump("jset", c.forbidden, trace);
      for (let i = 0; i < 32; i++) {
        const bit = (1 << i) >>> 0;
        if ((c.required & bit) !== 0) asm.jump("jset", bit, undefined, trace);
      }
      asm.ret(SECCOMP_RET_ALLOW).bind(trace).ret(SECCOMP_RET_TRACE);
      return;
    }
    case "null": {
      const trace = new Label("trace");
      asm.jump("jeq", 0, undefined, trace).loadWord(argHighOffset(c.arg)).jump("jeq", 0, undefined, trace);
      asm.ret(SECCOMP_RET_ALLOW).bind(trace).ret(SECCOMP_RET_TRACE);
      return;
    }
  }
}

/** Sorted distinct values as runs of consecutive numbers: [0,1,2,5] -> [[0,2],[5,5]]. */
function runs(sorted: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of sorted) {
    const last = out.at(-1);
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}
