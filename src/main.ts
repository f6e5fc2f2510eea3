// The gomodjail executable. The hidden child stage is recognised before anything else is
// loaded, so that it starts fast and can never run the CLI (and so never spawn again).
import { CHILD_ENV } from "./tracer/stage.ts";

async function start(): Promise<void> {
  const childRequest = process.env[CHILD_ENV];
  if (childRequest !== undefined) {
    const { runChildStage } = await import("./tracer/child.ts");
    runChildStage(childRequest);
  }
  const { main } = await import("./cli/main.ts");
  process.exitCode = await main(process.argv.slice(2));
}

void start();
