// The call graph of a Go binary, read from its machine code and its function table: what each
// function may run. Built lazily, one function at a time, as a walk reaches it.
//
// A function's edges are:
// - its direct calls and jumps to another function's entry (amd64 CALL/JMP, arm64 BL/B);
// - the functions it inlined (the inline tree): they leave no call instruction;
// - the functions whose address it takes, since a function value may be run by anyone it is handed
//   to (a finalizer, time.AfterFunc, an http.Handler, a worker pool, sync.Once, a goroutine):
//   a function's entry loaded as an address (method values' `-fm` wrappers, `go` statements),
//   a funcval (`F·f`, a closure without captures: a read-only word holding the entry), a static
//   variable holding a funcval, and an itab (`go:itab.T,I`: its method table, so the methods of
//   T that the interface I names).
// An edge hangs off the innermost logical function at its site: a call made by code that the
// compiler inlined from os.Open into a module's function is os.Open's, and the module's edge is to
// os.Open (an inline edge). Indirect calls add no edge: the function value or interface they call was made where its
// address was taken, which is an edge of whoever took it. So what a function may run is bounded
// by the addresses that code reachable from it takes; values it was handed by its callers are
// its callers' doing, and reached from theirs.
import { arches } from "../arch/arches.ts";
import type { GoBinary } from "../gobin/binary.ts";
import { PclntabError } from "../gobin/pclntab.ts";

type EdgeKind = "call" | "inline" | "address";

interface CodeEdge {
  kind: EdgeKind;
  /** The logical function whose code it is (for an inline edge, the caller the callee was inlined into). */
  from: string;
  /** Its source file, which tells whose a closure inlined into another package is. */
  fromFile: string;
  /** Where in the caller's code (for an inlined call, its call site). */
  site: number;
  /** The callee's function-table index; undefined for an inlined function with no body of its own. */
  fn: number | undefined;
  name: string;
}

/** Where an itab's method table starts: inter, _type, hash (4 bytes) and 4 of padding. */
const ITAB_FUN_OFFSET = 24;
/**
 * Where an interface type's method count is: after its type descriptor (48 bytes: size, ptrdata,
 * hash, tflag, align, fieldAlign, kind, equal, gcdata, str, ptrToThis) and its package path
 * (8), the length of its method slice. The same in Go 1.19-1.27 (runtime.interfacetype, then
 * internal/abi.InterfaceType).
 */
const INTERFACE_METHODS_LEN_OFFSET = 64;
/** More methods than any interface has: beyond, the words are not an itab. */
const MAX_INTERFACE_METHODS = 1024;

export class CallGraph {
  private readonly table;
  private readonly scan;
  private readonly edgeCache = new Map<number, Map<string, CodeEdge[]>>();
  private byName: Map<string, number> | undefined;
  /**
   * Functions whose code is not in the file, or whose inline tree cannot be read, with why: what
   * they run is unknown, or not told apart from what they inlined.
   */
  readonly unreadable = new Map<number, string>();

  constructor(private readonly binary: GoBinary) {
    this.table = binary.pclntab;
    this.scan = arches[binary.arch].scanCode;
  }

