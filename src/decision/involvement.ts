// Who took part in a blocked (in audit mode, would-be-blocked) syscall: every confined module on
// the stack and among the creators of the goroutine that made it, and the module of the innermost
// frame outside the standard library, which made the call. The verdict stops at the first
// confined frame; `gomodjail learn` needs them all, and needs to tell a library that opens files
// itself from a framework that only calls back into code that does.
import type { Confinement } from "../confinement/model.ts";
import type { LogicalFrame, Pclntab } from "../gobin/pclntab.ts";
import type { Goroutine, GoroutineReader } from "../unwind/goroutine.ts";
import type { StackTrace } from "../unwind/unwind.ts";
import { ancestryTruncated } from "../confinement/creators.ts";
import { makesSyscallItself } from "./verdict.ts";

/**
 * How a module took part: it holds the innermost frame outside the standard library ("made");
 * a frame further out on the stack, with no frame of the main module in between, so it called
 * the module that made the call as a library ("calls"); a frame further out than a frame of the
 * main module, so it called back into the program's code, as a framework does ("callback"); or
 * a frame of the goroutine's creator or of an ancestor's recorded stack ("creator").
 */
export type Role = "made" | "calls" | "callback" | "creator";

interface InvolvedModule {
  module: string;
  role: Role;
  /** FILE:LINE:FUNC of its innermost frame. */
  entry: string;
  /** Its own code makes the syscall (its frame is the leaf): to be allowed the call it needs SYSTEM_CALLS too. */
  ownSyscall?: true;
}

export interface Involvement {
  /** The module of the innermost frame outside the standard library, on the stack or else among the creators; "std" when none. */
  maker: string;
  /** FILE:LINE:FUNC of that frame ("unknown" when none). */
  makerEntry: string;
  /** Each confined module once, innermost first, with its strongest role. */
  modules: InvolvedModule[];
  /** Why part of the stack or of the goroutine's ancestry was not seen (the Decider blocks such calls), when it was not. */
  unseen?: string;
}

/** The goroutine that made the call, and where to read its creators. */
interface CallingGoroutine {
  tid: number;
  tgid: number;
  g: Goroutine;
  bias: number;
}

/** The frames of a goroutine's creators, innermost first, read once per goroutine. */
interface CreatorTrail {
  frames: LogicalFrame[];
  unseen?: string;
}

/** Bounds the per-goroutine cache, as the Decider's. */
const MAX_CACHED_TRAILS = 100_000;

function formatEntry(f: LogicalFrame | undefined): string {
  return f ? `${f.file}:${f.line}:${f.func}` : "unknown";
}

export class InvolvementFinder {
  private readonly trails = new Map<number, { tgid: number; goid: number; trail: CreatorTrail }>();

  constructor(
    private readonly confinement: Confinement,
    private readonly table: Pclntab,
    private readonly goroutines: GoroutineReader | undefined,
    private readonly ancestorPcsLimit: number | undefined,
  ) {}

  /** Everyone on `trace` and, with the calling goroutine, among its creators. */
  find(trace: StackTrace, caller: CallingGoroutine | undefined): Involvement {
    const found: Involvement = { maker: "std", makerEntry: "unknown", modules: [] };
    const seen = new Set<string>();
    let makerFound = false;
    let throughMain = false;
    const visit = (frame: LogicalFrame, onStack: boolean) => {
      const { module, main } = this.confinement.ownerOf(frame);
      if (module === "std") return;
      const first = !makerFound;
      if (first) {
        makerFound = true;
        found.maker = module;
        found.makerEntry = formatEntry(frame);
      }
      throughMain ||= main;
      const confined = this.confinement.confinedModuleOf(frame);
      if (confined === null || seen.has(confined)) return;
      seen.add(confined);
      const role: Role = first ? "made" : !onStack ? "creator" : throughMain ? "callback" : "calls";
      const own = onStack && makesSyscallItself(trace, frame) ? { ownSyscall: true as const } : {};
      found.modules.push({ module: confined, role, entry: formatEntry(frame), ...own });
    };
    for (const step of trace.steps) for (const frame of step.frames) visit(frame, true);
    const unseen: string[] = [];
    if (!trace.complete) unseen.push(`stack not fully walked: ${trace.incompleteReason}`);
    // Without the calling goroutine the Decider does not judge creators either (ancestry is off).
    if (caller) {
      const trail = this.creatorTrail(caller);
      for (const frame of trail.frames) visit(frame, false);
      if (trail.unseen) unseen.push(trail.unseen);
    }
    if (unseen.length > 0) found.unseen = unseen.join("; ");
    return found;
  }

  /** The creator's frames, then each ancestor's recorded stack and creator, as the Decider judges them. */
  private creatorTrail({ tid, tgid, g, bias }: CallingGoroutine): CreatorTrail {
    const cached = this.trails.get(g.addr);
    if (cached && cached.tgid === tgid && cached.goid === g.goid) return cached.trail;
    const frames: LogicalFrame[] = [];
    const at = (pc: number) => {
      if (pc !== 0) frames.push(...this.table.frames(pc - bias - 1));
    };
    let unseen: string | undefined;
    at(g.gopc);
    const ancestors = this.goroutines?.readAncestors(tid, g);
    if (!ancestors) {
      unseen = `the ancestry of goroutine ${g.goid} cannot be read`;
    } else {
      for (const a of ancestors) {
        for (const pc of a.pcs) at(pc);
        at(a.gopc);
      }
      const limit = this.ancestorPcsLimit;
      if (ancestryTruncated(ancestors, limit)) {
        unseen = `the ancestry of goroutine ${g.goid} was truncated by the runtime`;
      }
    }
    const trail = { frames, unseen };
    if (this.trails.size >= MAX_CACHED_TRAILS) this.trails.clear();
    this.trails.set(g.addr, { tgid, goid: g.goid, trail });
    return trail;
  }
}
