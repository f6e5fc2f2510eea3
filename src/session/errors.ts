// How an error crosses the tracer thread's boundary. A Worker's messages are structured clones,
// which keep an Error's message but not its class, nor a class's own fields: the thread sends
// the error as data (name, message, stack, code, and its cause, the same way), and the run
// rebuilds it as the class it was. ProgramError and TracerError come back as themselves, which
// is what the command line tells apart (a program the policy cannot hold, or a tracer failure);
// any other error becomes a TracerError whose `cause` is the error as thrown, name, code and
// stack included.
import { ProgramError, TracerError } from "../launch/errors.ts";

export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
  /** SyscallError's errno name, and node's error codes. */
  code?: string;
  cause?: ErrorData;
}

/** Rebuilt as their own class; the rest are a TracerError's cause. */
const CROSSING: Record<string, new (message: string, options?: ErrorOptions) => Error> = { ProgramError, TracerError };

/** `err` as data a structured clone keeps whole. */
export function errorData(err: unknown): ErrorData {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    ...(typeof code === "string" && { code }),
    ...(err.cause !== undefined && { cause: errorData(err.cause) }),
  };
}

/** The error `data` describes, as the class it was thrown as where that crosses, else a TracerError caused by it. */
export function errorFromData(data: ErrorData): ProgramError | TracerError {
  const e = rebuild(data);
  return e instanceof ProgramError || e instanceof TracerError ? e : new TracerError(data.message, { cause: e });
}

function rebuild(data: ErrorData): Error {
  const options = data.cause === undefined ? undefined : { cause: rebuild(data.cause) };
  const Class = CROSSING[data.name];
  const e = Class ? new Class(data.message, options) : new Error(data.message, options);
  if (!Class) e.name = data.name;
  if (data.stack !== undefined) e.stack = data.stack;
  if (data.code !== undefined) Object.assign(e, { code: data.code });
  return e;
}
