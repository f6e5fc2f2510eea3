// Imported first by the tracer thread's module, so that the JIT is held back before any other
// module of the thread is evaluated (jit-policy.ts); the tracer lets it go after the program's
// first stops (tracer.ts).
import { holdBackJit } from "../jit-policy.ts";

holdBackJit();
