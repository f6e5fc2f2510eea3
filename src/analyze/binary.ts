// The findings a Go binary holds about its modules, read from its function table and its code:
// functions written in assembly (the table's ASM flag, or a .s file) with the syscalls they make,
// the functions they jump to and whether they write SP; cgo's Go stubs and the C code of each
// module; and the calls of each module's code that Go could not have written (//go:linkname
// pulls) or that are known escapes (plugin.Open, reflect's raw pointers, unsafe.Slice/String).
// A call is the doing of the innermost logical frame at its site: inlined code is its own
// function's, which keeps calls inlined from other packages out of a module's findings, and the
// inline trees show calls to escapes that the compiler inlined (no call instruction is left).
import { arches } from "../arch/arches.ts";
import type { CCode } from "../confinement/c-code.ts";
import type { Confinement } from "../confinement/model.ts";
import type { GoBinary } from "../gobin/binary.ts";
import type { ModuleRef } from "../gobin/modules.ts";
import { type Pclntab, PclntabError } from "../gobin/pclntab.ts";
import { callableFrom, type CalleeClass, canImport, classifyCallee, symbolParts } from "./callees.ts";
import type { Finding } from "./findings.ts";

/** The runtime's function flags (internal/abi FuncFlag, the same bits since Go 1.17). */
const FUNC_FLAG_SPWRITE = 2;
const FUNC_FLAG_ASM = 4;

/** Functions the compiler calls at an offset (Duff's devices), which is no jump into a function's middle. */
const ENTERED_AT_OFFSET = new Set(["runtime.duffzero", "runtime.duffcopy"]);

/** cgo's generated Go functions: calls into C, exports to C, and the glue between. */
/** How the names of the functions cgo generates begin (after the package). */
const CGO_GENERATED_PREFIXES = ["_Cfunc_", "_cgo_", "_Cgo_", "_cgoexp_", "_cgoCheck"];
const CGO_GENERATED = new RegExp(`^(${CGO_GENERATED_PREFIXES.join("|")})`);

interface ModuleFindings {
  module: ModuleRef;
  findings: Finding[];
}

interface BinaryAnalysis {
  /** Findings by moduleKey(); only modules the scope reports, and only those with findings. */
  findings: Map<string, ModuleFindings>;
  /** Whose the binary's C code is; undefined when the scope reads only the function table. */
  cCode: CCode | undefined;
  /** What could not be read, and so was not looked at, and C code no module can be named for. */
  warnings: string[];
}

/** Identifies a module row: the same path can be a module and, unknown to the binary, a package. */
export function moduleKey(m: ModuleRef): string {
  return `${m.kind} ${m.path}`;
}

interface BinaryScope {
  /** The main package's import path (build information), for the rules of internal packages. */
  mainPackage: string | undefined;
  /** Whether the findings of this module are wanted. */
  reports(module: ModuleRef): boolean;
  /**
   * What to read: "all" decodes the code of every non-standard-library function, so that a
   * reported module's code inlined into another module's function is read too; "reported" only
   * the reported modules' own; "table" no code at all, only what the function table says (which
   * functions are assembly, which are cgo's stubs): what `run` can afford at every start.
   */
  read: "all" | "reported" | "table";
}

/** Reads the findings of `binary`'s modules (the standard library is never reported). */
export function analyzeBinary(binary: GoBinary, confinement: Confinement, scope: BinaryScope): BinaryAnalysis {
  return new BinaryAnalyzer(binary, confinement, scope).run();
}

type Position = { file: string; line: number };
type Frame = Position & { func: string };
type InlinedCall = ReturnType<Pclntab["inlinedCalls"]>[number];

