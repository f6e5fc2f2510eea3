// Records real seccomp stops of the jail fixtures for the replay tests (test/decision):
//
//   node_modules/.bin/bun test/helpers/record-stops.ts
//
// runs each case of test/fixtures/jail and test/fixtures/cgojail under the tracer, in this
// process, with every stop decided afresh and written down (src/decision/recorded-stop.ts), and
// keeps a few stops of each shape in test/fixtures/stops/<goarch>-<fixture>.json. The stops'
// addresses belong to one binary: the file names the build (toolchain, variant) and its SHA-256,
// and the replay checks that goBuild makes the same bytes again.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { withTracebackAncestors } from "../../src/confinement/godebug.ts";
import type { RecordedStop } from "../../src/decision/recorded-stop.ts";
import { loadProfile } from "../../src/policy/profile.ts";
import { selfCommand } from "../../src/launch/stage.ts";
import { traceProgram } from "../../src/tracer/tracer.ts";
import { goBuild, repoRoot, testGoArch, type GoVariant } from "./gobuild.ts";
import { stopsDir, type StopFixture, type StopSource } from "./stops.ts";

/** Each fixture, the build its stops come from, and the cases run. */
export const sources: (StopSource & { cases: string[] })[] = [
  {
    name: "jail",
    program: "test/fixtures/jail/app",
    go: "1.27",
    variant: "trimpath",
    cases: [
      "main-open",
      "good-open",
      "evil-open",
      "evil-inlined",
      "evil-inlined-closure",
      "evil-closure",
      "evil-callback",
      "evil-goroutine",
      "evil-go-func",
      "evil-go-unconfined",
      "evil-go-stdlib",
      "evil-http",
      "evil-raw",
      "evilv2-open",
      "inner-open",
    ],
  },
  { name: "cgojail", program: "test/fixtures/cgojail/app", go: "1.27", variant: "cgo", cases: ["main-c-open", "main-cgo-lookup", "cevil-c-open"] },
];

/** Stops per case: blocked ones of distinct verdicts, then allowed ones of distinct stack roots. */
const MAX_PER_CASE = 4;

function keep(stops: RecordedStop[]): RecordedStop[] {
  const seen = new Set<string>();
  const kept: RecordedStop[] = [];
  const ordered = [...stops.filter((s) => s.outcome.block), ...stops.filter((s) => !s.outcome.block).reverse()];
  for (const s of ordered) {
    const o = s.outcome;
    const key = o.block ? `block ${o.reason} ${o.entry}` : `allow ${o.judged} ${o.leafInGo} ${o.stack.at(-1)?.split(" ")[0]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(s);
    if (kept.length === MAX_PER_CASE) break;
  }
  return kept;
}

/** Runs the source's cases under the tracer, in this process, and keeps a few stops of each. */
export function recordFixture(source: StopSource & { cases: string[] }): StopFixture {
  const dir = join(repoRoot, source.program);
  const binary = goBuild({ dir, go: source.go, variant: source.variant as GoVariant });
  const profile = loadProfile(join(dir, "go.mod"));
  const fixture: StopFixture = {
    name: source.name,
    program: source.program,
    go: source.go,
    variant: source.variant,
    goarch: testGoArch,
    sha256: createHash("sha256").update(readFileSync(binary)).digest("hex"),
    stops: [],
  };
  for (const name of source.cases) {
    const stops: RecordedStop[] = [];
    traceProgram(
      {
        path: binary,
        argv: [binary, name],
        env: { ...process.env, GODEBUG: withTracebackAncestors(process.env.GODEBUG) },
        descriptors: [],
        profile,
        self: selfCommand(),
        audit: false,
        strict: false,
      },
      { started() {}, blocked() {}, warn() {}, recorded: (stop) => stops.push(stop) },
    );
    for (const stop of keep(stops)) fixture.stops.push({ case: name, ...stop });
  }
  return fixture;
}

if (import.meta.main) {
  for (const source of sources) {
    const fixture = recordFixture(source);
    mkdirSync(stopsDir, { recursive: true });
    const file = join(stopsDir, `${testGoArch}-${source.name}.json`);
    writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
    console.log(`${relative(repoRoot, file)}: ${fixture.stops.length} stops`);
  }
}
