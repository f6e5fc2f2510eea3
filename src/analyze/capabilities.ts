// The capability classes each confined module's code can reach, read from the binary's call graph
// (call-graph.ts), with the shortest path that proves each, and the module's verdict.
//
// A module's code is its functions and what it inlined into others: the logical functions the
// function table names as its. From them the walk follows every edge, into other modules and
// the standard library alike, breadth first (so the first path found to a class is a shortest).
// A standard library function that a row of std-capabilities.ts names ends the path with its
// class (a SAFE row with none); one no row names is read on. cgo's calls into C are CGO. What
// the module's own code holds that a call graph cannot follow (assembly, linkname pulls, unsafe,
// reflect's raw pointers, plugins, C) comes from the binary findings (binary.ts) as the caveat
// classes; a body the walk reaches but cannot read, or inline trees it cannot read, is UNANALYZED.
import { type CapabilityClass, type CapabilityTier, CAPABILITY_CLASSES } from "../policy/classes.ts";
import type { Confinement } from "../confinement/model.ts";
import { stdCapability } from "../confinement/std-capabilities.ts";
import type { Pclntab } from "../gobin/pclntab.ts";
import { packageOfSymbol } from "../gobin/modules.ts";
import type { CallGraph } from "./call-graph.ts";
import type { Finding, FindingKind } from "./findings.ts";

/** One function of a witness path and, but for the last, where it calls the next. */
export interface WitnessStep {
  func: string;
  file?: string;
  line?: number;
  /** For the last step, when the class is UNANALYZED: what could not be read. */
  why?: string;
}

export type ClassVerdict = "FAIL" | "WARN" | "ok";
export type ModuleVerdict = "FAIL" | "WARN" | "ok" | "ok (unused)";

export interface CapabilityFinding {
  class: CapabilityClass;
  verdict: ClassVerdict;
  /** The witness path, outermost first: the module's function, ..., the function of the class. */
  path: string[];
  /** The same path with the position of each call, where the binary has it. */
  steps: WitnessStep[];
}

const FINDING_CLASS: Record<FindingKind, CapabilityClass> = {
  asm: "ARBITRARY_EXECUTION",
  linkname: "ARBITRARY_EXECUTION",
  plugin: "ARBITRARY_EXECUTION",
  unsafe: "UNSAFE_POINTER",
  reflect: "REFLECT",
  cgo: "CGO",
};

const TIER = new Map<CapabilityClass, CapabilityTier>(CAPABILITY_CLASSES.map((c) => [c.name, c.tier]));

/** A class reached, judged against what the module is allowed: a class no tier names is denied. */
function classVerdict(cls: CapabilityClass, allowed: ReadonlySet<CapabilityClass>): ClassVerdict {
  if (allowed.has(cls)) return "ok";
  switch (TIER.get(cls)) {
    case "allow":
      return "ok";
    case "caveat":
      return "WARN";
    default:
      return "FAIL";
  }
}

export function moduleVerdict(used: boolean, findings: readonly CapabilityFinding[]): ModuleVerdict {
  if (!used) return "ok (unused)";
  if (findings.some((f) => f.verdict === "FAIL")) return "FAIL";
  if (findings.some((f) => f.verdict === "WARN")) return "WARN";
  return "ok";
}

const CFUNC = /\._C2?func_/;

/**
 * A logical function in the body that holds its code: its own, or, for a function inlined, the
 * body it was inlined into (which may have folded its caller's arguments into it).
 */
interface Node {
  name: string;
  body: number | undefined;
}

interface Reached {
  node: Node;
  prev: string | undefined;
  /** Where the previous node's code reaches this one. */
  site: number;
}

const nodeKey = (n: Node) => `${n.body ?? ""} ${n.name}`;

/**
 * Reads which logical functions belong to which module, once per binary, and walks from each
 * module's functions on request.
 */
export class CapabilityWalker {
  private owned: Map<string, Node[]> | undefined;

  constructor(
    private readonly graph: CallGraph,
    private readonly table: Pclntab,
    private readonly confinement: Confinement,
  ) {}

