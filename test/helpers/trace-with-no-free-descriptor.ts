// Traces PROG ARGS... (no policy) in this process after making every descriptor from 3 to 9 one
// that the program inherits, so that the shell stage has no descriptor for its gate
// (src/tracer/stage-gate.ts). Prints PROG's output, then {"gate": ..., "status": ...} as JSON.
//
//   bun test/helpers/trace-with-no-free-descriptor.ts PROG [ARGS]...
import { dlopen } from "bun:ffi";
import { openSync } from "node:fs";
import { openGate } from "../../src/tracer/stage-gate.ts";
import { selfCommand } from "../../src/tracer/stage.ts";
import { traceProgram } from "../../src/tracer/tracer.ts";

const F_SETFD = 2;
const { symbols: libc } = dlopen("libc.so.6", { fcntl: { args: ["i32", "i32", "i32"], returns: "i32" }, dup2: { args: ["i32", "i32"], returns: "i32" } });
const devNull = openSync("/dev/null", "r");
for (let fd = 3; fd <= 9; fd++) {
  // Open ones (this process's own) are only made inheritable; closed ones get /dev/null.
  if (libc.fcntl(fd, F_SETFD, 0) === -1 && libc.dup2(devNull, fd) === -1) throw new Error(`descriptor ${fd}: cannot make it inheritable`);
}
const gate = openGate() ?? null;
const [path, ...args] = process.argv.slice(2);
const exit = traceProgram(
  { path: path!, argv: [path!, ...args], env: { ...process.env }, profile: undefined, self: selfCommand(), audit: false, strict: false },
  { started() {}, blocked() {}, warn() {} },
);
console.log(JSON.stringify({ gate, status: exit.status }));
