// The two line formats of gomodjail's log records, without pino: the tracer thread writes its
// records (Blocked lines) with these, and does not load a logger. log.ts gives pino's records the
// same text format; its JSON format is pino's own, which recordLine reproduces (a test holds them
// equal).

export type LogFormat = "text" | "json";
export const logFormats: readonly LogFormat[] = ["text", "json"];

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
