// Attributes Go function names to modules. A name starts with its package's import path, written
// by the linker with escapes (`example.com/lib.v2` becomes `example.com/lib%2ev2`); the package
// belongs to the longest known module path that prefixes it at a path boundary.

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
  const head = bracket < 0 ? symbol : symbol.slice(0, bracket);
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
    const firstElement = pkg.slice(0, (pkg.indexOf("/") + 1 || pkg.length + 1) - 1);
    if (!firstElement.includes(".")) return STD;
    return Object.freeze({ path: pkg, kind: "unknown" });
  }
}
