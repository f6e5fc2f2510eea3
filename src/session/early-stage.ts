// The pre-exec stage of the run the command line has just parsed, started before the policy is
// read and handed to the tracer thread started first thing (thread.ts), so that the stage starts,
// and even execs, while the rest of the run is prepared (launch/seized-stage.ts). The tracer
// thread installs the filter at that exec, with the settings sent along, and lets the program run
// only if the stage is exactly the one the request asks for, with its filter; it kills it otherwise.
import { programDescriptors, programEnvironment, resolveProgram } from "../launch/program.ts";
import { preExecStage, selfCommand } from "../launch/stage.ts";
import { openGate, spawnStage } from "../launch/stage-gate.ts";
import { handOverEarlyStage, tracerThreadWaiting } from "./thread.ts";
import { SyscallError } from "../libc/libc.ts";
import { setNoNewPrivs, setNotDumpable } from "../libc/spawn.ts";

/**
 * Starts the stage of `argv` (PROG and its arguments) for the tracer thread started early, if
 * one waits; `policed`: the run judges a policy (its program gets goroutine ancestry);
 * `judgeMetadata`: its filter stops the metadata calls (--judge-metadata).
 */
export function startEarlyStage(argv: string[], policed: boolean, judgeMetadata: boolean): void {
  if (!tracerThreadWaiting()) return;
  // Before any program runs: the jailed program runs as this process's user, and could otherwise
  // open this process's /proc/PID/mem and write into the tracer.
  setNotDumpable();
  let path: string;
  try {
    path = resolveProgram(argv[0]!);
  } catch {
    return; // the run says why
  }
  let started;
  let descriptors: number[];
  try {
    // The stage inherits it, and the program after it: a seccomp filter needs it, and so the
    // tracer has one call less to inject at the exec (launch/inject.ts). This process never
    // needs to gain privileges.
    setNoNewPrivs();
    descriptors = programDescriptors();
    const gate = openGate(descriptors);
    const stage = preExecStage({ path, argv }, programEnvironment(policed), selfCommand(), gate?.fd);
    started = { stage, ...spawnStage(stage, gate, descriptors) };
  } catch (e) {
    // Out of descriptors or processes: the run starts its stage itself, and says what fails then.
    if (e instanceof SyscallError) return;
    throw e;
  }
  handOverEarlyStage(started.pid, started.stage, started.opener, { judgeMetadata, descriptors });
}
