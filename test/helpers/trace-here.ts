// Traces PROG ARGS... (no policy) from this process's main thread, as a library caller would, and
// prints PROG's output, then {"gate", "status", "noNewPrivs" (this thread's, after)} as JSON. --take-descriptors first makes
// every descriptor from 3 to 9 one that the program inherits, so that the shell stage has none for
// its gate (src/launch/stage-gate.ts).
//
//   bun test/helpers/trace-here.ts [--take-descriptors] PROG [ARGS]...
import { dlopen } from "bun:ffi";
import { openSync, readFileSync } from "node:fs";
import { openGate } from "../../src/launch/stage-gate.ts";
import { selfCommand } from "../../src/launch/stage.ts";
import { programDescriptors } from "../../src/launch/program.ts";
import { traceProgram } from "../../src/tracer/tracer.ts";

const F_SETFD = 2;
let args = process.argv.slice(2);
if (args[0] === "--take-descriptors") {
  args = args.slice(1);
  const { symbols: libc } = dlopen("libc.so.6", { fcntl: { args: ["i32", "i32", "i32"], returns: "i32" }, dup2: { args: ["i32", "i32"], returns: "i32" } });
  const devNull = openSync("/dev/null", "r");
  for (let fd = 3; fd <= 9; fd++) {
    // Open ones (this process's own) are only made inheritable; closed ones get /dev/null.
    if (libc.fcntl(fd, F_SETFD, 0) === -1 && libc.dup2(devNull, fd) === -1) throw new Error(`descriptor ${fd}: cannot make it inheritable`);
  }
}
const gate = openGate(programDescriptors()) ?? null;
const [path, ...rest] = args;
const exit = traceProgram(
  { path: path!, argv: [path!, ...rest], env: { ...process.env }, descriptors: programDescriptors(), profile: undefined, self: selfCommand(), audit: false, strict: false },
  { started() {}, blocked() {}, warn() {} },
);
const noNewPrivs = /^NoNewPrivs:\s*1$/m.test(readFileSync("/proc/thread-self/status", "utf8"));
console.log(JSON.stringify({ gate, status: exit.status, noNewPrivs }));
