// Reads go.mod files: the grammar the go command accepts, with every comment kept next to the
// line it annotates, because gomodjail's policies are written in comments.
import { readFileSync } from "node:fs";

/** A go.mod that cannot be read or does not parse; the message is `FILE:LINE: reason`. */
export class GoModError extends Error {
  override name = "GoModError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}

/** A `//` comment, from the slashes to the end of its line. */
export interface Comment {
  line: number;
  text: string;
}

/** One directive: a top-level line (`require a v1.0.0`) or a line inside a block (`a v1.0.0`). */
export interface Directive {
  kind: "directive";
  /** The directive name; for a line inside a block, the block's. */
  verb: string;
  /** The tokens after the verb as written (quoted strings keep their quotes). */
  tokens: string[];
  line: number;
  /** Whole-line comments directly above: at top level, with no blank line between; in a block, since the previous line. */
  before: Comment[];
  /** The comment at the end of the line. */
  suffix: Comment | undefined;
  block: Block | undefined;
}

/** A factored block: `require (` ... `)`. */
export interface Block {
  kind: "block";
  verb: string;
  line: number;
  before: Comment[];
  /** The comment after `(`. */
  suffix: Comment | undefined;
  directives: Directive[];
  /** Comment lines above `)` and the comment after it: they annotate no directive. */
  closing: Comment[];
}

/** Whole-line comments separated from the next statement by a blank line (or the end of the file). */
interface CommentGroup {
  kind: "comments";
  comments: Comment[];
}

type Statement = Directive | Block | CommentGroup;

interface ModuleDecl {
  path: string;
  directive: Directive;
}
interface Requirement {
  path: string;
  version: string;
  /** Marked `// indirect`. */
  indirect: boolean;
  directive: Directive;
}
interface Exclusion {
  path: string;
  version: string;
  directive: Directive;
}
interface Replacement {
  oldPath: string;
  /** Undefined when every version of oldPath is replaced. */
  oldVersion: string | undefined;
  newPath: string;
  /** Undefined when newPath is a local directory. */
  newVersion: string | undefined;
  directive: Directive;
}
interface Retraction {
  low: string;
  high: string;
  directive: Directive;
}
interface GoDebugSetting {
  key: string;
  value: string;
  directive: Directive;
}
interface PathDecl {
  path: string;
  directive: Directive;
}

export interface GoMod {
  file: string;
  statements: Statement[];
  module: ModuleDecl | undefined;
  go: string | undefined;
  toolchain: string | undefined;
  godebug: GoDebugSetting[];
  require: Requirement[];
  exclude: Exclusion[];
  replace: Replacement[];
  retract: Retraction[];
  tool: PathDecl[];
  ignore: PathDecl[];
}

/** Reads and parses the go.mod at path; errors name the path as given. */
export function readGoMod(path: string): GoMod {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new GoModError(path, undefined, `cannot read the go.mod file: ${systemErrorText(e)}`);
  }
  return parseGoMod(new TextDecoder().decode(bytes), path);
}

/** Parses go.mod text; `file` is used in error messages only. */
export function parseGoMod(text: string, file: string): GoMod {
  const statements = new Parser(tokenize(text, file), file).parseFile();
  return interpret(statements, file);
}

function systemErrorText(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (code === "EISDIR") return "is a directory";
  const message = e instanceof Error ? e.message : String(e);
  // Node-style messages read "ENOENT: no such file or directory, open '/x'".
  const m = /^E[A-Z0-9]+: (.+?), \w+/.exec(message);
  return m ? m[1] : message.split("\n")[0];
}

// ---- Lexer ----

type TokenKind = "word" | "string" | "(" | ")" | "[" | "]" | "{" | "}" | "," | "comment" | "newline" | "eof";

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
}

const punctuation = new Set(["(", ")", "[", "]", "{", "}", ","]);
/** Compiled on first use: a Unicode property class costs about 2 ms to build, and go.mod files are mostly ASCII. */
let printable: RegExp | undefined;

function isWordChar(c: string): boolean {
  if (punctuation.has(c)) return false;
  if (c.length === 1 && c < "\x80") return c > " " && c < "\x7f";
  printable ??= /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
  return printable.test(c);
}

