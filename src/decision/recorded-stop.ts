// A seccomp stop as the decision engine saw it: the registers, every piece of memory and every
// /proc fact the decision read, and what it decided. Recorded from a real run, a stop replays
// the same decision with no process behind it, so that unwinding, inline expansion, the
// creators check and the verdict are unit-tested on real stacks (test/decision).
import type { ArchSpec, SyscallRegs } from "../arch/arch.ts";
import type { ArchName } from "../arch/name.ts";
import type { LogicalFrame } from "../gobin/pclntab.ts";
import type { MemoryBuffer } from "../unwind/memory.ts";
import { type DecidedStop, type Decision, Decider, type DeciderOptions, type StopDecider } from "./decider.ts";
import type { PolicedImage, ProcessImage } from "./image.ts";
import type { Involvement } from "./involvement.ts";
import type { CodeMapping, Tracee } from "./tracee.ts";

/** One read that returned bytes: `bytes` (base64) were at `addr`. */
interface RecordedRead {
  addr: number;
  bytes: string;
}

/** What came of a decision, in a form that compares and serializes. */
export interface RecordedOutcome {
  /** False where the decision let the call through without a look (only the dynamic loader had run). */
  judged: boolean;
  block: boolean;
  module?: string;
  reason?: string;
  /** FILE:LINE:FUNC of the frame the verdict names. */
  entry?: string;
  /** The judged stack, innermost first, FUNC FILE:LINE per logical frame. */
  stack: string[];
  complete: boolean;
  leafInGo: boolean;
  involvement?: Involvement;
  warnings: string[];
}

export interface RecordedStop {
  arch: ArchName;
  tid: number;
  tgid: number;
  regs: SyscallRegs;
  bias: number;
  /** ProcessImage.goStarted before the decision. */
  goStarted: boolean;
  reads: RecordedRead[];
  threadPointer?: number;
  hasNoMemory?: boolean;
  stackStart?: number;
  /** The one pc asked about, and the answer. */
  codeMapping?: { pc: number; answer: CodeMapping };
  outcome: RecordedOutcome;
}

/** A Tracee that answers from `live` and writes down every answer. */
class RecordingTracee implements Tracee {
  reads: RecordedRead[] = [];
  facts: Pick<RecordedStop, "threadPointer" | "hasNoMemory" | "stackStart" | "codeMapping"> = {};

  constructor(private readonly live: Tracee) {}

  /** Forgets what the previous stop read. */
  reset(): void {
    this.reads = [];
    this.facts = {};
  }

  readonly memory = (capacity: number): MemoryBuffer => {
    const inner = this.live.memory(capacity);
    return {
      buffer: inner.buffer,
      view: inner.view,
      read: (pid, addr, length) => {
        const n = inner.read(pid, addr, length);
        if (n > 0) this.reads.push({ addr, bytes: Buffer.from(inner.buffer.subarray(0, n)).toString("base64") });
        return n;
      },
    };
  };

  threadPointer(tid: number): number {
    return (this.facts.threadPointer = this.live.threadPointer(tid));
  }

  hasNoMemory(tid: number): boolean {
    return (this.facts.hasNoMemory = this.live.hasNoMemory(tid));
  }

  stackStart(tid: number): number {
    return (this.facts.stackStart = this.live.stackStart(tid));
  }

  codeMapping(tid: number, pc: number): CodeMapping {
    return (this.facts.codeMapping = { pc, answer: this.live.codeMapping(tid, pc) }).answer;
  }
}

/**
 * The decorator of a policed image's Decider that records its stops (test/helpers/record-stops.ts):
 * every stop is decided afresh, by a Decider with no cache carried over from earlier stops (nor
 * the creation watch's verdicts) that reads through a RecordingTracee, and handed to `recorded`
 * with what the decision read and what it decided.
 */
export class RecordingDecider implements StopDecider {
  private readonly recording: RecordingTracee;

