// Attributes Go function names to modules. A name starts with its package's import path, written
// by the linker with escapes (`example.com/lib.v2` becomes `example.com/lib%2ev2`); the package
// belongs to the longest known module path that prefixes it at a path boundary.
import type { BuildInfo } from "./buildinfo.ts";

export type ModuleKind = "main" | "dependency" | "std" | "unknown";

export interface ModuleRef {
  /**
   * The module path; "std" for the standard library and the runtime. For "unknown", the package
   * path that no known module owns ("" when the name is unreadable): it is not a module path.
   */
  readonly path: string;
  readonly kind: ModuleKind;
}

/** The module of the standard library, the runtime and code the toolchain generates. */
export const STD: ModuleRef = Object.freeze({ path: "std", kind: "std" });

/** A function whose name names no readable package. */
const UNREADABLE: ModuleRef = Object.freeze({ path: "", kind: "unknown" });

/**
 * What a function name says about its package: an import path, `undefined` when the toolchain
 * generated the code for no package (see packageOfSymbol), or `null` when the name cannot be read.
 */
type PackageOfName = string | undefined | null;

/**
 * The import path of the package that defines the Go function `symbol`, unescaped.
 * - `undefined` for code the toolchain generates for no package: type algorithms
 *   (`type:.eq.T`, before Go 1.20 `type..eq.T`), `go:` markers, wrappers for methods of unnamed
 *   types (`struct { sync.Mutex }.Lock`) and assembly symbols without a package
 *   (`_rt0_amd64_linux`, `gogo`; also the C functions of cgo binaries, which are not Go functions).
 * - `null` when the name cannot be read as `PACKAGE.NAME` (a malformed escape, characters no
 *   module-mode import path has): the caller must treat it as unknown.
 * The `main` package is called `main` in symbols, whatever its import path.
 */
export function packageOfSymbol(symbol: string): PackageOfName {
  if (symbol.startsWith("type:") || symbol.startsWith("type..") || symbol.startsWith("go:")) return undefined;
  if (TYPE_LITERAL_START.test(symbol)) return undefined;
  // Instantiation brackets can hold any type, with dots and slashes (`F[go.shape.struct { a/b.T }]`),
  // and never occur in an import path: only what precedes them names the package.
  const bracket = symbol.indexOf("[");
  let head = bracket < 0 ? symbol : symbol.slice(0, bracket);
  // So can a pointer receiver: a method promoted from another package's embedded type is named
  // `a/b.(*T).c/d.method`, and the wrapper belongs to T's package.
  const paren = head.indexOf("(");
  if (paren >= 0) head = head.slice(0, paren);
  // Dots in the last path element are escaped, so the package ends at the first dot after the last slash.
  const slash = head.lastIndexOf("/");
  const dot = head.indexOf(".", slash + 1);
  if (dot < 0) return slash < 0 ? undefined : null;
  const escaped = head.slice(0, dot);
  if (!ESCAPED_IMPORT_PATH.test(escaped)) return null;
  return unescapePath(escaped);
}