  /** The function-table index of a function by name (the first, if a name repeats). */
  functionNamed(name: string): number | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (let fn = 0; fn < this.table.funcCount; fn++) {
        const n = this.table.funcName(fn);
        if (!this.byName.has(n)) this.byName.set(n, fn);
      }
    }
    return this.byName.get(name);
  }

  /**
   * The edges of the body of function `fn`, by the logical function each hangs off: `fn` itself
   * and what it inlined. An inlined copy's edges are read in the body that holds it, never merged
   * with other copies: the compiler folds a caller's arguments into the copy (the itab of the
   * os.Stdin a caller passes to bufio.NewReader), and those are that caller's doing alone.
   */
  edges(fn: number): ReadonlyMap<string, readonly CodeEdge[]> {
    let edges = this.edgeCache.get(fn);
    if (!edges) {
      edges = new Map();
      for (const e of this.read(fn)) {
        let list = edges.get(e.from);
        if (!list) edges.set(e.from, (list = []));
        list.push(e);
      }
      this.edgeCache.set(fn, edges);
    }
    return edges;
  }

  private read(fn: number): CodeEdge[] {
    const t = this.table;
    const entry = t.funcEntry(fn);
    const code = this.binary.elf.readAt(entry, t.funcEnd(fn) - entry);
    if (!code) {
      this.unreadable.set(fn, "its code is not in the file");
      return [];
    }
    const edges: CodeEdge[] = [];
    const seen = new Set<string>();
    const physical = t.funcName(fn);
    const inlined = this.inlinedCalls(fn);
    let frameAt = (pc: number): { func: string; file: string } | undefined => {
      try {
        return t.frames(pc)[0];
      } catch (e) {
        if (!(e instanceof PclntabError)) throw e;
        this.unreadable.set(fn, `its inline tree cannot be read: ${e.reason}`);
        frameAt = () => undefined;
        return undefined;
      }
    };
    const physicalFile = t.fileLine(fn, entry)?.file ?? "?";
    const add = (kind: EdgeKind, site: number, callee: number | undefined, name: string) => {
      // Without inlined code every site is the physical function's.
      const frame = inlined.length > 0 ? frameAt(site) : undefined;
      const from = frame?.func ?? physical;
      const key = `${kind} ${from} ${name}`;
      if (seen.has(key)) return;
      seen.add(key);
      edges.push({ kind, from, fromFile: frame?.file ?? physicalFile, site, fn: callee, name });
    };
    this.scan(code, entry, (ref) => {
      if (ref.kind === "syscall") return;
      const callee = this.entryAt(ref.target);
      if (callee !== undefined) {
        if (callee !== fn) add(ref.kind === "address" ? "address" : "call", ref.pc, callee, t.funcName(callee));
        return;
      }
      if (ref.kind === "address") for (const taken of this.functionsInData(ref.target)) add("address", ref.pc, taken, t.funcName(taken));
    });
    for (const call of inlined) {
      const key = `inline ${call.callPc} ${call.func}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const caller = frameAt(call.callPc);
      edges.push({ kind: "inline", from: caller?.func ?? physical, fromFile: caller?.file ?? "?", site: call.callPc, fn: this.functionNamed(call.func), name: call.func });
    }
    return edges;
  }


  /** The function whose entry is `addr`, if one is. */
  private entryAt(addr: number): number | undefined {
    const fn = this.table.findFunc(addr);
    return fn !== undefined && this.table.funcEntry(fn) === addr ? fn : undefined;
  }

  /**
   * The functions data at `addr` hands out: a funcval's, a variable's funcval's, or an itab's
   * methods. Anything else (strings, type descriptors, tables of numbers) yields none.
   */
  private functionsInData(addr: number): number[] {
    const word0 = this.word(addr);
    if (word0 === undefined) return [];
    const direct = this.entryAt(word0);
    if (direct !== undefined) return [direct];
    const indirect = this.word(word0);
    if (indirect !== undefined) {
      const fn = this.entryAt(indirect);
      if (fn !== undefined) return [fn];
    }
    // An itab: its interface type (which says how many methods), the concrete type, the hash, then
    // one entry per method. Anything else fails a check below (a word that is no function's entry).
    const count = this.word(word0 + INTERFACE_METHODS_LEN_OFFSET);
    if (count === undefined || count === 0 || count > MAX_INTERFACE_METHODS) return [];
    const methods: number[] = [];
    for (let i = 0; i < count; i++) {
      const w = this.word(addr + ITAB_FUN_OFFSET + 8 * i);
      const fn = w === undefined ? undefined : this.entryAt(w);
      if (fn === undefined) return [];
      methods.push(fn);
    }
    return methods;
  }

  /** The little-endian 64-bit word at `addr` in the file, if it is there and fits a pointer. */
  private word(addr: number): number | undefined {
    const bytes = this.binary.elf.readAt(addr, 8);
    if (!bytes) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const hi = view.getUint32(4, true);
    if (hi > 0x1fffff) return undefined;
    return hi * 2 ** 32 + view.getUint32(0, true);
  }

  private inlinedCalls(fn: number): { func: string; callPc: number }[] {
    try {
      return this.table.inlinedCalls(fn);
    } catch (e) {
      if (!(e instanceof PclntabError)) throw e;
      this.unreadable.set(fn, `its inline tree cannot be read: ${e.reason}`);
      return [];
    }
  }
}