/** A run of ASCII word characters without `//` or `/*`: what isWordChar's loop accepts, faster. */
const ASCII_WORD = /(?:[\x21-\x27\x2a\x2b\x2d\x2e\x30-\x5a\x5c\x5e-\x7a\x7c\x7e]|\/(?![/*]))+/y;

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const fail = (reason: string): never => {
    throw new GoModError(file, line, reason);
  };
  const push = (kind: TokenKind, tokenText: string) => {
    tokens.push({ kind, text: tokenText, line });
  };
  while (i < text.length) {
    const c = String.fromCodePoint(text.codePointAt(i)!);
    if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "\n") {
      push("newline", c);
      line++;
      i++;
    } else if (text.startsWith("//", i)) {
      let end = text.indexOf("\n", i);
      if (end < 0) end = text.length;
      push("comment", text.slice(i, end).replace(/\r$/, ""));
      i = end;
    } else if (text.startsWith("/*", i)) {
      fail("go.mod files use // comments, not /* */ comments");
    } else if (punctuation.has(c)) {
      push(c as TokenKind, c);
      i++;
    } else if (c === '"' || c === "`") {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) fail("unexpected end of file in a quoted string");
        const d = text[j];
        if (d === "\n") fail("unexpected newline in a quoted string");
        j++;
        if (d === c) break;
        if (d === "\\" && c === '"') {
          if (j >= text.length) fail("unexpected end of file in a quoted string");
          if (text[j] === "\n") fail("unexpected newline in a quoted string");
          j++;
        }
      }
      push("string", text.slice(i, j));
      i = j;
    } else if (isWordChar(c)) {
      // ASCII runs by one regular expression (a loop per character costs milliseconds on a long
      // go.mod while the JIT is held back, jit-policy.ts); the loop takes over where one ends.
      ASCII_WORD.lastIndex = i;
      let j = ASCII_WORD.test(text) ? ASCII_WORD.lastIndex : i;
      while (j < text.length && !text.startsWith("//", j)) {
        if (text.startsWith("/*", j)) fail("go.mod files use // comments, not /* */ comments");
        const d = String.fromCodePoint(text.codePointAt(j)!);
        if (!isWordChar(d)) break;
        j += d.length;
      }
      push("word", text.slice(i, j));
      i = j;
    } else {
      fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  push("eof", "");
  return tokens;
}

// ---- Parser: statements with their comments ----

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  parseFile(): Statement[] {
    const statements: Statement[] = [];
    let pending: Comment[] = [];
    const flush = () => {
      if (pending.length > 0) statements.push({ kind: "comments", comments: pending });
      pending = [];
    };
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") {
        flush();
        return statements;
      }
      if (t.kind === "newline") {
        this.next();
        flush();
      } else if (t.kind === "comment") {
        pending.push(this.endLine()!);
      } else {
        const statement = this.parseStatement();
        statement.before = pending;
        pending = [];
        statements.push(statement);
      }
    }
  }

  private parseStatement(): Directive | Block {
    const first = this.next();
    if (first.kind !== "word" && first.kind !== "string") this.fail(first.line, `unexpected ${JSON.stringify(first.text)}`);
    const words = [first.text];
    for (;;) {
      const t = this.peek();
      if (isEndOfLine(t)) {
        return { kind: "directive", verb: first.text, tokens: words.slice(1), line: first.line, before: [], suffix: this.endLine(), block: undefined };
      }
      if (t.kind === "(" && isEndOfLine(this.peek(1))) {
        this.next();
        if (words.length > 1) this.fail(first.line, `unknown block type: ${words.join(" ")}`);
        return this.parseBlock(first);
      }
      if (t.kind === "(" && this.peek(1).kind === ")" && isEndOfLine(this.peek(2))) {
        this.next();
        this.next();
        if (words.length > 1) this.fail(first.line, `unknown block type: ${words.join(" ")}`);
        return { kind: "block", verb: first.text, line: first.line, before: [], suffix: this.endLine(), directives: [], closing: [] };
      }
      words.push(this.lineToken().text);
    }
  }

  private parseBlock(opening: Token): Block {
    const block: Block = { kind: "block", verb: opening.text, line: opening.line, before: [], suffix: this.endLine(), directives: [], closing: [] };
    let pending: Comment[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") this.fail(block.line, `unterminated ${block.verb} block: missing ")"`);
      if (t.kind === "newline") {
        this.next();
      } else if (t.kind === "comment") {
        pending.push(this.endLine()!);
      } else if (t.kind === ")") {
        this.next();
        const after = this.peek();
        if (!isEndOfLine(after)) this.fail(after.line, `unexpected ${JSON.stringify(after.text)} after ")"`);
        const suffix = this.endLine();
        block.closing = suffix ? [...pending, suffix] : pending;
        return block;
      } else {
        const words = [this.lineToken().text];
        while (!isEndOfLine(this.peek())) words.push(this.lineToken().text);
        block.directives.push({ kind: "directive", verb: block.verb, tokens: words, line: t.line, before: pending, suffix: this.endLine(), block });
        pending = [];
      }
    }
  }

  /** A token inside a directive line: a word, a string, or retract's `[`, `,` and `]`. */
  private lineToken(): Token {
    const t = this.next();
    if (t.kind === "word" || t.kind === "string" || t.kind === "[" || t.kind === "]" || t.kind === ",") return t;
    if (t.kind === "(") this.fail(t.line, `unexpected "(": a block's "(" must end its line`);
    return this.fail(t.line, `unexpected ${JSON.stringify(t.text)}`);
  }

  /** Consumes the end of a line: an optional comment, then the newline; returns the comment. */
  private endLine(): Comment | undefined {
    let suffix: Comment | undefined;
    if (this.peek().kind === "comment") {
      const t = this.next();
      suffix = { line: t.line, text: t.text };
    }
    if (this.peek().kind === "newline") this.next();
    return suffix;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  private fail(line: number, reason: string): never {
    throw new GoModError(this.file, line, reason);
  }
}

