// The two line formats of gomodjail's log records, and a logger that writes them without pino:
// the command line and the tracer thread log through it, since loading pino would cost their
// start-up a few milliseconds. log.ts gives pino's records the same text format; its JSON format
// is pino's own, which recordLine reproduces (a test holds them equal).

export type LogFormat = "text" | "json";
export const logFormats: readonly LogFormat[] = ["text", "json"];

/** `$DEBUG` turns debugging on unless it is empty, "0" or "false". */
export function debugRequested(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/** A log call: fields and a message, or a message alone (pino's argument order). */
export interface LogFn {
  (fields: object, msg: string): void;
  (msg: string): void;
}

/** What gomodjail logs through. A pino Logger has this shape, so a library caller can pass one. */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

interface LineLoggerOptions {
  debug: boolean;
  format: LogFormat;
  /** Gets each line, synchronously (a line logged just before exit is never lost). */
  write: (line: string) => void;
}

/** A Logger that writes each record as one line of `format`; debug records only in debug mode. */
export function lineLogger(options: LineLoggerOptions): Logger {
  const at =
    (level: string): LogFn =>
    (fieldsOrMsg: object | string, msg?: string) =>
      typeof fieldsOrMsg === "string"
        ? options.write(recordLine(options.format, level, fieldsOrMsg, {}))
        : options.write(recordLine(options.format, level, msg ?? "", fieldsOrMsg as Record<string, unknown>));
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: options.debug ? at("debug") : () => {} };
}

/** One record as a line of `format`, as the logger of log.ts writes it (level in upper case). */
export function recordLine(format: LogFormat, level: string, msg: string, fields: Record<string, unknown>): string {
  // Through JSON, as pino does it: undefined fields go, objects take their toJSON form.
  const json = JSON.stringify({ level: level.toUpperCase(), ...fields, msg });
  return format === "json" ? `${json}\n` : logfmtLine(JSON.parse(json));
}

/** One record as the text format writes it: `level=L msg=M` followed by the other fields in their order. */
export function logfmtLine(record: Record<string, unknown>): string {
  const { level, msg, ...fields } = record;
  const parts = [`level=${logfmtValue(level)}`];
  if (msg !== undefined) parts.push(`msg=${logfmtValue(msg)}`);
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${logfmtValue(value)}`);
  return parts.join(" ") + "\n";
}

function logfmtValue(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return needsQuoting(s) ? goQuote(s) : s;
}

/** Compiled on first use: a Unicode property class costs about 2 ms to build, and most values are ASCII. */
let printableBeyondAscii: RegExp | undefined;

/** Printable as Go's strconv.IsPrint sees it: letters, marks, numbers, punctuation, symbols, ASCII space. */
function isPrint(ch: string): boolean {
  if (ch.length === 1 && ch < "\x80") return ch >= " " && ch < "\x7f";
  printableBeyondAscii ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
  return printableBeyondAscii.test(ch);
}

function needsQuoting(s: string): boolean {
  if (s === "") return true;
  for (const ch of s) {
    if (ch === " " || ch === "=" || ch === '"' || !isPrint(ch)) return true;
  }
  return false;
}

const shortEscapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/** Printable ASCII but a quote or a backslash: what goQuote leaves as it is. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A double-quoted string with Go's escapes, so that a value can never break the line. */
function goQuote(s: string): string {
  // One test instead of a loop per character: a warning's value can be 20 KB of plain text.
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch in shortEscapes) out += shortEscapes[ch];
    else if (isPrint(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}