  constructor(
    private readonly image: PolicedImage,
    private readonly arch: ArchSpec,
    live: Tracee,
    private readonly options: DeciderOptions,
    private readonly recorded: (stop: RecordedStop) => void,
  ) {
    this.recording = new RecordingTracee(live);
  }

  decideStop(tid: number, tgid: number, regs: SyscallRegs, proc: ProcessImage): DecidedStop | undefined {
    const goStarted = proc.goStarted;
    const warnings: string[] = [];
    const warn = (msg: string, fields: Record<string, unknown>) => {
      warnings.push(msg);
      this.options.warn(msg, fields);
    };
    this.recording.reset();
    const decided = new Decider(this.image, this.arch, this.recording, { strict: this.options.strict, warn }).decideStop(tid, tgid, regs, proc);
    const outcome = outcomeOf(decided?.decision, decided?.involvement, warnings);
    this.recorded({ arch: this.arch.name, tid, tgid, regs, bias: proc.bias, goStarted, reads: this.recording.reads, ...this.recording.facts, outcome });
    return decided;
  }
}

/** The memory was not recorded (the replayed decision reads what the recorded one did not). */
class UnrecordedFactError extends Error {
  override name = "UnrecordedFactError";
}

/** A Tracee that serves a recorded stop: reads return the recorded bytes, and nothing elsewhere. */
export class ReplayTracee implements Tracee {
  private readonly chunks: { addr: number; bytes: Uint8Array }[];

  constructor(private readonly stop: RecordedStop) {
    this.chunks = stop.reads.map((r) => ({ addr: r.addr, bytes: Buffer.from(r.bytes, "base64") }));
  }

  readonly memory = (capacity: number): MemoryBuffer => {
    const buffer = new Uint8Array(capacity);
    return {
      buffer,
      view: new DataView(buffer.buffer),
      read: (_pid, addr, length) => {
        // The longest recorded run of bytes from `addr` on: what a read there returned.
        let best: Uint8Array | undefined;
        for (const c of this.chunks) {
          if (addr < c.addr || addr >= c.addr + c.bytes.length) continue;
          const run = c.bytes.subarray(addr - c.addr);
          if (!best || run.length > best.length) best = run;
        }
        if (!best) return 0;
        const n = Math.min(length, capacity, best.length);
        buffer.set(best.subarray(0, n));
        return n;
      },
    };
  };

  threadPointer(): number {
    return this.fact("threadPointer");
  }

  hasNoMemory(): boolean {
    return this.fact("hasNoMemory");
  }

  stackStart(): number {
    return this.fact("stackStart");
  }

  codeMapping(_tid: number, pc: number): CodeMapping {
    const recorded = this.fact("codeMapping");
    if (recorded.pc !== pc) throw new UnrecordedFactError(`the recorded stop has the mapping of pc 0x${recorded.pc.toString(16)}, not of 0x${pc.toString(16)}`);
    return recorded.answer;
  }

  private fact<K extends "threadPointer" | "hasNoMemory" | "stackStart" | "codeMapping">(key: K): NonNullable<RecordedStop[K]> {
    const v = this.stop[key];
    if (v === undefined) throw new UnrecordedFactError(`the recorded stop has no ${key}`);
    return v as NonNullable<RecordedStop[K]>;
  }
}

function formatEntry(f: LogicalFrame | undefined): string | undefined {
  return f && `${f.file}:${f.line}:${f.func}`;
}

/** The outcome of `decision` (undefined: let through without a look) as it is recorded. */
export function outcomeOf(decision: Decision | undefined, involvement: Involvement | undefined, warnings: string[]): RecordedOutcome {
  if (!decision) return { judged: false, block: false, stack: [], complete: false, leafInGo: false, warnings };
  const { verdict, trace } = decision;
  const stack = trace.frames.map((f) => `${f.func} ${f.file}:${f.line}`);
  const base = { judged: true, stack, complete: trace.complete, leafInGo: trace.leafInGo, warnings };
  if (!verdict.block) return { ...base, block: false };
  return { ...base, block: true, module: verdict.module, reason: verdict.reason, entry: formatEntry(verdict.frame), involvement };
}