  /** The logical functions of each non-standard module by module path, each in every body outside the standard library that holds it. */
  private functionsByModule(): Map<string, Node[]> {
    if (this.owned) return this.owned;
    const owned = new Map<string, Node[]>();
    const own = (func: string, file: string, body: number) => {
      const module = this.confinement.moduleOfFrame({ func, file });
      if (module.kind === "std") return;
      let nodes = owned.get(module.path);
      if (!nodes) owned.set(module.path, (nodes = []));
      nodes.push({ name: func, body });
    };
    const modules = this.confinement.attribution.modules;
    for (let fn = 0; fn < this.table.funcCount; fn++) {
      const name = this.table.funcName(fn);
      if (modules.moduleOf(name).kind === "std") continue;
      own(name, this.table.fileLine(fn, this.table.funcEntry(fn))?.file ?? "?", fn);
      for (const [from, edges] of this.graph.edges(fn)) if (from !== name) own(from, edges[0]!.fromFile, fn);
    }
    return (this.owned = owned);
  }

  /** Whether `module` has code in the binary. */
  uses(module: string): boolean {
    return (this.functionsByModule().get(module)?.length ?? 0) > 0;
  }

  /** Every class `module`'s code reaches, with a shortest path to each. */
  reach(module: string): Map<CapabilityClass, WitnessStep[]> {
    const roots = this.functionsByModule().get(module) ?? [];
    const reached = new Map<string, Reached>();
    const found = new Map<CapabilityClass, WitnessStep[]>();
    const queue: Node[] = [];
    for (const r of roots) {
      reached.set(nodeKey(r), { node: r, prev: undefined, site: 0 });
      queue.push(r);
    }
    const rootNames = new Set(roots.map((r) => r.name));
    const modules = this.confinement.attribution.modules;
    const record = (cls: CapabilityClass, node: Node, why?: string) => {
      if (found.has(cls)) return;
      const path = this.path(reached, node);
      if (why) path[path.length - 1]!.why = why;
      found.set(cls, path);
    };
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i]!;
      const { name } = node;
      if (CFUNC.test(name) && !rootNames.has(name)) {
        record("CGO", node);
        continue;
      }
      if (modules.moduleOf(name).kind === "std") {
        const pkg = packageOfSymbol(name);
        const cls = typeof pkg === "string" ? stdCapability(name, pkg) : undefined;
        if (cls !== undefined) {
          if (cls !== "SAFE") record(cls, node);
          continue;
        }
      }
      if (node.body === undefined) continue;
      const unreadable = this.graph.unreadable.get(node.body);
      if (unreadable !== undefined) record("UNANALYZED", node, `${this.table.funcName(node.body)}: ${unreadable}`);
      const key = nodeKey(node);
      for (const e of this.graph.edges(node.body).get(name) ?? []) {
        const next: Node = { name: e.name, body: e.kind === "inline" ? node.body : e.fn };
        const nextKey = nodeKey(next);
        if (reached.has(nextKey)) continue;
        reached.set(nextKey, { node: next, prev: key, site: e.site });
        queue.push(next);
      }
    }
    return found;
  }

  /** The path from a root to `node`, each step with the position of its call to the next. */
  private path(reached: Map<string, Reached>, node: Node): WitnessStep[] {
    const steps: WitnessStep[] = [{ func: node.name }];
    for (let at = reached.get(nodeKey(node)); at?.prev !== undefined; at = reached.get(at.prev)) {
      const prev = reached.get(at.prev)!.node.name;
      const frames = this.table.frames(at.site);
      const frame = frames.find((f) => f.func === prev) ?? frames[0];
      steps.unshift({ func: prev, ...(frame && frame.line > 0 ? { file: frame.file, line: frame.line } : {}) });
    }
    return steps;
  }
}

/**
 * The capability findings of a confined module: the classes its code reaches, and the caveat
 * classes of its binary findings, each judged against its allowed classes. One per class.
 */
export function capabilityFindings(
  reached: Map<CapabilityClass, WitnessStep[]>,
  findings: readonly Finding[],
  allowed: ReadonlySet<CapabilityClass>,
): CapabilityFinding[] {
  const paths = new Map(reached);
  for (const f of findings) {
    const cls = FINDING_CLASS[f.kind];
    if (paths.has(cls)) continue;
    paths.set(cls, [{ func: f.func ?? f.message, ...(f.line > 0 ? { file: f.file, line: f.line } : {}) }]);
  }
  const order = new Map(CAPABILITY_CLASSES.map((c, i) => [c.name, i]));
  return [...paths]
    .map(([cls, steps]) => ({ class: cls, verdict: classVerdict(cls, allowed), path: steps.map((s) => s.func), steps }))
    .sort((a, b) => (order.get(a.class) ?? 0) - (order.get(b.class) ?? 0));
}
