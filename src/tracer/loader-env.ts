// Loader variables: environment variables that make the dynamic loader or libc of a program load
// code or write files. A confined module sets one with os.Setenv, which makes no syscall, and
// the program's next ordinary exec hands it to a new image, unconfined. What the variable names
// cannot be judged (a descriptor re-flagged without a stop, /dev/stdin, a regular file), nor can
// the envp of an execve (the tracee's memory, changing under the tracer). So the environment is
// read at the exec event, copied into the new image before its loader has run: a checked
// variable that the program was not started with, or with another value, kills the new image.
import { readFileSync, readlinkSync } from "node:fs";
import { kill, SyscallError } from "../libc/libc.ts";
import { SIGKILL } from "../libc/ptrace.ts";
import type { BlockedSyscall } from "./hooks.ts";

interface LoaderVariable {
  name: string;
  /** Checked at every exec: the loader or libc loads code, or writes files, because of it. */
  checked: boolean;
  why: string;
}

/**
 * glibc's "unsecure" variables (sysdeps/generic/unsecvars.h: what it drops for setuid programs)
 * and the few others it reads that write files, each in (checked) or out, and why.
 */
const loaderVariables: readonly LoaderVariable[] = [
  { name: "GCONV_PATH", checked: true, why: "iconv loads its conversion modules, shared objects, from these directories" },
  { name: "GETCONF_DIR", checked: true, why: "getconf runs the programs in this directory" },
  { name: "GLIBC_TUNABLES", checked: true, why: "parsed by the loader before the program runs, where a bug ran code (CVE-2023-4911)" },
  { name: "HOSTALIASES", checked: false, why: "a file of host name aliases the resolver reads: no code, nothing written" },
  { name: "LD_AUDIT", checked: true, why: "the loader loads these audit objects, which run before the program" },
  { name: "LD_DEBUG", checked: false, why: "diagnostics on stderr; files only where LD_DEBUG_OUTPUT says, which is checked" },
  { name: "LD_DEBUG_OUTPUT", checked: true, why: "the loader writes its diagnostics to files at this path" },
  { name: "LD_DYNAMIC_WEAK", checked: false, why: "how weak symbols bind among the objects loaded anyway: loads nothing" },
  { name: "LD_HWCAP_MASK", checked: false, why: "chooses among the hardware subdirectories of the loader's own search path" },
  { name: "LD_LIBRARY_PATH", checked: true, why: "the loader looks for every library in these directories first" },
  { name: "LD_ORIGIN_PATH", checked: true, why: "what $ORIGIN means where the loader cannot read /proc/self/exe: libraries are found under it" },
  { name: "LD_PRELOAD", checked: true, why: "the loader loads these objects into the program before its own libraries" },
  { name: "LD_PROFILE", checked: true, why: "the loader writes profiling data for this object to a file" },
  { name: "LD_PROFILE_OUTPUT", checked: true, why: "the directory LD_PROFILE's file is written to" },
  { name: "LD_SHOW_AUXV", checked: false, why: "prints the auxiliary vector on stdout: no code, no file" },
  { name: "LD_USE_LOAD_BIAS", checked: false, why: "where a position-independent program is mapped: loads nothing" },
  { name: "LOCALDOMAIN", checked: false, why: "the resolver's search domains: no code, nothing written" },
  { name: "LOCPATH", checked: false, why: "where locale data is read from: data, mapped and never run" },
  { name: "MALLOC_TRACE", checked: true, why: "mtrace writes a trace of every allocation to this file" },
  { name: "MEMUSAGE_OUTPUT", checked: true, why: "libmemusage (where preloaded) writes its profile to this file" },
  { name: "NIS_PATH", checked: false, why: "the NIS+ search path (gone from glibc): no code, nothing written" },
  { name: "NLSPATH", checked: false, why: "where catopen reads message catalogs: data" },
  { name: "PCPROFILE_OUTPUT", checked: true, why: "libpcprofile (where preloaded) writes its profile to this file" },
  { name: "RESOLV_HOST_CONF", checked: false, why: "a host.conf the resolver reads: data" },
  { name: "RES_OPTIONS", checked: false, why: "the resolver's options: no code, nothing written" },
  { name: "SEGFAULT_OUTPUT_NAME", checked: true, why: "libSegFault (where preloaded) writes its report to this file" },
  { name: "TMPDIR", checked: false, why: "where a program puts its temporary files: what it writes there is its own" },
  { name: "TZDIR", checked: false, why: "where time zone data is read from: data" },
];