// Methods of unnamed types get wrappers named after the type literal.
const TYPE_LITERAL_START = /^(\(?\*?struct \{|interface \{)/;
// Module-mode import paths use letters, digits and "-._~+/"; the linker writes other bytes as %xx.
const ESCAPED_IMPORT_PATH = /^[A-Za-z0-9\-._~+\/%]+$/;
const ESCAPE = /^[0-9a-fA-F]{2}$/;

/** Undoes the linker's `%xx` escapes; null when an escape is malformed or spells invalid UTF-8. */
export function unescapePath(escaped: string): string | null {
  if (!escaped.includes("%")) return escaped;
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; ) {
    const c = escaped.charCodeAt(i);
    if (c !== 0x25) {
      bytes.push(c);
      i++;
      continue;
    }
    const hex = escaped.slice(i + 1, i + 3);
    if (!ESCAPE.test(hex)) return null;
    bytes.push(parseInt(hex, 16));
    i += 3;
  }
  try {
    return strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Says which module a Go function belongs to. Knows the main module and the other module paths
 * (buildinfo dependencies, go.mod requirements); results are cached per name, since the tracer
 * asks about the same functions again and again.
 */
export class ModuleIndex {
  private readonly modules = new Map<string, ModuleRef>();
  private readonly bySymbol = new Map<string, ModuleRef>();
  private readonly mainRef: ModuleRef;

  /**
   * @param mainModule the main module's path; undefined when unknown, and then the `main`
   *   package's functions are attributed to a main module named "main".
   */
  constructor(
    readonly mainModule: string | undefined,
    modulePaths: Iterable<string>,
  ) {
    for (const path of modulePaths) {
      if (path !== "") this.modules.set(path, Object.freeze({ path, kind: "dependency" }));
    }
    this.mainRef = Object.freeze({ path: mainModule ?? "main", kind: "main" });
    if (mainModule !== undefined) this.modules.set(mainModule, this.mainRef);
  }

  /** Every module path the index knows, the main module included. */
  knownModules(): string[] {
    return [...this.modules.keys()];
  }

  /** The known module with exactly this path. */
  module(path: string): ModuleRef | undefined {
    return this.modules.get(path);
  }

  /** The module of a Go function, given its name as pclntab or the symbol table spells it. */
  moduleOf(symbol: string): ModuleRef {
    let ref = this.bySymbol.get(symbol);
    if (ref === undefined) {
      ref = this.moduleOfPackage(packageOfSymbol(symbol));
      this.bySymbol.set(symbol, ref);
    }
    return ref;
  }

  /** The import path part of a function name, unescaped ("" when it names no package). */
  packageOf(symbol: string): string {
    return packageOfSymbol(symbol) ?? "";
  }

  /**
   * The module of a package: the main package; else the longest known module path equal to it or
   * followed by "/" in it; else the standard library when its first element has no dot; else
   * unknown. Known modules come before the standard library because a module whose path has no
   * dot (allowed through a replacement) looks like the standard library.
   */
  moduleOfPackage(pkg: PackageOfName): ModuleRef {
    if (pkg === null) return UNREADABLE;
    if (pkg === undefined) return STD;
    if (pkg === "main") return this.mainRef;
    for (let prefix = pkg; ; ) {
      const known = this.modules.get(prefix);
      if (known) return known;
      const slash = prefix.lastIndexOf("/");
      if (slash < 0) break;
      prefix = prefix.slice(0, slash);
    }
    if (!pkg.split("/", 1)[0].includes(".")) return STD;
    return Object.freeze({ path: pkg, kind: "unknown" });
  }
}

/**
 * The layout of a binary's sources from its build information and the file of its `main.main`
 * (which the caller reads from the function table).
 */
export function sourceLayout(info: BuildInfo | undefined, mainFile: string | undefined): SourceLayout {
  const replacements: [string, string][] = [];
  for (const dep of info?.deps ?? []) {
    const dir = dep.replace?.path;
    // A replacement by a directory, not by another module version (Go's own test of a path).
    if (dir !== undefined && /^(\/|\.\.?(\/|$))/.test(dir)) replacements.push([dep.path, dir]);
  }
  return { mainPackage: info?.path || undefined, mainFile, replacements };
}

/** What locates a binary's source files on the disk it was built on (see SourceFileIndex). */
interface SourceLayout {
  /** The main package's import path (buildinfo `path`), e.g. "example.com/app/cmd/app". */
  mainPackage?: string;
  /** The source file of `main.main`, as the function table records it. */
  mainFile?: string;
  /** Directory replacements from buildinfo: module path -> directory as written ("../mx", "/src/mx"). */
  replacements?: Iterable<[string, string]>;
}

/**
 * Says which module a source file (as pclntab records it) belongs to. Function names alone
 * miss one case: a closure defined in a function that the compiler inlined into another
 * package is compiled as that package's function (`main.main.Adder.func1`, or in Go 1.19
 * `main.main.func3`), though its code and file are the inlined function's module's. The file
 * tells: module cache and -trimpath paths carry `module@version/`; files under the main
 * module's directory (found from main.main's file), its vendor directory, or a directory
 * replacement belong to those modules. Other files (the standard library, generated code,
 * directories the binary does not describe) are undefined: no evidence either way.
 */
export class SourceFileIndex {
  /** Directory -> the module whose files it holds; "vendor" holds packages of many modules. */
  private readonly roots: [string, ModuleRef | "vendor"][] = [];
  private readonly byFile = new Map<string, ModuleRef | undefined>();

  constructor(
    private readonly modules: ModuleIndex,
    layout: SourceLayout,
  ) {
    const mainRef = modules.mainModule === undefined ? undefined : modules.module(modules.mainModule);
    const mainRoot = mainRef && moduleRoot(layout.mainFile, layout.mainPackage, mainRef.path);
    if (mainRoot !== undefined) {
      this.roots.push([mainRoot, mainRef!], [`${mainRoot}/vendor`, "vendor"]);
    }
    for (const [path, dir] of layout.replacements ?? []) {
      const ref = modules.module(path);
      if (!ref) continue;
      if (dir.startsWith("/")) this.roots.push([normalizeDir(dir), ref]);
      // Relative to the main module's directory, which -trimpath builds do not record.
      else if (mainRoot?.startsWith("/")) this.roots.push([normalizeDir(`${mainRoot}/${dir}`), ref]);
    }
    // Longest first, so nested module directories win over the directories around them.
    this.roots.sort((a, b) => b[0].length - a[0].length);
  }

  moduleOfFile(file: string): ModuleRef | undefined {
    if (this.byFile.has(file)) return this.byFile.get(file);
    const ref = this.fromModuleVersion(file) ?? this.fromRoots(file);
    this.byFile.set(file, ref);
    return ref;
  }

  /** `.../MODULE@VERSION/...`: the module cache (with !-escaped capitals) and -trimpath builds. */
  private fromModuleVersion(file: string): ModuleRef | undefined {
    const at = file.indexOf("@v");
    if (at < 0) return undefined;
    const before = file.slice(0, at).replace(/!([a-z])/g, (_, c: string) => c.toUpperCase());
    for (let start = 0; start >= 0 && start < before.length; ) {
      const ref = this.modules.module(before.slice(start));
      if (ref) return ref;
      const slash = before.indexOf("/", start);
      start = slash < 0 ? -1 : slash + 1;
    }
    return undefined;
  }

  private fromRoots(file: string): ModuleRef | undefined {
    for (const [root, ref] of this.roots) {
      if (!file.startsWith(`${root}/`)) continue;
      if (ref !== "vendor") return ref;
      const rest = file.slice(root.length + 1);
      const pkg = rest.slice(0, rest.lastIndexOf("/"));
      const vendored = this.modules.moduleOfPackage(pkg);
      return vendored.kind === "dependency" ? vendored : undefined;
    }
    return undefined;
  }
}

/**
 * The main module's directory: main.main's directory, less the main package's path below the
 * module (example.com/app/cmd/app in example.com/app lives in ROOT/cmd/app).
 */
function moduleRoot(mainFile: string | undefined, mainPackage: string | undefined, mainModule: string): string | undefined {
  if (mainFile === undefined || mainPackage === undefined) return undefined;
  const dir = mainFile.slice(0, mainFile.lastIndexOf("/"));
  if (mainPackage === mainModule) return dir;
  if (!mainPackage.startsWith(`${mainModule}/`)) return undefined;
  const below = mainPackage.slice(mainModule.length);
  return dir.endsWith(below) ? dir.slice(0, dir.length - below.length) : undefined;
}

/** Resolves "." and ".." in a slash-separated directory. */
function normalizeDir(dir: string): string {
  const out: string[] = [];
  for (const part of dir.split("/")) {
    if (part === "..") out.pop();
    else if (part !== "." && part !== "") out.push(part);
  }
  return `${dir.startsWith("/") ? "/" : ""}${out.join("/")}`;
}

/** Who owns a function (by its name) and who owns a source file: what judging a frame needs of a binary. */
export interface Attribution {
  modules: ModuleIndex;
  files: SourceFileIndex;
}
