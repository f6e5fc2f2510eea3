// Mutations of text inputs (go.mod files, module information, function and file names): tokens
// that matter to the grammar inserted or swapped in, lines deleted, duplicated or taken from
// another input, and byte-level damage through UTF-8 (a go.mod is read as bytes and decoded).
import { MutableBytes, mutateRegion } from "./mutate.ts";
import type { Random } from "./random.ts";

const utf8 = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/** One random mutation of `text`; `tokens` are inserted or substituted, `donors` lend lines. */
export function mutateText(text: string, rng: Random, tokens: readonly string[], donors: readonly string[], notes: string[]): string {
  const pos = (): number => rng.int(text.length + 1);
  switch (rng.weighted([8, 4, 4, 3, 3, 3, 2, 2, 1])) {
    case 0: {
      const at = pos();
      const token = rng.pick(tokens);
      notes.push(`insert ${JSON.stringify(token)} at ${at}`);
      return text.slice(0, at) + token + text.slice(at);
    }
    case 1: {
      const at = pos();
      const n = rng.range(1, 8);
      const token = rng.pick(tokens);
      notes.push(`replace ${n} chars at ${at} with ${JSON.stringify(token)}`);
      return text.slice(0, at) + token + text.slice(at + n);
    }
    case 2: {
      const at = pos();
      const n = rng.range(1, 16);
      notes.push(`delete ${n} chars at ${at}`);
      return text.slice(0, at) + text.slice(at + n);
    }
    case 3: {
      const lines = text.split("\n");
      const i = rng.int(lines.length);
      notes.push(`delete line ${i + 1}`);
      lines.splice(i, 1);
      return lines.join("\n");
    }
    case 4: {
      const lines = text.split("\n");
      const i = rng.int(lines.length);
      const j = rng.int(lines.length + 1);
      notes.push(`copy line ${i + 1} to line ${j + 1}`);
      lines.splice(j, 0, lines[i]);
      return lines.join("\n");
    }
    case 5: {
      const donor = rng.pick(donors).split("\n");
      const lines = text.split("\n");
      const start = rng.int(donor.length);
      const piece = donor.slice(start, start + rng.range(1, 6));
      const j = rng.int(lines.length + 1);
      notes.push(`splice ${piece.length} lines of another input at line ${j + 1}`);
      lines.splice(j, 0, ...piece);
      return lines.join("\n");
    }
    case 6: {
      const lines = text.split("\n");
      const i = rng.int(lines.length);
      const j = rng.int(lines.length);
      notes.push(`swap lines ${i + 1} and ${j + 1}`);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join("\n");
    }
    case 7: {
      const bytes = encoder.encode(text);
      const m = new MutableBytes(bytes, bytes);
      for (let k = rng.range(1, 4); k > 0; k--) mutateRegion(m, rng, { name: "text", from: 0, to: bytes.length });
      notes.push(`bytes: ${m.notes.join("; ")}`);
      return utf8.decode(m.bytes);
    }
    default: {
      const at = pos();
      notes.push(`truncate at ${at}`);
      return text.slice(0, at);
    }
  }
}

/** Tokens of the go.mod grammar and of gomodjail's directives, and characters lexers trip on. */
export const GO_MOD_TOKENS = [
  "module",
  "go",
  "toolchain",
  "godebug",
  "require",
  "exclude",
  "replace",
  "retract",
  "tool",
  "ignore",
  "(",
  ")",
  "()",
  "[",
  "]",
  ",",
  "=>",
  "//",
  "/*",
  "*/",
  '"',
  "`",
  "\\",
  '"\\x',
  '"\\u00',
  '"\\U0010ffff"',
  '"\\377"',
  '"\\400"',
  "\n",
  "\r",
  "\t",
  " ",
  "\n)\n",
  "require (\n",
  "// indirect",
  "// gomodjail:confined",
  "//gomodjail:unconfined",
  "gomodjail:",
  "gomodjail:bogus",
  " gomodjail:confined;gomodjail:unconfined",
  ";",
  "=",
  "v1.2.3",
  "v0.0.0-20240101000000-abcdefabcdef",
  "v1.2.3-01",
  "v2.0.0+incompatible",
  "1.23.0",
  "1.21rc1",
  "go1.23",
  "default",
  "example.com/m",
  "example.com/app",
  "[v1.0.0, v1.0.1]",
  "=> ../x",
  "=> example.com/y v1.0.0",
  "example.com/y@v1.0.0",
  "godebug x=1",
  "../local",
  "/abs",
  ".",
  "..",
  "\u00e9",
  "\u{1F600}",
  "\uFFFD",
  "\u2028",
  "\u0000",
  "\uD800",
  "\u00a0",
];
