// Verdicts on goroutines' creators, taken by the tracer as each goroutine was created
// (src/tracer/creations.ts): its creator's whole stack, where g.ancestors keeps only the innermost
// frames (docs/design.md #5). The decision reads them where the runtime truncated an ancestry.
import type { Verdict } from "./verdict.ts";

/** Bounds the records of all processes together; goroutine-heavy programs make many. */
const MAX_CREATION_VERDICTS = 100_000;

/** Per process (tgid), per g address: the goroutine (goid) created there and the verdict on its creators. */
export class CreationVerdicts {
  private readonly byProcess = new Map<number, Map<number, { goid: number; verdict: Verdict }>>();
  private count = 0;

  /**
   * Records the verdict on the creators of goroutine `goid`, created at g address `gAddr` of
   * process `tgid`. A g is reused for later goroutines: the newest replaces what it held.
   */
  record(tgid: number, gAddr: number, goid: number, verdict: Verdict): void {
    let gs = this.byProcess.get(tgid);
    if (!gs) this.byProcess.set(tgid, (gs = new Map()));
    // Deleted first, so that the map's order stays the order of creation and the oldest goes first.
    if (gs.delete(gAddr)) this.count--;
    else if (this.count >= MAX_CREATION_VERDICTS) this.dropOldest(gs);
    gs.set(gAddr, { goid, verdict });
    this.count++;
  }

  /** The verdict recorded for goroutine `goid` at `gAddr` of process `tgid`, if any. */
  verdict(tgid: number, gAddr: number, goid: number): Verdict | undefined {
    const r = this.byProcess.get(tgid)?.get(gAddr);
    return r && r.goid === goid ? r.verdict : undefined;
  }

  /** The process exited or exec'd: its addresses mean nothing from now on. */
  forgetProcess(tgid: number): void {
    const gs = this.byProcess.get(tgid);
    if (!gs) return;
    this.count -= gs.size;
    this.byProcess.delete(tgid);
  }

  get size(): number {
    return this.count;
  }

  /** Makes room in `gs`, else in the process with the most records. */
  private dropOldest(gs: Map<number, unknown>): void {
    let from = gs;
    if (from.size === 0) for (const other of this.byProcess.values()) if (other.size > from.size) from = other;
    const oldest = from.keys().next();
    if (oldest.done) return;
    from.delete(oldest.value);
    this.count--;
  }
}
