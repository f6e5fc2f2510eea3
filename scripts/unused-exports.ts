// Prints the names src/ exports that no other file of src/, test/, bench/ or scripts/ uses (src/index.ts, the
// package's API, excepted), and their count. test/structure.test.ts holds that there are none.
//
//   node_modules/.bin/bun run scripts/unused-exports.ts
import { exportedNames, readSources, unusedExports } from "../test/helpers/source-graph.ts";

const files = readSources(["src", "test", "bench", "scripts"]);
const unused = unusedExports(files);
for (const u of unused) console.log(`${u.file}:${u.line} ${u.name}`);
console.log(`${unused.length} of ${exportedNames(files).length} exported names unused outside their file`);
