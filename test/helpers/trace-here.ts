// Traces PROG ARGS... (no policy) from this process's main thread, as a library caller would, and
// prints PROG's output, then {"gate" (its number), "status", "noNewPrivs" (this thread's, after),
// "stray", "seccomp" (the run's seccomp stops), "dropped" (the stage started early was dropped for
// its filter)} as JSON. --take-descriptors first makes every descriptor from 3 to 9 one that the
// program inherits, so that the shell stage has none for its gate (src/launch/stage-gate.ts).
// --stray-descriptor starts the stage here, holding one descriptor more than the program is given
// ("stray"), as one that another thread had open for a moment at the spawn would be.
// --early-filter=plain|metadata starts the stage here and installs that filter at its exec (with
// --judge-metadata's stops or without), as the tracer thread does while a request is awaited;
// --judge-metadata is the request's.
//
//   bun test/helpers/trace-here.ts [--take-descriptors | --stray-descriptor | --early-filter=F] [--judge-metadata] PROG [ARGS]...
import { dlopen } from "bun:ffi";
import { readFileSync } from "node:fs";
import { openGate, spawnStage } from "../../src/launch/stage-gate.ts";
import { preExecStage, selfCommand } from "../../src/launch/stage.ts";
import { type EarlyStage, filterAtExec, seizeEarlyStage } from "../../src/launch/seized-stage.ts";
import { programDescriptors } from "../../src/launch/program.ts";
import { traceProgram } from "../../src/tracer/tracer.ts";
import { makeInheritable, openInheritable } from "./descriptors.ts";

const args = process.argv.slice(2);
const flag = args[0]?.startsWith("--") && args[0] !== "--judge-metadata" ? args.shift() : undefined;
const judgeMetadata = args[0] === "--judge-metadata";
if (judgeMetadata) args.shift();
const earlyFilter = flag?.startsWith("--early-filter=") ? flag.slice("--early-filter=".length) : undefined;
if (earlyFilter !== undefined && earlyFilter !== "plain" && earlyFilter !== "metadata") throw new Error(`--early-filter=${earlyFilter}: plain or metadata`);
if (flag === "--take-descriptors") {
  const { symbols: libc } = dlopen("libc.so.6", { dup2: { args: ["i32", "i32"], returns: "i32" } });
  const devNull = openInheritable();
  for (let fd = 3; fd <= 9; fd++) {
    // Open ones (this process's own) are only made inheritable; closed ones get /dev/null.
    if (!makeInheritable(fd) && libc.dup2(devNull, fd) === -1) throw new Error(`descriptor ${fd}: cannot make it inheritable`);
  }
}
const descriptors = programDescriptors();
const gate = openGate(descriptors);
const [path, ...rest] = args;
const target = { path: path!, argv: [path!, ...rest] };
const env = { ...process.env };
const stray = flag === "--stray-descriptor" ? openInheritable() : undefined;
let early: EarlyStage | undefined;
if (stray !== undefined || earlyFilter !== undefined) {
  const command = preExecStage(target, env, selfCommand(), gate?.fd);
  const { pid, opener } = spawnStage(command, gate, stray === undefined ? descriptors : [...descriptors, stray]);
  early = seizeEarlyStage(pid, command, opener);
  if (earlyFilter !== undefined) early = filterAtExec(early, { judgeMetadata: earlyFilter === "metadata", descriptors });
}
let seccomp: unknown = null;
let dropped = false;
const exit = traceProgram(
  { ...target, env, descriptors, profile: undefined, self: selfCommand(), audit: false, strict: false, judgeMetadata },
  {
    started() {},
    blocked() {},
    warn() {},
    debug(msg, fields) {
      if (msg === "stops") seccomp = fields.seccomp;
      if (msg === "the stage started early has another filter: dropped") dropped = true;
    },
  },
  early,
);
const noNewPrivs = /^NoNewPrivs:\s*1$/m.test(readFileSync("/proc/thread-self/status", "utf8"));
console.log(JSON.stringify({ gate: gate?.fd ?? null, status: exit.status, noNewPrivs, stray: stray ?? null, seccomp, dropped }));
