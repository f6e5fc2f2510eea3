// The records of goroutines' creators: a judgment put off is settled once, when first asked for,
// and let go of where nothing can ask for it any more.
import { describe, expect, test } from "bun:test";
import { CreationVerdicts, PutOffVerdict } from "../../src/decision/creations.ts";
import type { Verdict } from "../../src/decision/verdict.ts";

class CountingPutOff extends PutOffVerdict {
  settled = 0;
  discarded = 0;
  constructor(private readonly verdict: Verdict | undefined) {
    super();
  }
  settle(): Verdict | undefined {
    this.settled++;
    return this.verdict;
  }
  discard(): void {
    this.discarded++;
  }
}

const clean: Verdict = { block: false };

describe("CreationVerdicts", () => {
  test("a judgment put off is settled when its verdict is first asked for, and only then", () => {
    const verdicts = new CreationVerdicts();
    const putOff = new CountingPutOff(clean);
    verdicts.record(1, 0xc000, 7, putOff);
    expect(putOff.settled).toBe(0);
    expect(verdicts.verdict(1, 0xc000, 7)).toEqual(clean);
    expect(verdicts.verdict(1, 0xc000, 7)).toEqual(clean);
    expect(putOff.settled).toBe(1);
  });

  test("another goroutine's verdict at the same g settles nothing", () => {
    const verdicts = new CreationVerdicts();
    const putOff = new CountingPutOff(clean);
    verdicts.record(1, 0xc000, 7, putOff);
    expect(verdicts.verdict(1, 0xc000, 8)).toBeUndefined();
    expect(verdicts.verdict(2, 0xc000, 7)).toBeUndefined();
    expect(putOff.settled).toBe(0);
  });

  test("a judgment that finds no `go` statement's creation records nothing", () => {
    const verdicts = new CreationVerdicts();
    verdicts.record(1, 0xc000, 7, new CountingPutOff(undefined));
    expect(verdicts.verdict(1, 0xc000, 7)).toBeUndefined();
  });

  test("a judgment put off is discarded when its g holds a later goroutine, and when its process is gone", () => {
    const verdicts = new CreationVerdicts();
    const first = new CountingPutOff(clean);
    const second = new CountingPutOff(clean);
    verdicts.record(1, 0xc000, 7, first);
    verdicts.record(1, 0xc000, 9, second);
    expect([first.discarded, second.discarded]).toEqual([1, 0]);
    verdicts.forgetProcess(1);
    expect([first.discarded, second.discarded]).toEqual([1, 1]);
    expect(verdicts.size).toBe(0);
    expect(first.settled + second.settled).toBe(0);
  });

  test("the oldest record goes when there are too many (100,000), its judgment put off discarded", () => {
    const verdicts = new CreationVerdicts();
    const oldest = new CountingPutOff(clean);
    verdicts.record(1, 0, 0, oldest);
    for (let i = 1; i <= 100_000; i++) verdicts.record(1, 16 * i, i, clean);
    expect(verdicts.size).toBe(100_000);
    expect(oldest.discarded).toBe(1);
    expect(verdicts.verdict(1, 0, 0)).toBeUndefined();
  });
});
