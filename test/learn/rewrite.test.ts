// The learned go.mod as text: every byte of the original kept, evidence and policies added where
// they belong, the go.mod's own policies kept and contradictions reported, modules it does not
// list added, and learn's own earlier comments replaced on a second pass.
import { expect, test } from "bun:test";
import type { InvolvementRow } from "../../src/learn/evidence.ts";
import { gatherFindings } from "../../src/learn/findings.ts";
import type { RunReport } from "../../src/learn/report.ts";
import { rewriteGoMod } from "../../src/learn/rewrite.ts";
import { parseGoMod } from "../../src/policy/gomod.ts";
import { type Policy, parseProfile, policyOf } from "../../src/policy/profile.ts";

const main = "example.com/app";

/** A report of an audited run of one build, under `policy`, with `involved` as its evidence. */
function report(involved: InvolvementRow[], policy: Record<string, Policy> = {}, defaultPolicy: Policy = "confined", modules: { path: string; version: string }[] = []): RunReport {
  return {
    audit: true,
    status: 0,
    exitCode: 0,
    blocked: [],
    program: { path: "/bin/app", sha256: "00", mainModule: main, goVersion: "go1.23.0", modules },
    policy: { mainModule: main, defaultPolicy, modules: policy },
    involved,
    unseen: [],
  };
}

const made = (module: string, syscall: string, count: number): InvolvementRow => ({ module, role: "made", syscall, count, example: `/src/${module}/x.go:3:${module}.F` });
const callback = (module: string, syscall: string, count: number): InvolvementRow => ({
  ...made(module, syscall, count),
  role: "callback",
  madeBy: main,
  madeAt: "/src/app/main.go:9:main.run",
});

function learn(text: string, reports: RunReport[]) {
  const mod = parseGoMod(text, "go.mod");
  return rewriteGoMod(text, mod, parseProfile(text, "go.mod"), gatherFindings(mod, main, reports));
}

const original = `// The app.

module example.com/app // the main module

go 1.21

toolchain go1.21.5

require (
\texample.com/a v1.0.0
\texample.com/b v1.0.0 // gomodjail:confined
\t// c is used by a.
\texample.com/c v1.0.0 // indirect
)

// gomodjail:unconfined
require (
\texample.com/d v1.0.0 // indirect
\texample.com/e v1.0.0 // indirect; gomodjail:unconfined
)

require example.com/f v1.0.0

replace example.com/a => ../a

exclude example.com/a v0.9.0

retract v0.1.0
`;

test("keeps every byte, adds evidence above and a policy at the end of each requirement, adds unlisted modules to the indirect block", () => {
  const reports = [
    report(
      [made("example.com/a", "openat", 3), made("example.com/a", "newfstatat", 1), made("example.com/b", "connect", 2), callback("example.com/h", "openat", 7)],
      { "example.com/f": "unconfined" },
      "confined",
      [{ path: "example.com/g", version: "v0.2.0" }, { path: "example.com/h", version: "v1.1.0" }],
    ),
  ];
  const { text, notes } = learn(original, reports);
  expect(text).toBe(`// The app.

// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module example.com/app // the main module

go 1.21

toolchain go1.21.5

require (
\t// gomodjail learn: made 4 trapped syscalls itself: openat 3, newfstatat 1; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F
\texample.com/a v1.0.0 // gomodjail:unconfined
\t// gomodjail learn: made 2 trapped syscalls itself: connect 2; e.g. connect at /src/example.com/b/x.go:3:example.com/b.F
\texample.com/b v1.0.0 // gomodjail:confined
\t// c is used by a.
\texample.com/c v1.0.0 // indirect; gomodjail:confined
)

// gomodjail:unconfined
require (
\texample.com/d v1.0.0 // indirect; gomodjail:confined
\texample.com/e v1.0.0 // indirect; gomodjail:unconfined
\texample.com/g v0.2.0 // indirect; gomodjail:confined
\t// gomodjail learn: called back into the program's code, which made 7 trapped syscalls (as a framework does; not its own calls): openat 7; e.g. openat made by the main module at /src/app/main.go:9:main.run, called back from /src/example.com/h/x.go:3:example.com/h.F
\texample.com/h v1.1.0 // indirect; gomodjail:unconfined
)

// gomodjail learn: no run learned from confined it, so what it does was not seen: left unconfined
require example.com/f v1.0.0 // gomodjail:unconfined

replace example.com/a => ../a

exclude example.com/a v0.9.0

retract v0.1.0
`);
  expect(notes).toEqual([
    "go.mod:11: example.com/b is marked confined, but it took part in trapped calls (made: connect 2): under this policy they are blocked",
    "go.mod:19: example.com/e is marked unconfined, but it took part in no trapped call in the runs learned from",
    "example.com/f: no run learned from confined it, so what it does was not seen: left unconfined",
  ]);
  const learned = parseProfile(text, "learned.mod");
  const policies = Object.fromEntries("abcdefgh".split("").map((m) => [m, policyOf(learned, `example.com/${m}`)]));
  expect(policies).toEqual({ a: "unconfined", b: "confined", c: "confined", d: "confined", e: "unconfined", f: "unconfined", g: "confined", h: "unconfined" });
  expect(learned.defaultPolicy).toBe("confined");
});

