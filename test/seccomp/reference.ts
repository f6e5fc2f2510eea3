// The filter's intended decision, computed plainly from the allow tables (no BPF, no ranges, no
// search): the specification the compiled program is checked against.
import { arches } from "../../src/arch/arches.ts";
import type { ArchName } from "../../src/arch/arch.ts";
import { ENOSYS, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRACE } from "../../src/seccomp/abi.ts";
import { DEFAULT_MODE, type FilterMode, rulesFor } from "../../src/seccomp/filter.ts";
import type { ArgCondition } from "../../src/seccomp/rules.ts";
import type { SeccompData } from "../helpers/bpf-interpreter.ts";

function holds(c: ArgCondition, args: readonly bigint[], ownPid: number): boolean {
  const arg = BigInt.asUintN(64, args[c.arg] ?? 0n);
  const low = Number(arg & 0xffffffffn);
  switch (c.kind) {
    case "oneOf":
      return c.values.some((v) => (v === "ownPid" ? ownPid : v) === low);
    case "flags":
      return (low & c.required) >>> 0 === c.required >>> 0 && (low & c.forbidden) === 0;
    case "null":
      return arg === 0n;
  }
}

export function referenceDecision(arch: ArchName, data: SeccompData, ownPid: number, mode: FilterMode = DEFAULT_MODE): number {
  const { auditArch, syscalls, x32SyscallBit } = arches[arch];
  const rules = rulesFor(arches[arch], undefined, mode);
  if (data.arch >>> 0 !== auditArch) return SECCOMP_RET_KILL_PROCESS;
  const nr = data.nr >>> 0;
  if (x32SyscallBit !== undefined && (nr & x32SyscallBit) !== 0) return SECCOMP_RET_ERRNO | ENOSYS;
  const name = syscalls.name(nr);
  if (name === undefined) return SECCOMP_RET_TRACE;
  const allow = rules.allow.find((r) => r.name === name);
  if (allow) return !allow.when || holds(allow.when, data.args ?? [], ownPid) ? SECCOMP_RET_ALLOW : SECCOMP_RET_TRACE;
  const fail = rules.fail.find((r) => r.name === name);
  if (fail) return (SECCOMP_RET_ERRNO | fail.errno) >>> 0;
  return SECCOMP_RET_TRACE;
}