class BinaryAnalyzer {
  private readonly table: Pclntab;
  private readonly findings = new Map<string, ModuleFindings>();
  /** Per function name: what a call to it is. */
  private readonly calleeClass = new Map<string, CalleeClass>();
  /** Per function index: what a call to it is, or "cfunc" for cgo's stub of a C function. */
  private readonly calleeClassByIndex = new Map<number, CalleeClass | "cfunc">();
  private readonly callableCache = new Map<string, boolean>();
  private readonly reported = new Map<string, boolean>();
  private readonly packageModules = new Map<string, ModuleRef>();
  /** One finding per kind, caller and callee. */
  private readonly seen = new Set<string>();
  /** Per `PKG._Cfunc_NAME` function: its first call site, which is where the package calls C. */
  private readonly cfuncSites = new Map<number, Position>();
  /** Why inline trees cannot be read, once they could not: calls are then their physical function's. */
  private inlineTreesUnreadable: string | undefined;

  constructor(
    private readonly binary: GoBinary,
    private readonly confinement: Confinement,
    private readonly scope: BinaryScope,
  ) {
    this.table = binary.pclntab;
  }

  private get attribution() {
    return this.confinement.attribution;
  }

  run(): BinaryAnalysis {
    if (this.scope.read === "table") return this.readTable();
    const t = this.table;
    const cgoStubs: { fn: number; module: ModuleRef; name: string; local: string }[] = [];
    for (let fn = 0; fn < t.funcCount; fn++) {
      const name = t.funcName(fn);
      const parts = symbolParts(name);
      const module = parts ? this.moduleOfPackage(parts.pkg) : this.attribution.modules.moduleOf(name);
      if (module.kind === "std") continue;
      const reported = this.reports(module);
      if (!reported && this.scope.read !== "all") continue;
      const local = parts?.local ?? name;
      if (CGO_GENERATED.test(local)) {
        if (reported) cgoStubs.push({ fn, module, name, local });
        continue;
      }
      this.readFunction(fn, name, this.importPath(parts?.pkg), module, reported, this.inlined(() => t.inlinedCalls(fn), []));
    }
    for (const stub of cgoStubs) this.cgoStub(stub);
    const cCode = this.confinement.cCode();
    const unknownC = cCode.kind === "present" ? cCode.unknownOwner.map((c) => `C code of unknown owner: ${c}`) : [];
    if (cCode.kind === "present") {
      for (const [module, functions] of cCode.byModule) {
        if (!this.reports(module)) continue;
        for (const f of functions) {
          const what = f.isConstructor ? " is a C constructor: it runs before any Go code, when no module can be told from another" : "";
          this.add(module, { kind: "cgo", origin: "binary", file: f.file, line: f.line, func: f.name, message: `C function ${f.name}${what}` });
        }
      }
    }
    const warnings = [...(this.inlineTreesUnreadable ? [`inlined code is not told apart from its callers: ${this.inlineTreesUnreadable}`] : []), ...unknownC];
    return { findings: this.findings, cCode, warnings };
  }

  /** The module of a package, once per package: far fewer than functions. */
  private moduleOfPackage(pkg: string): ModuleRef {
    let module = this.packageModules.get(pkg);
    if (module === undefined) {
      module = this.attribution.modules.moduleOfPackage(pkg);
      this.packageModules.set(pkg, module);
    }
    return module;
  }

  /** scope.reports, once per module. */
  private reports(module: ModuleRef): boolean {
    const key = moduleKey(module);
    let yes = this.reported.get(key);
    if (yes === undefined) {
      yes = this.scope.reports(module);
      this.reported.set(key, yes);
    }
    return yes;
  }

  private add(module: ModuleRef, finding: Finding): void {
    const key = moduleKey(module);
    let entry = this.findings.get(key);
    if (!entry) this.findings.set(key, (entry = { module, findings: [] }));
    entry.findings.push(finding);
  }

  private position(fn: number, pc: number): Position {
    return this.table.fileLine(fn, pc) ?? { file: "?", line: 0 };
  }

