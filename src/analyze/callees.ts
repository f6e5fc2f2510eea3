// What a direct call from a module's code says about it: whether Go code could have written it
// (the callee is exported, in an importable package, or one of the compiler's own runtime
// helpers), or whether it takes a //go:linkname pull; and whether it is one of the known escapes
// (plugin.Open, reflect's raw pointers, unsafe.Slice and unsafe.String).
import { packageOfSymbol } from "../gobin/modules.ts";

/** A Go function name split into its package (unescaped) and the rest. */
interface SymbolParts {
  pkg: string;
  /** After the package: `F`, `(*T).M`, `T.M`, `F.func1`, `F[go.shape.int]`... */
  local: string;
}

/** Undefined for names of no package (type algorithms, toolchain-generated code, bare assembly symbols). */
export function symbolParts(name: string): SymbolParts | undefined {
  const pkg = packageOfSymbol(name);
  if (pkg === undefined || pkg === null) return undefined;
  // As packageOfSymbol reads it: before type arguments and a receiver, which may hold slashes.
  const end = [name.indexOf("["), name.indexOf("(")].filter((i) => i >= 0);
  const head = end.length > 0 ? name.slice(0, Math.min(...end)) : name;
  const dot = head.indexOf(".", head.lastIndexOf("/") + 1);
  return { pkg, local: name.slice(dot + 1) };
}

/** Closures, goroutine and defer wrappers, method values, range-func bodies: named by no one, called by the compiler. */
const COMPILER_NAMED = /^(func|gowrap|deferwrap)\d+$|-fm$|-range\d+$|^\d+$/;

/** What a name after its package stands for, without type arguments (which may nest brackets). */
function localParts(local: string): string[] {
  let plain = "";
  let depth = 0;
  for (const ch of local) {
    if (ch === "[") depth++;
    else if (ch === "]") depth--;
    else if (depth === 0) plain += ch;
  }
  return plain.split(".");
}

function isExportedName(name: string): boolean {
  const first = name.replace(/^\(\*?/, "").codePointAt(0);
  if (first === undefined) return false;
  const ch = String.fromCodePoint(first);
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

/**
 * How Go code of another package may call the function `local` names: a method by its name alone
 * (a value of an unexported or internal type can come from anywhere), a function only when
 * exported and its package importable; code the compiler names it calls itself.
 */
function reachability(local: string): "compiler" | "method" | "function" | "unexported" {
  const parts = localParts(local);
  const last = parts[parts.length - 1];
  if (COMPILER_NAMED.test(last)) return "compiler";
  if (!isExportedName(last)) return "unexported";
  return parts.length > 1 ? "method" : "function";
}

/** Packages of the Go distribution's own tree (GOROOT/src): the standard library and cmd. */
function inGoroot(pkg: string): boolean {
  const first = pkg.split("/", 1)[0];
  return !first.includes(".");
}

/**
 * The Go rule for importing `callee` from `caller`: a package below an `internal` directory is
 * importable only from the tree rooted at that directory's parent; the standard library's
 * vendored packages only from the standard library.
 */
export function canImport(caller: string, callee: string): boolean {
  if (callee.startsWith("vendor/")) return inGoroot(caller);
  const parts = callee.split("/");
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parts[i] !== "internal") continue;
    const parent = parts.slice(0, i).join("/");
    if (parent === "") return inGoroot(caller);
    if (!(caller === parent || caller.startsWith(`${parent}/`))) return false;
  }
  return true;
}

/**
 * The runtime functions the Go compiler calls by itself (Go 1.19-1.27): allocation, write
 * barriers, stack growth, maps, channels, select, interfaces and conversions, strings, panics for
 * failed checks, defer and go statements, race/msan/asan and fuzzing instrumentation, and the
 * built-in print. A call to one says nothing about how the code was written.
 */