test("CRLF line ends are kept, and added lines get them too", () => {
  const crlf = "module example.com/app\r\n\r\nrequire (\r\n\texample.com/a v1.0.0\r\n\texample.com/b v1.0.0\r\n)\r\n";
  const { text } = learn(crlf, [report([made("example.com/a", "openat", 1)])]);
  expect(text).toBe(
    "// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed\r\n// gomodjail:confined\r\nmodule example.com/app\r\n\r\nrequire (\r\n" +
      "\t// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F\r\n" +
      "\texample.com/a v1.0.0 // gomodjail:unconfined\r\n\texample.com/b v1.0.0 // gomodjail:confined\r\n)\r\n",
  );
});

test("modules the go.mod does not list go into a block of their own when it has no block of indirect requirements", () => {
  const text = "// gomodjail:confined\nmodule example.com/app\n\nrequire example.com/a v1.0.0";
  const out = learn(text, [report([], {}, "confined", [{ path: "example.com/a", version: "v1.0.0" }, { path: "example.com/z", version: "(devel)" }])]).text;
  expect(out).toBe(
    "// gomodjail:confined\nmodule example.com/app\n\nrequire example.com/a v1.0.0 // gomodjail:confined\n\n// gomodjail learn: modules of the program that this go.mod does not list\nrequire (\n\texample.com/z v0.0.0 // indirect; gomodjail:confined\n)\n",
  );
});

test("a package of a program without build information that made calls is added by its path, saying so", () => {
  const text = "// gomodjail:confined\nmodule example.com/app\n\nrequire example.com/a v1.0.0\n";
  const out = learn(text, [report([made("example.com/a/sub", "openat", 1), made("example.com/x/y/z", "execve", 1)])]).text;
  expect(out).toContain("// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /src/example.com/a/sub/x.go:3:example.com/a/sub.F\nrequire example.com/a v1.0.0 // gomodjail:unconfined\n");
  expect(out).toContain(
    "\t// gomodjail learn: not a module path: the program has no build information, so this names the package (and those under it); write its module's path\n\texample.com/x/y/z v0.0.0 // indirect; gomodjail:unconfined\n",
  );
});

test("learning again replaces learn's own comments instead of repeating them, and keeps the policies it wrote", () => {
  const first = learn(original, [report([made("example.com/a", "openat", 3)], {}, "confined")]).text;
  const second = learn(first, [report([made("example.com/a", "openat", 5)], {}, "confined")]);
  expect(second.text).toBe(first.replace("made 3 trapped syscalls itself: openat 3", "made 5 trapped syscalls itself: openat 5"));
  expect(second.notes).toEqual(["go.mod:22: example.com/e is marked unconfined, but it took part in no trapped call in the runs learned from"]);
});

test("a module confined by one run and unconfined by another is learned from the run that confined it", () => {
  const text = "module example.com/app\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n";
  const onlyA = report([made("example.com/a", "openat", 1)], { "example.com/b": "unconfined" }, "unconfined");
  const onlyB = report([], { "example.com/b": "confined" }, "unconfined");
  const learned = parseProfile(learn(text, [onlyA, onlyB]).text, "learned.mod");
  expect([policyOf(learned, "example.com/a"), policyOf(learned, "example.com/b")]).toEqual(["unconfined", "confined"]);
});
