// Compares the std-function class table (src/confinement/std-capabilities.ts) with Capslock's
// published mapping, a file of `func NAME CAPABILITY_X` and `package PATH CAPABILITY_X` lines
// (google/capslock, interesting/interesting.cm; not kept in this repository). Capslock has one
// FILES class where ours has FILES/READ and FILES/WRITE, and nested MODIFY_SYSTEM_STATE/... names.
//   bun scripts/compare-class-table.ts PATH/interesting.cm
import { readFileSync } from "node:fs";
import { CAPABILITY_CLASSES } from "../src/policy/classes.ts";
import { stdCapability } from "../src/confinement/std-capabilities.ts";

const tierOf = new Map<string, string>(CAPABILITY_CLASSES.map((c) => [c.name, c.tier]));
/** What a class means to a verdict: a class no tier names is denied; FILES is both FILES/ classes. */
const tier = (cls: string) => tierOf.get(cls === "FILES" ? "FILES/READ" : cls.split("/")[0]!) ?? "deny";

const file = process.argv[2];
if (!file) {
  console.error("usage: bun scripts/compare-class-table.ts PATH/interesting.cm");
  process.exit(1);
}

/** Capslock spells methods `(*pkg.T).M`; Go's symbols `pkg.(*T).M`. */
function goName(name: string): string {
  const m = /^\((\*?)([^)]+)\)\.(.+)$/.exec(name);
  if (!m) return name.replace(/\$(\d+)/g, ".func$1");
  const dot = m[2]!.lastIndexOf(".");
  const pkg = m[2]!.slice(0, dot);
  const type = m[2]!.slice(dot + 1);
  return `${pkg}.${m[1] ? `(*${type})` : type}.${m[3]!.replace(/\$(\d+)/g, ".func$1")}`;
}

function packageOf(name: string): string {
  const head = name.split("(")[0]!;
  const slash = head.lastIndexOf("/");
  const dot = head.indexOf(".", slash + 1);
  return dot < 0 ? head : head.slice(0, dot);
}

const same = (ours: string | undefined, theirs: string) => {
  const t = theirs.replace(/^CAPABILITY_/, "");
  if (ours === undefined) return false;
  if (t === "FILES") return ours.startsWith("FILES");
  return ours === t || ours === t.split("/")[0];
};

let agree = 0;
let sameTier = 0;
const differ: string[] = [];
for (const line of readFileSync(file, "utf8").split("\n")) {
  const [kind, name, cls] = line.trim().split(/\s+/);
  if (kind !== "func" || !name || !cls) continue;
  const go = goName(name);
  const pkg = packageOf(go);
  if (pkg.includes(".") && !pkg.startsWith("vendor/")) continue; // not the standard library
  const ours = stdCapability(go, pkg);
  if (ours !== undefined && tier(ours) === tier(cls.replace(/^CAPABILITY_/, ""))) sameTier++;
  if (same(ours, cls)) agree++;
  else differ.push(`${go}: ours ${ours ?? "(read on)"}, Capslock ${cls}`);
}
console.log(`${agree} of ${agree + differ.length} standard-library functions Capslock names have the same class here; ${sameTier} the same tier (the same verdict)`);
for (const d of differ) console.log(`  ${d}`);
