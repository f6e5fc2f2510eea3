// Whether a source file takes part in a build, as the go command decides it: the _GOOS / _GOARCH
// suffixes of its name, then its //go:build line (or, in files older than Go 1.17, its
// `// +build` lines). Only the files a binary could hold are worth reporting.
import { parseGoVersion } from "../gobin/go-release.ts";

export interface BuildContext {
  goos: string;
  goarch: string;
  cgo: boolean;
  /** The Go release's minor version: go1.N tags hold for N up to it. */
  goMinor: number;
  /** Tags from the build's -tags setting. */
  tags: readonly string[];
}

const KNOWN_OS = new Set(
  "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos".split(" "),
);
const KNOWN_ARCH = new Set(
  "386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split(
    " ",
  ),
);
const UNIX = new Set("aix android darwin dragonfly freebsd hurd illumos ios linux netbsd openbsd solaris".split(" "));

function tagHolds(tag: string, ctx: BuildContext): boolean {
  if (tag === ctx.goos || tag === ctx.goarch || tag === "gc") return true;
  if (tag === "unix") return UNIX.has(ctx.goos);
  if (tag === "cgo") return ctx.cgo;
  // go1.N: a release tag, which holds from Go 1.N on.
  const release = parseGoVersion(tag)?.minor;
  if (release !== undefined && tag === `go1.${release}`) return release <= ctx.goMinor;
  return ctx.tags.includes(tag);
}

/** The go command's rule for names: `*_GOOS`, `*_GOARCH` and `*_GOOS_GOARCH` (before the extension). */
export function nameMatches(fileName: string, ctx: BuildContext): boolean {
  const stem = fileName.slice(0, fileName.lastIndexOf(".") < 0 ? undefined : fileName.lastIndexOf("."));
  const parts = stem.split("_");
  if (parts.length < 2) return true;
  const last = parts[parts.length - 1];
  const before = parts.length >= 3 ? parts[parts.length - 2] : undefined;
  if (before !== undefined && KNOWN_OS.has(before) && KNOWN_ARCH.has(last)) return tagHolds(before, ctx) && tagHolds(last, ctx);
  if (KNOWN_OS.has(last) || KNOWN_ARCH.has(last)) return tagHolds(last, ctx);
  return true;
}

/** Evaluates a //go:build expression; a malformed one excludes the file, as the go command does. */
function evaluate(expr: string, ctx: BuildContext): boolean {
  const tokens = expr.match(/\(|\)|!|&&|\|\||[^\s()!&|]+/g) ?? [];
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(expr);
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[at] === "||") {
      at++;
      v = and() || v;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (tokens[at] === "&&") {
      at++;
      v = not() && v;
    }
    return v;
  };
  const not = (): boolean => {
    const t = tokens[at++] ?? fail();
    if (t === "!") return !not();
    if (t === "(") {
      const v = or();
      if (tokens[at++] !== ")") fail();
      return v;
    }
    if (t === ")" || t === "&&" || t === "||") fail();
    return tagHolds(t, ctx);
  };
  try {
    const v = or();
    return at === tokens.length && v;
  } catch (e) {
    if (e instanceof SyntaxError) return false;
    throw e;
  }
}

/**
 * Whether the file's constraint lines (read from its header, before the package clause) admit it:
 * `//go:build` wins; otherwise every `// +build` line must hold (each an OR of ANDs).
 */
export function constraintsHold(text: string, ctx: BuildContext): boolean {
  const plusBuild: string[] = [];
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (l.startsWith("//go:build ")) return evaluate(l.slice("//go:build ".length), ctx);
    if (l.startsWith("// +build ")) plusBuild.push(l.slice("// +build ".length));
    else if (l.startsWith("package ") || l.startsWith("/*") || (l !== "" && !l.startsWith("//"))) break;
  }
  return plusBuild.every((line) =>
    line
      .split(/\s+/)
      .filter(Boolean)
      .some((alt) => alt.split(",").every((t) => (t.startsWith("!") ? !tagHolds(t.slice(1), ctx) : tagHolds(t, ctx)))),
  );
}