function isEndOfLine(t: Token): boolean {
  return t.kind === "newline" || t.kind === "eof" || t.kind === "comment";
}

// ---- Meaning of each directive ----

const blockVerbs = new Set(["module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"]);
const goVersionPattern = /^[1-9]\d*\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?([a-z]+\d+)?$/;
const toolchainPattern = /^default$|^go1($|\.)/;
const semverPattern =
  /^v(0|[1-9]\d*)(\.(0|[1-9]\d*)(\.(0|[1-9]\d*)(-(?<pre>[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?)?$/;

function interpret(statements: Statement[], file: string): GoMod {
  const mod: GoMod = {
    file,
    statements,
    module: undefined,
    go: undefined,
    toolchain: undefined,
    godebug: [],
    require: [],
    exclude: [],
    replace: [],
    retract: [],
    tool: [],
    ignore: [],
  };
  for (const s of statements) {
    if (s.kind === "directive") {
      interpretDirective(mod, s);
    } else if (s.kind === "block") {
      if (!blockVerbs.has(s.verb)) throw new GoModError(file, s.line, `unknown block type: ${s.verb}`);
      for (const d of s.directives) interpretDirective(mod, d);
    }
  }
  return mod;
}

function interpretDirective(mod: GoMod, d: Directive): void {
  const fail = (reason: string): never => {
    throw new GoModError(mod.file, d.line, reason);
  };
  const string = (token: string): string => {
    const value = unquote(token);
    if (value !== undefined) return value;
    return /^["`]/.test(token) ? fail(`invalid quoted string ${token}`) : fail(`${token}: an unquoted string cannot contain a quote`);
  };
  const path = (token: string, usage: string): string => {
    const value = string(token);
    if (value === "" || /\s/.test(value)) fail(`invalid path ${JSON.stringify(value)}; usage: ${usage}`);
    return value;
  };
  const version = (token: string, subject: string): string => {
    const value = string(token);
    if (!isSemver(value)) fail(`${subject}: invalid version ${JSON.stringify(value)}: must look like v1.2.3`);
    return value;
  };
  const args = d.tokens;
  switch (d.verb) {
    case "module": {
      const usage = "module module/path";
      if (mod.module) fail("repeated module statement");
      if (args.length !== 1) fail(`usage: ${usage}`);
      mod.module = { path: path(args[0], usage), directive: d };
      return;
    }
    case "go":
      if (mod.go !== undefined) fail("repeated go statement");
      if (args.length !== 1) fail("go directive expects exactly one argument");
      if (!goVersionPattern.test(args[0])) fail(`invalid go version ${JSON.stringify(args[0])}: must look like 1.23.0`);
      mod.go = args[0];
      return;
    case "toolchain":
      if (mod.toolchain !== undefined) fail("repeated toolchain statement");
      if (args.length !== 1) fail("toolchain directive expects exactly one argument");
      if (!toolchainPattern.test(args[0])) fail(`invalid toolchain ${JSON.stringify(args[0])}: must look like go1.23.0 or default`);
      mod.toolchain = args[0];
      return;
    case "godebug": {
      const eq = args.length === 1 && !/["'`,]/.test(args[0]) ? args[0].indexOf("=") : -1;
      if (eq < 0) fail("usage: godebug key=value");
      mod.godebug.push({ key: args[0].slice(0, eq), value: args[0].slice(eq + 1), directive: d });
      return;
    }
    case "require":
    case "exclude": {
      const usage = `${d.verb} module/path v1.2.3`;
      if (args.length !== 2) fail(`usage: ${usage}`);
      const p = path(args[0], usage);
      const v = version(args[1], `${d.verb} ${p}`);
      if (d.verb === "require") mod.require.push({ path: p, version: v, indirect: isIndirect(d), directive: d });
      else mod.exclude.push({ path: p, version: v, directive: d });
      return;
    }
    case "replace":
      mod.replace.push(interpretReplace(d, args, fail, path, version));
      return;
    case "retract": {
      const single = args.length === 1;
      const range = args.length === 5 && args[0] === "[" && args[2] === "," && args[4] === "]";
      if (!single && !range) fail("usage: retract v1.2.3 or retract [v1.2.0, v1.2.3]");
      const low = version(args[single ? 0 : 1], "retract");
      const high = single ? low : version(args[3], "retract");
      mod.retract.push({ low, high, directive: d });
      return;
    }
    case "tool":
    case "ignore": {
      const usage = d.verb === "tool" ? "tool package/path" : "ignore ./directory";
      if (args.length !== 1) fail(`usage: ${usage}`);
      (d.verb === "tool" ? mod.tool : mod.ignore).push({ path: path(args[0], usage), directive: d });
      return;
    }
    default:
      fail(`unknown directive: ${d.verb}`);
  }
}

function interpretReplace(
  d: Directive,
  args: string[],
  fail: (reason: string) => never,
  path: (token: string, usage: string) => string,
  version: (token: string, subject: string) => string,
): Replacement {
  const usage = "replace module/path [v1.2.3] => other/module v1.4.0, or replace module/path [v1.2.3] => ../local/directory";
  const arrow = args.indexOf("=>");
  if ((arrow !== 1 && arrow !== 2) || args.length < arrow + 2 || args.length > arrow + 3) fail(`usage: ${usage}`);
  const oldPath = path(args[0], usage);
  const oldVersion = arrow === 2 ? version(args[1], `replace ${oldPath}`) : undefined;
  const newPath = path(args[arrow + 1], usage);
  const local = isLocalDirectory(newPath);
  let newVersion: string | undefined;
  if (args.length === arrow + 3) {
    if (local) fail(`replacement directory ${newPath} cannot have a version`);
    newVersion = version(args[arrow + 2], `replace ${oldPath}`);
  } else if (!local) {
    if (newPath.includes("@")) fail("replacement module must be written as 'path version', not 'path@version'");
    fail("replacement module without a version must be a directory path (rooted or starting with ./ or ../)");
  }
  return { oldPath, oldVersion, newPath, newVersion, directive: d };
}

function isLocalDirectory(p: string): boolean {
  return p === "." || p === ".." || p.startsWith("./") || p.startsWith("../") || p.startsWith("/");
}

function isSemver(v: string): boolean {
  const m = semverPattern.exec(v);
  if (!m) return false;
  // Numeric pre-release identifiers have no leading zeros.
  return !(m.groups?.pre ?? "").split(".").some((id) => /^0\d+$/.test(id));
}

function isIndirect(d: Directive): boolean {
  const text = d.suffix?.text.slice(2).trim() ?? "";
  return text === "indirect" || text.startsWith("indirect;") || /^indirect\s+\/\//.test(text);
}

const escapes: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34 };

/** The value of a word or quoted string as Go reads it; undefined if it is malformed. */
function unquote(token: string): string | undefined {
  if (token.startsWith("`")) return token.length >= 2 && token.endsWith("`") ? token.slice(1, -1) : undefined;
  if (!token.startsWith('"')) return /["'`]/.test(token) ? undefined : token;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 1;
  while (i < token.length - 1) {
    if (token[i] !== "\\") {
      const cp = token.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(s));
      i += s.length;
      continue;
    }
    const e = token[i + 1];
    const hex = (n: number) => {
      const digits = token.slice(i + 2, i + 2 + n);
      return digits.length === n && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : undefined;
    };
    if (e in escapes) {
      bytes.push(escapes[e]);
      i += 2;
    } else if (e === "x") {
      const b = hex(2);
      if (b === undefined) return undefined;
      bytes.push(b);
      i += 4;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      const cp = hex(n);
      if (cp === undefined || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return undefined;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      i += 2 + n;
    } else if (e >= "0" && e <= "7") {
      const digits = token.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) return undefined;
      bytes.push(parseInt(digits, 8));
      i += 4;
    } else {
      return undefined;
    }
  }
  if (token.length < 2 || !token.endsWith('"') || i !== token.length - 1) return undefined;
  return new TextDecoder().decode(new Uint8Array(bytes));
}