/** The names of the checked variables. */
const checkedLoaderVariables: ReadonlySet<string> = new Set(loaderVariables.filter((v) => v.checked).map((v) => v.name));

/** What is wrong with allowing `names` (a name gomodjail does not check is a mistake), or undefined. */
export function allowanceMistake(names: readonly string[]): string | undefined {
  const unchecked = names.find((n) => !checkedLoaderVariables.has(n));
  if (unchecked === undefined) return undefined;
  return `${JSON.stringify(unchecked)} is not a loader variable gomodjail checks (${[...checkedLoaderVariables].join(", ")})`;
}

/** A checked variable in a new image's environment that differs from the program's start. */
interface LoaderVariableChange {
  name: string;
  value: string;
  /** Its value when the program was started; undefined when it had none. */
  was: string | undefined;
}

/**
 * The checked variables of `environ` (the NUL-separated text of /proc/PID/environ) that are not
 * in `started` with the same value, every entry of a name (glibc's loader takes the last, getenv
 * the first), compared as bytes.
 */
export function changedLoaderVariables(environ: Uint8Array, started: Readonly<Record<string, string | undefined>>, allowed: ReadonlySet<string>): LoaderVariableChange[] {
  const changes: LoaderVariableChange[] = [];
  const bytes = Buffer.from(environ.buffer, environ.byteOffset, environ.byteLength);
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    const entry = bytes.subarray(start, end);
    const eq = entry.indexOf(0x3d);
    if (eq > 0) {
      const name = entry.toString("latin1", 0, eq);
      if (checkedLoaderVariables.has(name) && !allowed.has(name)) {
        const value = entry.subarray(eq + 1);
        const was = started[name];
        if (was === undefined || !value.equals(Buffer.from(was))) changes.push({ name, value: value.toString(), was });
      }
    }
    start = end + 1;
  }
  return changes;
}

/** Longer values are cut in the log: an environment string may be 128 KiB. */
const SHOWN_VALUE = 200;

function shown(value: string): string {
  return value.length > SHOWN_VALUE ? `${value.slice(0, SHOWN_VALUE)}...` : value;
}

function describeChange(c: LoaderVariableChange): string {
  const set = `loader variable ${c.name}=${shown(c.value)}`;
  return c.was === undefined ? `${set} was not in the environment the program was started with` : `${set} was ${shown(c.was)} when the program was started`;
}

/**
 * Judges the environment of each new image at its exec event, against the one the program was
 * started with. Made only where the policy confines a module: otherwise nothing can have set one.
 */
export class LoaderEnvCheck {
  private readonly allowed: ReadonlySet<string>;

  constructor(
    private readonly started: Readonly<Record<string, string | undefined>>,
    allowed: readonly string[],
    private readonly audit: boolean,
    private readonly blocked: (event: BlockedSyscall) => void,
  ) {
    this.allowed = new Set(allowed);
  }

  /**
   * At process `pid`'s exec event: whether it was killed for a changed loader variable (then it
   * must not be resumed). The change is reported, and in audit mode only reported. An
   * environment that cannot be read is a refusal too, unless the process is gone.
   */
  refuses(pid: number): boolean {
    let reason: string;
    try {
      const changes = changedLoaderVariables(readFileSync(`/proc/${pid}/environ`), this.started, this.allowed);
      if (changes.length === 0) return false;
      reason = changes.map(describeChange).join("; ");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ESRCH") return false;
      reason = `cannot read the new program's environment: ${(e as Error).message}`;
    }
    const program = programPath(pid);
    this.blocked({ pid, exe: program, syscall: "execve", entry: program, module: "unknown", reason, audit: this.audit });
    if (this.audit) return false;
    try {
      kill(pid, SIGKILL);
    } catch (e) {
      if (!(e instanceof SyscallError && e.code === "ESRCH")) throw e;
    }
    return true;
  }
}

function programPath(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return "unknown";
  }
}
