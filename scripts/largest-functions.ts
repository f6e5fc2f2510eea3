// Prints the longest functions and methods of src/ in lines (signature to closing brace).
//
//   node_modules/.bin/bun run scripts/largest-functions.ts [--top=N]
import { functionSpans, readSources } from "../test/helpers/source-graph.ts";

const top = Number(process.argv.find((a) => a.startsWith("--top="))?.slice(6) ?? 15);
const spans = functionSpans(readSources(["src"]));
for (const s of spans.slice(0, top)) console.log(`${String(s.lines).padStart(4)}  ${s.file}:${s.line} ${s.name}`);
const over = (n: number) => spans.filter((s) => s.lines > n).length;
console.log(`${spans.length} functions; over 100 lines: ${over(100)}, over 60: ${over(60)}, over 40: ${over(40)}`);
