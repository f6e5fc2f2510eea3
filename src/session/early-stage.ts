// The pre-exec stage a `gomodjail run` command line will ask for, guessed from its raw arguments
// before the command line is parsed, and started so that it runs while the rest of gomodjail
// loads (launch/seized-stage.ts). A wrong guess costs only time: the tracer thread lets a stage
// exec the target only if it is exactly the stage the parsed request asks for, and kills it
// otherwise.
import type { ChildRequest } from "../launch/stage.ts";
import { programEnvironment, resolveProgram } from "../launch/program.ts";
import { preExecStage, selfCommand } from "../launch/stage.ts";
import { openGate, spawnStage } from "../launch/stage-gate.ts";
import { handOverEarlyStage } from "./thread.ts";
import { SyscallError } from "../libc/libc.ts";
import { setNoNewPrivs, setNotDumpable } from "../libc/spawn.ts";

/** Starts the stage guessed from gomodjail's arguments, if any, for the tracer thread started early. */
export function startEarlyStage(args: string[]): void {
  // Before any program runs, guessed or not: the jailed program runs as this process's user, and
  // could otherwise open this process's /proc/PID/mem and write into the tracer.
  setNotDumpable();
  const run = guessRun(args);
  if (!run) return;
  let started;
  try {
    // The stage inherits it, and the program after it: a seccomp filter needs it, and so the
    // tracer has one call less to inject at the exec (launch/inject.ts). This process never
    // needs to gain privileges.
    setNoNewPrivs();
    const gate = openGate();
    const stage = preExecStage(run.target, run.env, selfCommand(), gate?.fd);
    started = { stage, ...spawnStage(stage, gate) };
  } catch (e) {
    // Out of descriptors or processes: the run starts its stage itself, and says what fails then.
    if (e instanceof SyscallError) return;
    throw e;
  }
  handOverEarlyStage(started.pid, started.stage, started.opener);
}

/** The program a run's arguments name and its environment, or undefined where they name none that can be started. */
function guessRun(args: string[]): { target: ChildRequest; env: Record<string, string | undefined> } | undefined {
  const rest = args.slice(args.indexOf("run") + 1);
  // The program follows "--", or else is the first argument that is not an option (options
  // written with their value, --go-mod=FILE; any other guess is caught when the request comes).
  const dashes = rest.indexOf("--");
  const progAt = dashes >= 0 ? dashes + 1 : rest.findIndex((a) => !a.startsWith("-"));
  const prog = rest[progAt];
  if (progAt < 0 || prog === undefined) return undefined;
  const options = rest.slice(0, dashes >= 0 ? dashes : progAt);
  if (options.some((o) => o === "-h" || o === "--help")) return undefined;
  const policed = options.some((o) => /^--(go-mod|policy)(=|$)/.test(o));
  let path: string;
  try {
    path = resolveProgram(prog);
  } catch {
    return undefined; // the command line says why
  }
  return { target: { path, argv: [prog, ...rest.slice(progAt + 1)] }, env: programEnvironment(policed) };
}
