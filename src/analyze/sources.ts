// Source-level findings for a module whose sources are on this machine: assembly files and their
// syscall instructions, C files and C constructors, imports of "C", "unsafe", "reflect" and
// "plugin", and //go:linkname directives, each at its line. Only the package directories the
// binary holds code of are read, and only the files the build's constraints admit.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type BuildContext, constraintsHold, nameMatches } from "./build-constraints.ts";
import type { Finding, FindingKind } from "./findings.ts";

const C_SOURCE = /\.(c|cc|cpp|cxx|m|h|hh|hpp|hxx)$/;
const ASM_SOURCE = /\.[sS]$/;
/** Instructions that enter the kernel, as Go assembly spells them. */
const ASM_SYSCALL = /^\s*(SYSCALL|SYSENTER|SVC|INT\s+\$(0x80|128))\b/;
const C_CONSTRUCTOR = /__attribute__\s*\(\(\s*(__)?constructor/;
const IMPORT_KINDS: Record<string, FindingKind> = { C: "cgo", unsafe: "unsafe", reflect: "reflect", plugin: "plugin" };

/**
 * The directories of a module's packages on this machine: each directory the binary records
 * (when it exists here), else, for a -trimpath build, which records `MODULE@VERSION/REL` (or the
 * module path alone for a directory replacement), REL below the first of `roots` that exists.
 */
export function packageDirectories(recorded: Iterable<string>, trimmedPrefixes: readonly string[], roots: readonly string[]): string[] {
  const found = new Set<string>();
  const root = roots.find((r) => isDirectory(r));
  for (const dir of recorded) {
    if (dir.startsWith("/")) {
      if (isDirectory(dir)) found.add(dir);
      continue;
    }
    const prefix = trimmedPrefixes.find((p) => dir === p || dir.startsWith(`${p}/`));
    if (root === undefined || prefix === undefined) continue;
    const onDisk = join(root, dir.slice(prefix.length));
    if (isDirectory(onDisk)) found.add(onDisk);
  }
  return [...found].sort();
}

/** Where a module's sources may be: its replacement directory, the module caches, the main module's vendor directory. */
export function moduleRootCandidates(
  module: { path: string; version?: string; /** A replacement directory, as the build information writes it. */ replace?: string },
  mainRoot: string | undefined,
  moduleCaches: readonly string[],
): string[] {
  const out: string[] = [];
  if (module.replace !== undefined) {
    if (module.replace.startsWith("/")) out.push(module.replace);
    else if (/^\.\.?(\/|$)/.test(module.replace) && mainRoot) out.push(join(mainRoot, module.replace));
  }
  if (module.version) for (const cache of moduleCaches) out.push(join(cache, `${escapeModulePath(module.path)}@${module.version}`));
  if (mainRoot) out.push(join(mainRoot, "vendor", module.path));
  return out;
}

/** The module cache's spelling of a path: capitals as "!" and the lower-case letter. */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** The module caches to look in: $GOMODCACHE, $GOPATH/pkg/mod, ~/go/pkg/mod, and those the binary's own paths show. */
export function moduleCaches(env: Record<string, string | undefined>, recordedFiles: Iterable<string>): string[] {
  const caches = new Set<string>();
  if (env.GOMODCACHE) caches.add(env.GOMODCACHE);
  for (const p of (env.GOPATH ?? "").split(":").filter(Boolean)) caches.add(join(p, "pkg/mod"));
  if (env.HOME) caches.add(join(env.HOME, "go/pkg/mod"));
  for (const f of recordedFiles) {
    const at = f.indexOf("/pkg/mod/");
    if (f.startsWith("/") && at >= 0) caches.add(f.slice(0, at + "/pkg/mod".length));
  }
  return [...caches];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The findings of the source files in `dirs` that the build context admits. */
export function scanSources(dirs: readonly string[], ctx: BuildContext): Finding[] {
  const findings: Finding[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (name.startsWith(".") || name.startsWith("_") || !existsSync(file) || !statSync(file).isFile()) continue;
      if (name.endsWith(".go") && !name.endsWith("_test.go")) scanGoFile(file, ctx, findings);
      else if (ASM_SOURCE.test(name)) scanAsmFile(file, ctx, findings);
      else if (C_SOURCE.test(name)) scanCFile(file, ctx, findings);
    }
  }
  return findings;
}

function source(kind: FindingKind, file: string, line: number, message: string): Finding {
  return { kind, origin: "source", file, line, message };
}

function admitted(file: string, text: string, ctx: BuildContext): boolean {
  return nameMatches(file.slice(file.lastIndexOf("/") + 1), ctx) && constraintsHold(text, ctx);
}

function scanAsmFile(file: string, ctx: BuildContext, out: Finding[]): void {
  const text = readFileSync(file, "utf8");
  if (!admitted(file, text, ctx)) return;
  const lines = text.split("\n");
  const functions = lines.filter((l) => /^TEXT\b/.test(l)).length;
  out.push(source("asm", file, 1, `assembly source (${functions} function${functions === 1 ? "" : "s"})`));
  lines.forEach((l, i) => {
    if (ASM_SYSCALL.test(l)) out.push(source("asm", file, i + 1, `raw syscall instruction: ${l.trim()}`));
  });
}

/** A C file is compiled only with cgo, and like any source file only where its name and constraints admit it (x/sys's gccgo_c.c: gccgo only). */
function scanCFile(file: string, ctx: BuildContext, out: Finding[]): void {
  const text = readFileSync(file, "utf8");
  if (!ctx.cgo || !admitted(file, text, ctx)) return;
  const lines = text.split("\n");
  out.push(source("cgo", file, 1, "C source file"));
  lines.forEach((l, i) => {
    if (C_CONSTRUCTOR.test(l)) out.push(source("cgo", file, i + 1, "C constructor: runs before any Go code"));
  });
}

function scanGoFile(file: string, ctx: BuildContext, out: Finding[]): void {
  const text = readFileSync(file, "utf8");
  if (!admitted(file, text, ctx)) return;
  const lines = text.split("\n");
  let importsC = false;
  for (const { path, line } of imports(lines)) {
    const kind = IMPORT_KINDS[path];
    if (!kind) continue;
    if (path === "C") importsC = true;
    out.push(source(kind, file, line, `imports "${path}"`));
  }
  lines.forEach((l, i) => {
    const linkname = /^\/\/go:linkname\s+(\S+)(\s+(\S+))?/.exec(l);
    if (linkname) out.push(source("linkname", file, i + 1, `//go:linkname ${linkname[1]}${linkname[3] ? ` ${linkname[3]}` : ""}`));
    else if (importsC && C_CONSTRUCTOR.test(l)) out.push(source("cgo", file, i + 1, "C constructor in the cgo preamble: runs before any Go code"));
  });
}

/** The import paths of a Go file with their lines, read past comments (a cgo preamble is one). */
function imports(lines: readonly string[]): { path: string; line: number }[] {
  const out: { path: string; line: number }[] = [];
  let inComment = false;
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    if (inComment) {
      const end = l.indexOf("*/");
      if (end < 0) continue;
      inComment = false;
      l = l.slice(end + 2);
    }
    l = l.replace(/\/\*.*?\*\//g, "").replace(/\/\/.*$/, "");
    const open = l.indexOf("/*");
    if (open >= 0) {
      inComment = true;
      l = l.slice(0, open);
    }
    const t = l.trim();
    if (t === "") continue;
    if (inBlock) {
      if (t.startsWith(")")) {
        inBlock = false;
        continue;
      }
      const m = /"([^"]*)"|`([^`]*)`/.exec(t);
      if (m) out.push({ path: m[1] ?? m[2], line: i + 1 });
      continue;
    }
    if (/^import\s*\($/.test(t)) inBlock = true;
    else if (t.startsWith("import")) {
      const m = /^import\s+(?:[\w.]+\s+)?(?:"([^"]*)"|`([^`]*)`)/.exec(t);
      if (m) out.push({ path: m[1] ?? m[2], line: i + 1 });
    } else if (!t.startsWith("package")) {
      // Imports come right after the package clause: the first other declaration ends them.
      if (/^(func|type|var|const)\b/.test(t)) break;
    }
  }
  return out;
}
