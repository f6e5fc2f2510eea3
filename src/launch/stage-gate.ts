// The gate a shell stage waits behind until the tracer has seized it (stage.ts): a pipe whose read
// end the stage holds as a descriptor from 3 to 9 (a shell redirects no higher) and reads to its
// end. The tracer closes the write end once it has seized the stage, which lets it through.
//
// Seizing a process that waits in read(2) is immediate. The alternative, a stage that stops
// itself with SIGSTOP (the tool's own child mode still does), is seized only once the kernel has
// scheduled it to stop again as a tracee, and takes three stops more to resume: on two busy cores,
// a millisecond or two of every run's start-up.
import { close } from "../libc/libc.ts";
import { pipe, posixSpawn } from "../libc/spawn.ts";
import type { Command } from "./stage.ts";

interface Gate {
  /** The descriptor the stage reads it from. */
  fd: number;
  /** The pipe's ends in this process. */
  readEnd: number;
  writeEnd: number;
}

const LOWEST_FD = 3;
const HIGHEST_FD = 9;

/**
 * A new gate, or undefined where every descriptor from 3 to 9 is one of the program's
 * (`descriptors`, programDescriptors): the stage's read end takes a number the stage would close.
 */
export function openGate(descriptors: readonly number[]): Gate | undefined {
  const [readEnd, writeEnd] = pipe();
  for (let fd = LOWEST_FD; fd <= HIGHEST_FD; fd++) {
    if (fd !== readEnd && fd !== writeEnd && !descriptors.includes(fd)) return { fd, readEnd, writeEnd };
  }
  close(readEnd);
  close(writeEnd);
  return undefined;
}

/**
 * Starts `command` with `descriptors` (the program's, programDescriptors), behind `gate` if its
 * command waits on it (a shell stage's), and closes what of the gate this process no longer needs.
 * Returns the stage's pid and the gate's write end, which opens it when closed (undefined: the
 * stage stops itself instead).
 */
export function spawnStage(command: Command, gate: Gate | undefined, descriptors: readonly number[]): { pid: number; opener: number | undefined } {
  const gated = gate !== undefined && command.gate === gate.fd;
  try {
    const pid = posixSpawn(command.path, command.argv, command.env, { keep: descriptors, dup2: gated ? [[gate.readEnd, gate.fd]] : [] });
    return { pid, opener: gated ? gate.writeEnd : undefined };
  } catch (e) {
    if (gated) close(gate.writeEnd);
    throw e;
  } finally {
    if (gate) close(gate.readEnd);
    if (gate && !gated) close(gate.writeEnd);
  }
}
