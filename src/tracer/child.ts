// The hidden child stage. gomodjail re-executes itself with CHILD_ENV set; that process stops
// itself until the tracer has seized it, then sets no_new_privs, installs the seccomp filter on
// its own thread and execs the target, so the target's first instruction already runs traced
// and filtered. It loads only what this needs (no CLI, no logger).
import { ptr } from "bun:ffi";
import { readFileSync } from "node:fs";
import type { ArchName } from "../arch/arch.ts";
import { buildFilter } from "../seccomp/filter.ts";
import { errno, errnoName, getpid, kill, prctl, raw } from "../syscalls/libc.ts";
import { cString, cStringArray, environmentArray } from "../syscalls/cstrings.ts";
import { SIGSTOP } from "../syscalls/ptrace.ts";
import { CHILD_ENV } from "./stage.ts";

export interface ChildRequest {
  /** The program to exec: a path, already resolved by the parent. */
  path: string;
  argv: string[];
  arch: ArchName;
}

const PR_SET_NO_NEW_PRIVS = 38;
const PR_SET_SECCOMP = 22;
const SECCOMP_MODE_FILTER = 2;
const SOCK_FILTER_SIZE = 8;

/** Exit statuses of the child stage, as a shell uses them. */
const EXIT_CANNOT_EXEC = 126;
const EXIT_NOT_FOUND = 127;

function tracerPid(): number {
  const m = /^TracerPid:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) : 0;
}

function die(message: string, status: number): never {
  process.stderr.write(`gomodjail: ${message}\n`);
  process.exit(status);
}

export function runChildStage(encoded: string): never {
  const req = JSON.parse(encoded) as ChildRequest;
  const env: Record<string, string | undefined> = { ...process.env };
  delete env[CHILD_ENV];

  // The parent seizes us while we are stopped. If we ever run on untraced (someone else sent
  // SIGCONT, or the parent died), exec'ing under a TRACE filter would break the target: stop.
  kill(getpid(), SIGSTOP);
  if (tracerPid() === 0) die("internal error: the child stage was resumed without a tracer", EXIT_CANNOT_EXEC);

  prctl(PR_SET_NO_NEW_PRIVS, 1);
  const filter = buildFilter(req.arch, { ownPid: getpid() });
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  const fprog = new BigUint64Array(2);
  fprog[0] = BigInt(filter.length / SOCK_FILTER_SIZE);
  fprog[1] = BigInt(ptr(filter));
  prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ptr(fprog));

  const path = cString(req.path);
  const argv = cStringArray(req.argv);
  const envp = environmentArray(env);
  raw.execve(path, argv.pointer, envp.pointer);
  const e = errno();
  die(`${req.path}: cannot execute: ${errnoName(e)}`, e === 2 ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}
