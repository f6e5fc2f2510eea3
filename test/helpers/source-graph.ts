// The shape of gomodjail's own sources, read from their text: which file imports which (static,
// dynamic, require and type-only imports alike), the cycles among files and among folders, the
// exports nothing else uses, and the longest functions. scripts/import-graph.ts,
// scripts/unused-exports.ts and scripts/largest-functions.ts print them; test/structure.test.ts
// holds the rules. A reader of text, not a compiler: good enough for sources written as these are.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { repoRoot } from "./gobuild.ts";

export interface SourceFile {
  /** Relative to the repository, e.g. "src/tracer/tracer.ts". */
  path: string;
  text: string;
  /** Its imports that name another file of the repository (relative specifiers), resolved. */
  imports: string[];
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "fixtures") continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** The text with comments blanked out (strings kept), so that a word in a comment is not an import. */
export function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (c === "/" && n === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && n === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

/** Every .ts file under the given top-level directories of the repository, with its resolved imports. */
export function readSources(dirs: string[] = ["src", "test"]): SourceFile[] {
  const files: SourceFile[] = [];
  for (const d of dirs) {
    for (const abs of walk(join(repoRoot, d), [])) {
      const text = readFileSync(abs, "utf8");
      const code = stripComments(text);
      const imports = new Set<string>();
      for (const m of code.matchAll(SPECIFIER)) {
        imports.add(relative(repoRoot, resolve(dirname(abs), m[1])));
      }
      files.push({ path: relative(repoRoot, abs), text, imports: [...imports].sort() });
    }
  }
  return files;
}

/** A file's folder below src/ ("tracer", "gobin/pclntab"), or the file itself where it sits in src/. */
export function folderOf(path: string, depth = 1): string {
  const parts = path.replace(/^src\//, "").split("/");
  if (parts.length === 1) return parts[0];
  return parts.slice(0, Math.min(depth, parts.length - 1)).join("/");
}

/** The strongly connected components with more than one member, or a self-edge: the cycles. */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges.get(v)?.has(v)) out.push(comp.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** File-level edges among the files of src/. */
export function fileEdges(files: SourceFile[]): Map<string, Set<string>> {
  const known = new Set(files.map((f) => f.path));
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    if (!f.path.startsWith("src/")) continue;
    edges.set(f.path, new Set(f.imports.filter((i) => known.has(i) && i.startsWith("src/"))));
  }
  return edges;
}

/** Folder-level edges (a folder's files importing another folder's), self-edges left out. */
export function folderEdges(files: SourceFile[], depth = 1): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [from, tos] of fileEdges(files)) {
    const a = folderOf(from, depth);
    if (!edges.has(a)) edges.set(a, new Set());
    for (const to of tos) {
      const b = folderOf(to, depth);
      if (a !== b) edges.get(a)!.add(b);
    }
  }
  return edges;
}

export interface ExportedName {
  file: string;
  name: string;
  line: number;
}

const DECLARED = /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
const LISTED = /^export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from)/gm;

/** The names each file of src/ exports (re-exports `export { x } from` are uses, not exports). */
export function exportedNames(files: SourceFile[]): ExportedName[] {
  const out: ExportedName[] = [];
  for (const f of files) {
    if (!f.path.startsWith("src/")) continue;
    const code = stripComments(f.text);
    const lineOf = (at: number) => code.slice(0, at).split("\n").length;
    for (const m of code.matchAll(DECLARED)) out.push({ file: f.path, name: m[1], line: lineOf(m.index!) });
    for (const m of code.matchAll(LISTED)) {
      for (const part of m[1].split(",")) {
        const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim();
        if (name) out.push({ file: f.path, name, line: lineOf(m.index!) });
      }
    }
  }
  return out;
}

/**
 * The exported names that no other file of src/ or test/ mentions while importing their file.
 * The package's entry point (src/index.ts) is its public API: what it exports is used.
 */
export function unusedExports(files: SourceFile[], entryPoints = ["src/index.ts"]): ExportedName[] {
  const importersOf = new Map<string, SourceFile[]>();
  for (const f of files) for (const i of f.imports) (importersOf.get(i) ?? importersOf.set(i, []).get(i)!).push(f);
  const codeOf = new Map(files.map((f) => [f.path, stripComments(f.text)]));
  return exportedNames(files).filter(({ file, name }) => {
    if (entryPoints.includes(file)) return false;
    const word = new RegExp(`\\b${name.replace(/\$/g, "\\$")}\\b`);
    return !(importersOf.get(file) ?? []).some((g) => g.path !== file && word.test(codeOf.get(g.path)!));
  });
}

export interface FunctionSpan {
  file: string;
  name: string;
  line: number;
  lines: number;
}

