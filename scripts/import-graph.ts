// Prints how src/ hangs together: its folders and their files, the folder-level import edges
// (static, dynamic, require and type-only imports alike), and the import cycles among files and
// among folders (there should be none: test/structure.test.ts holds that).
//
//   node_modules/.bin/bun run scripts/import-graph.ts [--depth=N]   (folder depth below src/, 1 by default)
import { cycles, fileEdges, folderEdges, folderOf, readSources } from "../test/helpers/source-graph.ts";

const depth = Number(process.argv.find((a) => a.startsWith("--depth="))?.slice(8) ?? 1);
const files = readSources(["src", "test"]);
const src = files.filter((f) => f.path.startsWith("src/"));

console.log("== folders (files, lines)");
const byFolder = new Map<string, { files: number; lines: number }>();
for (const f of src) {
  const k = f.path.replace(/^src\//, "").includes("/") ? folderOf(f.path, 9) + "/" : "(src/)";
  const e = byFolder.get(k) ?? byFolder.set(k, { files: 0, lines: 0 }).get(k)!;
  e.files++;
  e.lines += f.text.split("\n").length - 1;
}
for (const [k, v] of [...byFolder].sort()) console.log(`  ${k.padEnd(24)} ${String(v.files).padStart(3)} files ${String(v.lines).padStart(6)} lines`);

const fe = folderEdges(files, depth);
console.log(`\n== folder-level edges (depth ${depth}): ${[...fe.values()].reduce((n, s) => n + s.size, 0)}`);
for (const [a, bs] of [...fe].sort()) if (bs.size) console.log(`  ${a} -> ${[...bs].sort().join(", ")}`);

const fc = cycles(fe);
console.log(`\n== folder-level cycles: ${fc.length}`);
for (const c of fc) console.log(`  ${c.join(" <-> ")}`);

const edges = fileEdges(files);
const cc = cycles(edges);
console.log(`\n== file-level cycles: ${cc.length}`);
for (const c of cc) console.log(`  ${c.join(" <-> ")}`);

const belowCli = [...edges].filter(([from, tos]) => !from.startsWith("src/cli/") && from !== "src/main.ts" && [...tos].some((t) => t.startsWith("src/cli/")));
console.log(`\n== files outside cli/ (and main.ts) importing cli/: ${belowCli.length}`);
for (const [from, tos] of belowCli) console.log(`  ${from} -> ${[...tos].filter((t) => t.startsWith("src/cli/")).join(", ")}`);