  /**
   * The reported modules' assembly functions and cgo stubs, from the function table alone. Only
   * their names are decoded (most of the cost on a large binary would be the names of all): the
   * flags pick out assembly, and without cgo (build information) there are no stubs to look for.
   */
  private readTable(): BinaryAnalysis {
    const t = this.table;
    const cgo = this.binary.buildInfo?.settings.get("CGO_ENABLED") !== "0";
    for (const fn of this.tableCandidates(cgo)) {
      const flags = t.funcFlag(fn);
      const asm = flags !== undefined && (flags & FUNC_FLAG_ASM) !== 0;
      // Tables before Go 1.16 have no flags: there, the source file tells.
      if (!asm && !cgo && flags !== undefined) continue;
      const name = t.funcName(fn);
      const parts = symbolParts(name);
      const module = parts ? this.moduleOfPackage(parts.pkg) : this.attribution.modules.moduleOf(name);
      if (module.kind === "std" || !this.reports(module)) continue;
      const local = parts?.local ?? name;
      if (CGO_GENERATED.test(local)) {
        this.cgoStub({ fn, module, name, local });
        continue;
      }
      const at = this.position(fn, t.funcEntry(fn));
      if (asm || (flags === undefined && /\.[sS]$/.test(at.file))) {
        this.add(module, { kind: "asm", origin: "binary", file: at.file, line: at.line, func: name, message: `${name} is written in assembly` });
      }
    }
    return { findings: this.findings, cCode: undefined, warnings: [] };
  }

  /**
   * The functions readTable must look at, in table order: those flagged assembly and, with cgo,
   * those named like cgo's own; found without decoding every name (on a cgo binary of 20 MB,
   * decoding all took 90 ms, on the main thread while the program starts). Every function where
   * the table keeps no flags or its names cannot be searched (before Go 1.16).
   */
  private tableCandidates(cgo: boolean): Iterable<number> {
    const t = this.table;
    const asm = t.functionsFlagged(FUNC_FLAG_ASM);
    const generated = cgo ? t.functionsNamedWith(CGO_GENERATED_PREFIXES) : [];
    if (!asm || !generated) return Array.from({ length: t.funcCount }, (_, fn) => fn);
    return [...new Set([...asm, ...generated])].sort((a, b) => a - b);
  }

  private readFunction(fn: number, name: string, physicalPkg: string | undefined, module: ModuleRef, reported: boolean, inlined: readonly InlinedCall[]): void {
    const t = this.table;
    const entry = t.funcEntry(fn);
    const end = t.funcEnd(fn);
    const code = this.binary.elf.readAt(entry, end - entry);
    if (!code) return;
    const flags = t.funcFlag(fn);
    // Tables before Go 1.16 have no flags: there, the source file tells.
    const asm = flags === undefined ? /\.[sS]$/.test(this.position(fn, entry).file) : (flags & FUNC_FLAG_ASM) !== 0;
    const syscalls: string[] = [];
    const tailJumps = new Set<string>();
    const midJumps: string[] = [];
    const arch = arches[this.binary.arch];
    arch.scanCode(code, entry, (ref) => {
      if (ref.kind === "syscall") {
        if (asm && reported) syscalls.push(shortPosition(this.position(fn, ref.pc)));
        return;
      }
      if (ref.kind === "address" && !(asm && reported)) return;
      const callee = t.findFunc(ref.target);
      if (callee === undefined || callee === fn) return;
      const atEntry = t.funcEntry(callee) === ref.target;
      if (ref.kind === "address") {
        // Assembly may name any symbol; compiled code takes functions' addresses through funcvals.
        if (atEntry) this.callTo(ref.pc, name, physicalPkg, module, callee, "refers to");
        return;
      }
      if (!atEntry) {
        if (reported && arch.exactCodeScan && !ENTERED_AT_OFFSET.has(t.funcName(callee))) {
          midJumps.push(`${t.funcName(callee)}+0x${(ref.target - t.funcEntry(callee)).toString(16)}`);
        }
        return;
      }
      if (ref.kind === "jump" && asm && reported) tailJumps.add(t.funcName(callee));
      this.callTo(ref.pc, name, physicalPkg, module, callee, "calls");
    });
    // A call the compiler inlined leaves no call instruction to the inlined function itself.
    for (const call of inlined) {
      this.call(call.callPc, name, physicalPkg, module, call.func, () => this.position(fn, call.bodyPc).file, "calls");
    }
    if (!reported || !(asm || midJumps.length > 0)) return;
    const at = this.position(fn, entry);
    const details: string[] = [];
    if (((flags ?? 0) & FUNC_FLAG_SPWRITE) !== 0) details.push("writes SP (a stack of its own making)");
    if (syscalls.length > 0) details.push(`makes syscalls at ${syscalls.join(", ")}`);
    // A jump leaves no frame of this function for a stack walk to see.
    if (tailJumps.size > 0) details.push(`jumps to ${[...tailJumps].join(", ")}`);
    if (midJumps.length > 0) details.push(`jumps into the middle of ${midJumps.join(", ")}`);
    const what = asm ? `${name} is written in assembly` : name;
    this.add(module, { kind: "asm", origin: "binary", ...at, func: name, message: details.length > 0 ? `${what}: ${details.join("; ")}` : what });
  }

