// Logging: pino records written synchronously (a line logged just before exit is never lost),
// either as one logfmt line per record (`level=WARN msg=... key=value`) or as JSON lines.
import pino, { type Logger } from "pino";

export type LogFormat = "text" | "json";
export const logFormats: readonly LogFormat[] = ["text", "json"];

/** Where records go: a file descriptor, or anything with a synchronous write(). */
export type LogDestination = number | { write(line: string): unknown };

export interface LoggerOptions {
  debug: boolean;
  format: LogFormat;
  /** Defaults to stderr. */
  destination?: LogDestination;
}

export function createLogger(options: LoggerOptions): Logger {
  const dest = options.destination ?? 2;
  const sink = typeof dest === "number" ? pino.destination({ fd: dest, sync: true }) : dest;
  const stream = options.format === "json" ? sink : { write: (line: string) => sink.write(toLogfmt(line)) };
  return pino(
    {
      level: options.debug ? "debug" : "info",
      base: undefined,
      timestamp: false,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    stream,
  );
}

/** Rewrites one pino JSON line as `level=L msg=M` followed by the other fields in their order. */
function toLogfmt(jsonLine: string): string {
  const { level, msg, ...fields } = JSON.parse(jsonLine) as Record<string, unknown>;
  const parts = [`level=${logfmtValue(level)}`];
  if (msg !== undefined) parts.push(`msg=${logfmtValue(msg)}`);
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${logfmtValue(value)}`);
  return parts.join(" ") + "\n";
}

function logfmtValue(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return needsQuoting(s) ? goQuote(s) : s;
}

/** Printable as Go's strconv.IsPrint sees it: letters, marks, numbers, punctuation, symbols, ASCII space. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function needsQuoting(s: string): boolean {
  if (s === "") return true;
  for (const ch of s) {
    if (ch === " " || ch === "=" || ch === '"' || !printable.test(ch)) return true;
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

/** A double-quoted string with Go's escapes, so that a value can never break the line. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch in shortEscapes) out += shortEscapes[ch];
    else if (printable.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}
