// The gomodjail executable. The hidden child stage is recognised before anything else is
// loaded, so that it starts fast and can never run the CLI (and so never spawn again). A
// compiled gomodjail with a program packed at its end (src/pack/format.ts) runs that program
// instead of the CLI; telling costs one read of its last bytes.
import { writeSync } from "node:fs";
import { readPackedLayout } from "./pack/format.ts";
import { CHILD_ENV, compiled } from "./tracer/stage.ts";

async function start(): Promise<void> {
  const childRequest = process.env[CHILD_ENV];
  if (childRequest !== undefined) {
    const { runChildStage } = await import("./tracer/child.ts");
    runChildStage(childRequest);
  }
  if (compiled) {
    const packed = packedLayout();
    if (packed) {
      const { runPacked } = await import("./pack/packed.ts");
      process.exitCode = await runPacked(packed, process.argv.slice(2));
      return;
    }
  }
  const { main } = await import("./cli/main.ts");
  // Exit as soon as the answer is known: tearing down the tracer thread and the runtime costs
  // more than the whole traced run of a small program (logs are written synchronously).
  process.exit(await main(process.argv.slice(2)));
}

/** This executable's packed program, read through the open file (/proc/self/exe). */
function packedLayout(): ReturnType<typeof readPackedLayout> {
  try {
    return readPackedLayout("/proc/self/exe", process.execPath);
  } catch (e) {
    writeSync(2, `gomodjail: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

void start();
