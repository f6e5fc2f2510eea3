// A short run of the fuzzer (test/fuzz/fuzz.ts runs the long one): a few thousand damaged
// go.mod files, ELF headers, build information and pclntabs of real binaries, each of which
// must end in a result or in the readers' typed errors. Slow inputs are printed, not failed:
// a test's duration depends on the machine.
import { describe, expect, test } from "bun:test";
import { type Failure, formatFailure, formatStats, runFuzz } from "./engine.ts";
import { goModSeeds, loadBinaries, quickBinaries } from "./seeds.ts";
import { makeTargets, TARGET_NAMES } from "./targets.ts";

const INPUTS_PER_TARGET = 500;

describe("fuzzing the parsers", () => {
  test(`${INPUTS_PER_TARGET} inputs per target end in a result or a typed error`, async () => {
    const targets = makeTargets(TARGET_NAMES, loadBinaries(quickBinaries()), goModSeeds());
    const slow: Failure[] = [];
    const result = await runFuzz(targets, {
      seed: 1,
      end: INPUTS_PER_TARGET * targets.length,
      timeBudgetMs: 1000,
      maxRssBytes: 4 * 2 ** 30,
      onFailure: (f) => (f.kind === "slow" ? slow : []).push(f),
    });
    for (const t of targets) t.close?.();
    console.log(formatStats(result.stats));
    for (const f of slow) console.log(`slow input (not a test failure): ${formatFailure(f)}`);

    expect(result.failures.filter((f) => f.kind !== "slow").map(formatFailure)).toEqual([]);
    for (const [name, s] of result.stats) {
      expect({ name, inputs: s.inputs }).toEqual({ name, inputs: INPUTS_PER_TARGET });
      // Each target both parses some inputs and refuses others: the mutations reach the parsers'
      // checks without only ever breaking the first one.
      if (name !== "modules") expect({ name, rejected: s.rejected > 0, answered: s.ok + s.partial > 0 }).toEqual({ name, rejected: true, answered: true });
    }
  });
});
