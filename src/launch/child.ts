// The hidden child mode: the pre-exec stage where the system has no shell (stage.ts). gomodjail
// re-executes itself with CHILD_ENV set; that process stops itself until the tracer has seized
// it, then execs the target. The tracer installs the filter at that exec (inject.ts), so this
// loads nothing else: no CLI, no logger, no filter code.
import { readFileSync } from "node:fs";
import { errorLine, writeFully } from "../output.ts";
import { errno, errnoName, getpid, kill } from "../libc/libc.ts";
import { execve } from "../libc/spawn.ts";
import { SIGSTOP } from "../libc/ptrace.ts";
import { type ChildRequest, CHILD_ENV } from "./stage.ts";

/** Exit statuses of the child stage, as a shell uses them. */
const EXIT_CANNOT_EXEC = 126;
const EXIT_NOT_FOUND = 127;

function tracerPid(): number {
  const m = /^TracerPid:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) : 0;
}

function die(message: string, status: number): never {
  writeFully(2, errorLine(message));
  process.exit(status);
}

export function runChildStage(encoded: string): never {
  const req = JSON.parse(encoded) as ChildRequest;
  const env: Record<string, string | undefined> = { ...process.env };
  delete env[CHILD_ENV];

  // The parent seizes us while we are stopped. If we ever run on untraced (someone else sent
  // SIGCONT, or the parent died), the target would run without its filter: stop.
  kill(getpid(), SIGSTOP);
  if (tracerPid() === 0) die("internal error: the child stage was resumed without a tracer", EXIT_CANNOT_EXEC);

  execve(req.path, req.argv, env);
  const e = errno();
  die(`${req.path}: cannot execute: ${errnoName(e)}`, e === 2 ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}
