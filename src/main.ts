// The gomodjail executable, and the one place where start-up does things out of the ordinary
// order; docs/startup.md has the figure each was kept for. Before the command line (commander,
// cli/main.ts) loads:
// - the hidden child stage runs and nothing else: it starts fast and can never run the CLI (and
//   so never spawn again);
// - a command line whose first word that is not an option is `run` starts the tracer thread
//   first thing and holds the JIT back, so that the thread's boot overlaps the CLI's (this peek
//   decides nothing: commander parses the arguments, and run's action starts the stage);
// - a compiled gomodjail with a program packed at its end (src/pack/format.ts) runs that program;
//   telling costs one read of its last bytes;
// - `--version` is answered from a constant.
// Anywhere but Linux (x86_64, aarch64) it says so and exits 1.
import { failureText, writeFully } from "./output.ts";
import { versionLine } from "./version.ts";
import { unsupportedPlatform } from "./cli/platform.ts";
import { readPackedLayout } from "./pack/format.ts";
import { holdBackJit, releaseJit } from "./jit-policy.ts";
import { mark } from "./timeline.ts";
import { CHILD_ENV, compiled } from "./launch/stage.ts";
import { discardEarlyStage, startTracerThread } from "./session/thread.ts";

async function start(): Promise<void> {
  const childRequest = process.env[CHILD_ENV];
  if (childRequest !== undefined) {
    const { runChildStage } = await import("./launch/child.ts");
    runChildStage(childRequest);
  }
  const refusal = unsupportedPlatform(process.platform, process.arch);
  if (refusal) {
    writeFully(2, `${refusal}\n`);
    process.exit(1);
  }
  const args = process.argv.slice(2);
  // Its first word that is not an option names the command (only --debug may come before it).
  // A packed program's run takes the thread too.
  const running = args.find((a) => !a.startsWith("-")) === "run";
  if (running) {
    // A run's start-up is short work (jit-policy.ts): the compiled binary starts with the JIT held back.
    holdBackJit();
    startTracerThread();
  } else {
    // Every other command's may be long.
    releaseJit();
  }
  if (compiled) {
    const packed = packedLayout();
    if (packed) {
      const { runPacked } = await import("./pack/packed.ts");
      // process.argv[0] is "bun" in a compiled binary; argv0 is what the caller exec'd.
      process.exitCode = await runPacked(packed, process.argv0, args);
      return;
    }
  }
  // The version is what scripts and package managers ask first, and all it needs is a constant:
  // loading the command line would make it 3-4 times as slow (docs/design.md, start-up).
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
    writeFully(1, `${versionLine}\n`);
    process.exit(0);
  }
  const { main } = await import("./cli/main.ts");
  mark("cli_loaded");
  const status = await main(args);
  // Exit as soon as the answer is known: tearing down the tracer thread and the runtime costs
  // more than the whole traced run of a small program. A run owes nothing once it has its
  // status (its records are written synchronously, and a cache fill it started reads its input
  // from a file): it ends at once, as its tracer thread does where it can (session/worker.ts).
  if (running) {
    discardEarlyStage();
    (await import("./libc/libc.ts")).exitProcess(status);
  }
  process.exit(status);
}

/** This executable's packed program, read through the open file (/proc/self/exe). */
function packedLayout(): ReturnType<typeof readPackedLayout> {
  try {
    return readPackedLayout("/proc/self/exe", process.execPath);
  } catch (e) {
    writeFully(2, failureText(e, false));
    process.exit(1);
  }
}

void start();