  /** Reads inline trees, or after the first failure, answers `fallback` (and says so in the warnings). */
  private inlined<T>(read: () => T, fallback: T): T {
    if (this.inlineTreesUnreadable !== undefined) return fallback;
    try {
      return read();
    } catch (e) {
      if (!(e instanceof PclntabError)) throw e;
      this.inlineTreesUnreadable = e.reason;
      return fallback;
    }
  }

  /** The logical frames at `pc`; without inline trees, the physical function alone. */
  private framesAt(pc: number, physical: string): readonly Frame[] {
    const frames = this.inlined<readonly Frame[] | undefined>(() => this.table.frames(pc), undefined);
    if (frames) return frames;
    const fn = this.table.findFunc(pc);
    return fn === undefined ? [] : [{ func: physical, ...this.position(fn, pc) }];
  }

  private classOf(callee: string): CalleeClass {
    let c = this.calleeClass.get(callee);
    if (c === undefined) {
      c = classifyCallee(callee);
      this.calleeClass.set(callee, c);
    }
    return c;
  }

  /** A direct call (or, from assembly, a reference) at `site` to the entry of function `callee`. */
  private callTo(site: number, physical: string, physicalPkg: string | undefined, physicalModule: ModuleRef, callee: number, verb: string): void {
    let cls = this.calleeClassByIndex.get(callee);
    if (cls === undefined) {
      const name = this.table.funcName(callee);
      cls = name.includes("._Cfunc_") ? "cfunc" : this.classOf(name);
      this.calleeClassByIndex.set(callee, cls);
    }
    if (cls === "ordinary" || cls === "cgo") return;
    const calleeName = this.table.funcName(callee);
    if (cls === "cfunc") {
      if (!this.cfuncSites.has(callee)) this.cfuncSites.set(callee, this.framesAt(site, physical)[0] ?? { file: "?", line: 0 });
      return;
    }
    this.call(site, physical, physicalPkg, physicalModule, calleeName, () => this.position(callee, this.table.funcEntry(callee)).file, verb);
  }

