// Errors thrown on the tracer thread reach the run as the same typed errors, with their cause
// (src/session/errors.ts): a Worker's structured clone alone would keep only the message.
import { expect, test } from "bun:test";
import { ProgramError, TracerError } from "../../src/launch/errors.ts";
import { SyscallError } from "../../src/libc/libc.ts";
import { errorData, errorFromData } from "../../src/session/errors.ts";

const across = (e: unknown) => errorFromData(structuredClone(errorData(e)));

test("a ProgramError and a TracerError come back as themselves, their cause too", () => {
  const program = across(new ProgramError("./prog: not a Go program", { cause: new TracerError("inner") }));
  expect(program).toBeInstanceOf(ProgramError);
  expect(program.message).toBe("./prog: not a Go program");
  expect(program.cause).toBeInstanceOf(TracerError);
  expect((program.cause as Error).message).toBe("inner");
  expect(across(new TracerError("lost the target"))).toBeInstanceOf(TracerError);
});

test("any other error becomes a TracerError with the same message, caused by the error as thrown", () => {
  const original = new SyscallError("ptrace", 3);
  const e = across(original);
  expect(e).toBeInstanceOf(TracerError);
  expect(e.message).toBe(original.message);
  const cause = e.cause as Error & { code?: string };
  expect(cause.name).toBe("SyscallError");
  expect(cause.code).toBe("ESRCH");
  expect(cause.stack).toBe(original.stack);
});

test("what is thrown need not be an Error", () => {
  const e = across("a string");
  expect(e).toBeInstanceOf(TracerError);
  expect(e.message).toBe("a string");
});