const FUNCTION_START = [
  // function f(   export async function f<T>(
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?\s+([A-Za-z_$][\w$]*)/,
  // const f = (...) =>   const f = async x =>   const f = function
  /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/,
  // class members: name(...) {   private async name<T>(...): R {   get name() {
  /^\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*(?:\*\s*)?([A-Za-z_$#][\w$]*)\s*(?:<[^>]*>)?\s*\([^;]*$/,
];
const NOT_A_NAME = new Set(["if", "for", "while", "switch", "catch", "return", "function", "await", "new", "typeof", "else", "do", "try", "with", "super", "this", "throw", "void", "delete", "yield", "case"]);

/**
 * The functions and methods of src/ and their length in lines, from the line that names them to
 * the brace that closes their body. Found by their first line's shape; a body's end by counting
 * braces outside strings and comments.
 */
export function functionSpans(files: SourceFile[]): FunctionSpan[] {
  const out: FunctionSpan[] = [];
  for (const f of files) {
    if (!f.path.startsWith("src/")) continue;
    const code = blankStrings(stripComments(f.text));
    const lines = code.split("\n");
    const offsets: number[] = [];
    let at = 0;
    for (const l of lines) {
      offsets.push(at);
      at += l.length + 1;
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let name: string | undefined;
      for (const re of FUNCTION_START) {
        const m = re.exec(line);
        if (m && !NOT_A_NAME.has(m[1])) {
          name = m[1];
          break;
        }
      }
      if (!name) continue;
      // The body: the first "{" after the parameter list's parentheses close (or after "=>").
      let p = offsets[i] + line.indexOf(name) + name.length;
      let depth = 0;
      let seenParen = false;
      let body = -1;
      for (; p < code.length; p++) {
        const c = code[p];
        if (c === "(") {
          depth++;
          seenParen = true;
        } else if (c === ")") depth--;
        else if (depth === 0 && seenParen && c === "{") {
          // Skip a return type written as an object literal type: ": { ... }" right after ")".
          const before = code.slice(0, p).trimEnd();
          if (before.endsWith(":")) {
            p = matchBrace(code, p);
            continue;
          }
          body = p;
          break;
        } else if (depth === 0 && seenParen && c === ";") break;
        else if (depth === 0 && seenParen && c === "=" && code[p + 1] === ">") {
          const next = code.slice(p + 2).match(/^\s*/)![0].length + p + 2;
          if (code[next] === "{") body = next;
          break;
        }
      }
      if (body < 0) continue;
      const end = matchBrace(code, body);
      const endLine = code.slice(0, end).split("\n").length;
      out.push({ file: f.path, name, line: i + 1, lines: endLine - i });
    }
  }
  return out.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
}

function matchBrace(code: string, open: number): number {
  let depth = 0;
  for (let p = open; p < code.length; p++) {
    if (code[p] === "{") depth++;
    else if (code[p] === "}" && --depth === 0) return p;
  }
  return code.length;
}

/** String and template contents blanked (their braces would miscount), interpolations kept. */
function blankStrings(code: string): string {
  let out = "";
  let i = 0;
  const templates: number[] = []; // brace depth at which each open interpolation returns to its template
  let braces = 0;
  const template = () => {
    // inside a template literal's text, from i
    while (i < code.length) {
      if (code[i] === "\\") {
        out += "  ";
        i += 2;
      } else if (code[i] === "`") {
        out += "`";
        i++;
        return;
      } else if (code[i] === "$" && code[i + 1] === "{") {
        out += "${";
        i += 2;
        templates.push(braces);
        braces++;
        return;
      } else {
        out += code[i] === "\n" ? "\n" : " ";
        i++;
      }
    }
  };
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== c && code[j] !== "\n") j += code[j] === "\\" ? 2 : 1;
      out += c + " ".repeat(Math.max(0, j - i - 1)) + (code[j] ?? "");
      i = j + 1;
    } else if (c === "`") {
      out += "`";
      i++;
      template();
    } else if (c === "/" && /[(,=:[!&|?{};]\s*$|return\s*$|^\s*$/.test(out.slice(-20)) && code[i + 1] !== "/" && code[i + 1] !== "*") {
      // a regular expression literal
      let j = i + 1;
      let cls = false;
      while (j < code.length && code[j] !== "\n" && (cls || code[j] !== "/")) {
        if (code[j] === "\\") j++;
        else if (code[j] === "[") cls = true;
        else if (code[j] === "]") cls = false;
        j++;
      }
      out += "/" + " ".repeat(Math.max(0, j - i - 1)) + "/";
      i = j + 1;
    } else if (c === "{") {
      braces++;
      out += c;
      i++;
    } else if (c === "}") {
      braces--;
      out += c;
      i++;
      if (templates.length && templates[templates.length - 1] === braces) {
        templates.pop();
        template();
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