  /**
   * A call written at `site` (for an inlined call, its call site) to `calleeName`, whose own
   * source is `calleeFile()`: a finding when the innermost frame there belongs to a reported
   * module and the call is an escape or a pull. `verb` is "calls" or, from assembly, "refers to".
   */
  private call(site: number, physical: string, physicalPkg: string | undefined, physicalModule: ModuleRef, calleeName: string, calleeFile: () => string, verb: string): void {
    const cls = this.classOf(calleeName);
    if (cls === "ordinary" || cls === "cgo") return;
    // The physical function's package is in every inline chain at the site (see below).
    if (cls === "restricted" && physicalPkg !== undefined && this.callable(physicalPkg, calleeName)) return;
    const frames = this.framesAt(site, physical);
    const frame = frames[0];
    if (!frame || frame.file === "<autogenerated>") return;
    const caller = frame.func;
    const module = caller === physical ? physicalModule : this.confinement.moduleOfFrame({ func: caller, file: frame.file });
    if (module.kind === "std" || !this.reports(module)) return;
    const callerPkg = this.packageOf(caller);
    if (callerPkg === undefined) return;
    let kind: Finding["kind"];
    let message: string;
    switch (cls) {
      case "restricted": {
        // Any frame of the inline chain that may name the callee could have passed it down as a
        // function value, which inlining turns into a direct call; and code in the callee's own
        // directory is its own package's (a closure that inlining renamed into another).
        const named = frames.some((f) => {
          const pkg = this.packageOf(f.func);
          return (pkg !== undefined && this.callable(pkg, calleeName)) || sameDirectory(f.file, calleeFile());
        });
        if (named) return;
        kind = "linkname";
        const calleePkg = symbolParts(calleeName)!.pkg;
        const why = canImport(callerPkg, calleePkg) ? `is unexported in ${calleePkg}` : `is in ${calleePkg}, which ${callerPkg} cannot import`;
        message = `${caller} ${verb} ${calleeName}, which ${why}: a //go:linkname pull`;
        break;
      }
      case "unsafe": {
        kind = "unsafe";
        const builtin = /string/i.test(calleeName) ? "unsafe.String" : "unsafe.Slice";
        message = `${caller} uses ${builtin}: memory at any address as a ${builtin === "unsafe.String" ? "string" : "slice"}`;
        break;
      }
      case "reflect":
        kind = "reflect";
        message = `${caller} ${verb} ${calleeName}: memory at any address through reflect`;
        break;
      case "plugin":
        kind = "plugin";
        message = `${caller} ${verb} ${calleeName}: code loaded at run time`;
        break;
    }
    const key = `${kind} ${caller} ${kind === "unsafe" ? message : calleeName}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.add(module, { kind, origin: "binary", file: frame.file, line: frame.line, func: caller, message });
  }

  /** callableFrom, remembered: the same package calls the same functions again and again. */
  private callable(pkg: string, callee: string): boolean {
    const key = `${pkg} ${callee}`;
    let yes = this.callableCache.get(key);
    if (yes === undefined) {
      yes = callableFrom(pkg, callee);
      this.callableCache.set(key, yes);
    }
    return yes;
  }

  /** The import path of a function's package; the main package's from the build information. */
  private packageOf(func: string): string | undefined {
    return this.importPath(symbolParts(func)?.pkg);
  }

  /** A package as symbols name it, as an import path: the main package's comes from the build information. */
  private importPath(pkg: string | undefined): string | undefined {
    return pkg === "main" ? this.scope.mainPackage : pkg;
  }


  private cgoStub(stub: { fn: number; module: ModuleRef; name: string; local: string }): void {
    const at = this.cfuncSites.get(stub.fn) ?? this.position(stub.fn, this.table.funcEntry(stub.fn));
    let message: string;
    if (stub.local.startsWith("_Cfunc_")) message = `calls C function ${stub.local.slice("_Cfunc_".length)} through cgo`;
    else if (stub.local.startsWith("_cgoexp_")) message = `exports a Go function to C (${stub.local})`;
    else message = `cgo glue ${stub.local}`;
    this.add(stub.module, { kind: "cgo", origin: "binary", file: at.file, line: at.line, func: stub.name, message });
  }
}

/** Whether `file` lies in the directory of `other`: the same package. */
function sameDirectory(file: string, other: string): boolean {
  const dir = other.slice(0, other.lastIndexOf("/") + 1);
  return dir !== "" && file.startsWith(dir) && !file.slice(dir.length).includes("/");
}

/** "asm_amd64.s:17": a position short enough to list several. */
function shortPosition(p: Position): string {
  return `${p.file.slice(p.file.lastIndexOf("/") + 1)}:${p.line}`;
}
