// How eagerly JavaScriptCore compiles this thread's functions. It compiles a function to machine
// code once the function has run a few hundred times; a jailed run's start-up runs thousands of
// functions a handful of times each (the command line, the tracer thread's set-up, the program's
// first decisions), and compiling them cost more than it saved: a hello world ran 2.5 ms sooner
// with the compilers held back (bench/README.md). Each thread holds them back from its start (the
// compiled binary from its very first instruction: the Makefile's --compile-jit-policy) and lets
// them go once its start-up is behind it, so that a long run's hot paths are compiled as usual.
// An older Bun (the npm package runs on the user's where it has no binary for the platform, and
// the library always does) has no JIT policy: both are no-ops there.

/** The factor by which start-up raises the JIT's thresholds; the Makefile and pack/base.ts bake in the same. */
export const START_UP_JIT_POLICY = 100;

export function holdBackJit(): void {
  Bun.unsafe.setJITPolicy?.(START_UP_JIT_POLICY);
}

export function releaseJit(): void {
  Bun.unsafe.setJITPolicy?.(1);
}