const COMPILER_HELPER = new RegExp(
  "^runtime\\.(" +
    [
      "newobject|mallocgc\\w*|newproc|deferproc|deferprocStack|deferreturn|deferrangefunc|gopanic|gorecover|goschedguarded|block",
      "morestack|morestack_noctxt|morestackc|gcWriteBarrier\\w*|wbZero|wbMove|duffzero|duffcopy",
      "panic\\w+|goPanic\\w+|throwinit",
      "makeslice|makeslice64|makeslicecopy|growslice\\w*|moveSlice\\w*|slicecopy|typedslicecopy|typedmemmove|typedmemclr|memmove|memclrNoHeapPointers|memclrHasPointers",
      "makemap|makemap64|makemap_small|mapaccess\\w+|mapassign\\w*|mapdelete\\w*|mapiterinit|mapiternext|mapIterStart|mapIterNext|mapclear|mapclone|mapinitnoop",
      "makechan|makechan64|chansend1|chanrecv1|chanrecv2|closechan|chanlen|chancap|selectgo|selectnbsend|selectnbrecv|selectsetpc",
      "convT\\w*|convI2I|assert\\w+|typeAssert|interfaceSwitch|ifaceeq|efaceeq|getitab",
      "concatstring\\w*|concatbyte\\w*|cmpstring|intstring|slicebytetostring\\w*|slicerunetostring|stringtoslicebyte|stringtoslicerune|decoderune|countrunes|rawstring",
      "memequal\\w*|f32equal|f64equal|c64equal|c128equal|strequal|interequal|nilinterequal|memhash\\w*|f32hash|f64hash|c64hash|c128hash|strhash|interhash|nilinterhash|typehash",
      "int64div|uint64div|int64mod|uint64mod|float64to\\w+|u?int64tofloat\\w+|uint32tofloat64|complex128div|mulUintptr",
      "race\\w+|msan\\w+|asan\\w+|libfuzzer\\w+|addCovMeta|checkptr\\w+",
      "unsafeslice\\w*|unsafestring\\w*",
      "print\\w*",
      "rand32|rand|fastrand",
    ].join("|") +
    ")$",
);

/** Calls that use unsafe.Slice or unsafe.String (the compiler checks their arguments through these). */
const UNSAFE_MARKERS = /^runtime\.(panicunsafe\w+|unsafeslice\w*|unsafestring\w*)$/;

/** reflect's ways to raw memory: a Value over any address, or the address behind a Value. */
const REFLECT_ESCAPES = new Set(["reflect.NewAt", "reflect.Value.UnsafeAddr", "reflect.Value.UnsafePointer", "reflect.Value.SetPointer"]);

const PLUGIN_ESCAPES = new Set(["plugin.Open"]);

/** The runtime entry points of cgo-generated code; calls to them are the cgo finding, not a pull. */
const CGO_RUNTIME = /^runtime\.(cgo\w*|_cgo\w*|asmcgocall\w*)$/;

export type CalleeClass =
  /** A function any package may call: exported and importable, or a compiler helper. */
  | "ordinary"
  | "unsafe"
  | "reflect"
  | "plugin"
  | "cgo"
  /** Needs a closer look: callable from its own package only, or from an importing tree only. */
  | "restricted";

/** What a call to `name` is, before knowing who calls it. */
export function classifyCallee(name: string): CalleeClass {
  if (UNSAFE_MARKERS.test(name)) return "unsafe";
  if (REFLECT_ESCAPES.has(name)) return "reflect";
  if (PLUGIN_ESCAPES.has(name)) return "plugin";
  if (CGO_RUNTIME.test(name)) return "cgo";
  if (COMPILER_HELPER.test(name)) return "ordinary";
  const parts = symbolParts(name);
  if (parts === undefined) return "ordinary";
  switch (reachability(parts.local)) {
    case "compiler":
    case "method":
      return "ordinary";
    case "unexported":
      return "restricted";
    case "function":
      // An exported function of an internal or vendored package: only some trees may import it.
      return /(^|\/)(internal|vendor)(\/|$)/.test(parts.pkg) ? "restricted" : "ordinary";
  }
}

/**
 * Whether code of package `caller` can call the restricted function `callee` without a
 * //go:linkname: only from its own package, or (exported) from a tree that may import it.
 */
export function callableFrom(caller: string, callee: string): boolean {
  const parts = symbolParts(callee);
  if (parts === undefined || parts.pkg === caller) return true;
  const how = reachability(parts.local);
  return how !== "unexported" && (how !== "function" || canImport(caller, parts.pkg));
}
