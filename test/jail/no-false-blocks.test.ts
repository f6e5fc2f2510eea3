// Fail closed costs nothing when nothing is confined on the stack: the attribution corpus, built
// with every toolchain in every amd64 variant, runs under a policy that confines a module it does
// not contain, and prints what it prints natively with nothing blocked. (A walk that cannot
// reach a stack's root would block, and show here.)
import { expect, test } from "bun:test";
import { corpusBinary, corpusBuilds } from "../helpers/corpus.ts";
import { blockedLines, runGomodjail } from "../helpers/gomodjail.ts";

for (const build of corpusBuilds().filter((b) => b.goarch === "amd64")) {
  test(`${build.label}: same output as natively, nothing blocked`, async () => {
    const prog = corpusBinary(build);
    const native = Bun.spawnSync([prog], { stdout: "pipe", stderr: "pipe" });
    const r = await runGomodjail(["run", "--policy=example.com/not-in-this-program=confined", "--", prog]);
    expect(blockedLines(r.stderr)).toEqual([]);
    expect(r.stdout).toBe(native.stdout.toString());
    expect(r.exitCode).toBe(native.exitCode);
  });
}
