// Verdicts on goroutines' creators, taken by the tracer as each goroutine was created
// (src/tracer/creations.ts): its creator's whole stack, where g.ancestors keeps only the innermost
// frames (docs/design.md #5). The decision reads them where the runtime truncated an ancestry.
// Most goroutines never make a call that is stopped, so the tracer may put a judgment off: it
// copies what the judgment needs at the creation and judges when the verdict is first asked for.
import type { Verdict } from "./verdict.ts";

/** A judgment put off until its verdict is first asked for. */
export abstract class PutOffVerdict {
  /**
   * Judges, once, on what was copied at the creation; undefined where the creation turns out to
   * be no `go` statement's (nothing to record).
   */
  abstract settle(): Verdict | undefined;
  /** Nothing can ask for it any more (its g holds another goroutine, or its process is gone): let go of what it holds. */
  abstract discard(): void;
}

/** What a record holds: a verdict, or its judgment put off. */
type CreationRecord = Verdict | PutOffVerdict;

/** Bounds the records of all processes together; goroutine-heavy programs make many. */
const MAX_CREATION_VERDICTS = 100_000;

interface Entry {
  goid: number;
  record: CreationRecord;
}

/** Per process (tgid), per g address: the goroutine (goid) created there and the verdict on its creators. */
export class CreationVerdicts {
  private readonly byProcess = new Map<number, Map<number, Entry>>();
  private count = 0;

  /**
   * Records the verdict on the creators of goroutine `goid`, created at g address `gAddr` of
   * process `tgid`, or its judgment put off. A g is reused for later goroutines: the newest
   * replaces what it held.
   */
  record(tgid: number, gAddr: number, goid: number, record: CreationRecord): void {
    let gs = this.byProcess.get(tgid);
    if (!gs) this.byProcess.set(tgid, (gs = new Map()));
    // Deleted first, so that the map's order stays the order of creation and the oldest goes first.
    const replaced = gs.get(gAddr);
    if (replaced) {
      gs.delete(gAddr);
      discard(replaced);
      this.count--;
    } else if (this.count >= MAX_CREATION_VERDICTS) {
      this.dropOldest(gs);
    }
    gs.set(gAddr, { goid, record });
    this.count++;
  }

  /** The verdict recorded for goroutine `goid` at `gAddr` of process `tgid`, if any; a judgment put off is settled now. */
  verdict(tgid: number, gAddr: number, goid: number): Verdict | undefined {
    const r = this.byProcess.get(tgid)?.get(gAddr);
    if (!r || r.goid !== goid) return undefined;
    if (!(r.record instanceof PutOffVerdict)) return r.record;
    const verdict = r.record.settle();
    if (verdict) r.record = verdict;
    return verdict;
  }

  /** The process exited or exec'd: its addresses mean nothing from now on. */
  forgetProcess(tgid: number): void {
    const gs = this.byProcess.get(tgid);
    if (!gs) return;
    for (const r of gs.values()) discard(r);
    this.count -= gs.size;
    this.byProcess.delete(tgid);
  }

  get size(): number {
    return this.count;
  }

  /** Makes room in `gs`, else in the process with the most records. */
  private dropOldest(gs: Map<number, Entry>): void {
    let from = gs;
    if (from.size === 0) for (const other of this.byProcess.values()) if (other.size > from.size) from = other;
    const oldest = from.entries().next();
    if (oldest.done) return;
    from.delete(oldest.value[0]);
    discard(oldest.value[1]);
    this.count--;
  }
}

function discard(entry: Entry): void {
  if (entry.record instanceof PutOffVerdict) entry.record.discard();
}
