// Our verdicts, read from binaries, side by side with the original gomodjail's v2, read from
// the same projects' sources: v2's output is recorded in test/fixtures/v2-verdicts (how it was
// built and run: its README; scripts/build-original-v2.sh). Each difference is listed here with
// why; any other makes this fail.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeProgram } from "../../src/analyze/report.ts";
import { type GoBuildOptions, goBuild, repoRoot } from "../helpers/gobuild.ts";

interface V2Module {
  module: string;
  unused?: boolean;
  violations?: { capability: string }[];
  caveats?: { capability: string }[];
}

/** v2's verdict and the classes it reports (FAIL and WARN), its subclasses (MODIFY_SYSTEM_STATE/ENV) read as their class. */
function v2Verdict(m: V2Module): { verdict: string; classes: string[] } {
  const verdict = m.unused ? "ok (unused)" : m.violations?.length ? "FAIL" : m.caveats?.length ? "WARN" : "ok";
  const classes = [...(m.violations ?? []), ...(m.caveats ?? [])].map((c) => (c.capability.startsWith("MODIFY_SYSTEM_STATE") ? "MODIFY_SYSTEM_STATE" : c.capability));
  return { verdict, classes: [...new Set(classes)].sort() };
}

/** Where we differ from v2 on purpose, and why: module -> our verdict and classes. */
const DIFFERENCES: Record<string, { verdict: string; classes: string[]; why: string }> = {
  "example.com/stditab": {
    verdict: "FAIL",
    classes: ["EXEC"],
    why: "it returns an exec.Cmd as an interface of its own: v2 sees no call; the itab it loads is an edge to (*Cmd).Start",
  },
  "example.com/stdvalues": {
    verdict: "FAIL",
    classes: ["EXEC", "FILES/READ", "MODIFY_SYSTEM_STATE"],
    why: "it hands std functions out as values ((*exec.Cmd).Run to SetFinalizer, os.Clearenv to AfterFunc, a Readdirnames method value): v2 follows no function value it does not call",
  },
  "example.com/handler": {
    verdict: "FAIL",
    classes: ["EXEC"],
    why: "v2 also reports NETWORK for net/http.Handle in its init and an UNANALYZED caveat; registering a handler serves nothing (our table: SAFE); what the handler runs is EXEC in both",
  },
  "example.com/memfd": {
    verdict: "FAIL",
    classes: ["MODIFY_SYSTEM_STATE", "SYSTEM_CALLS", "UNSAFE_POINTER"],
    why: "it imports unsafe for a syscall's pointer argument: our source scan flags the import, Capslock only a conversion from unsafe.Pointer to something other than uintptr",
  },
  "example.com/asmsys": {
    verdict: "FAIL",
    classes: ["ARBITRARY_EXECUTION", "SYSTEM_CALLS", "UNSAFE_POINTER"],
    why: "the same: unsafe imported for pointer arguments; v2's SYSTEM_CALLS witness is syscall.BytePtrFromString (all of syscall is SYSTEM_CALLS there), ours syscall.RawSyscall6, jumped to from its assembly",
  },
};

const projects: { name: string; build: GoBuildOptions; goMod: string }[] = [
  { name: "victim", build: { dir: join(repoRoot, "examples/victim") }, goMod: join(repoRoot, "examples/victim/go.mod") },
  { name: "capabilities", build: { dir: join(repoRoot, "test/fixtures/capabilities/app") }, goMod: join(repoRoot, "test/fixtures/capabilities/app/go.mod") },
  // v2 reads every file of the source, cgo's included.
  { name: "analyze", build: { dir: join(repoRoot, "test/fixtures/analyze/app"), variant: "cgo" }, goMod: join(repoRoot, "test/fixtures/analyze/app/go.mod") },
];

describe.each(projects)("$name: our verdicts beside v2's", ({ name, build, goMod }) => {
  const v2 = JSON.parse(readFileSync(join(repoRoot, `test/fixtures/v2-verdicts/${name}.json`), "utf8")) as { modules: V2Module[] };

  test("every confined module has v2's verdict and classes, but for the differences listed with why", () => {
    const report = analyzeProgram(goBuild(build), { goMod });
    const confined = report.modules.filter((m) => m.verdict !== undefined).map((m) => m.path).sort();
    expect(confined).toEqual(v2.modules.map((m) => m.module).sort());
    for (const m of v2.modules) {
      const ours = report.modules.find((r) => r.path === m.module)!;
      const got = { verdict: ours.verdict as string | undefined, classes: (ours.capabilities ?? []).filter((c) => c.verdict !== "ok").map((c): string => c.class).sort() };
      const expected = DIFFERENCES[m.module] ?? v2Verdict(m);
      expect({ module: m.module, ...got }).toEqual({ module: m.module, verdict: expected.verdict, classes: expected.classes });
    }
  });
});
