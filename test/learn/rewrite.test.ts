// The learned go.mod as text: every byte of the original kept, evidence and policies added where
// they belong, the go.mod's own policies kept and contradictions reported, modules it does not
// list added, and learn's own earlier comments replaced on a second pass.
import { expect, test } from "bun:test";
import type { CapabilityClass } from "../../src/policy/classes.ts";
import type { InvolvementRow } from "../../src/learn/evidence.ts";
import { gatherFindings } from "../../src/learn/findings.ts";
import type { RunReport } from "../../src/learn/report.ts";
import { rewriteGoMod } from "../../src/learn/rewrite.ts";
import { parseGoMod } from "../../src/policy/gomod.ts";
import { allowedClasses, orderedClasses, type Policy, parseProfile, policyOf } from "../../src/policy/profile.ts";

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

/** The class of each syscall the rows below make. */
const classOf: Record<string, CapabilityClass | "none"> = { openat: "FILES/READ", newfstatat: "FILES/READ", connect: "NETWORK", execve: "EXEC", mkdirat: "FILES/WRITE", ptrace: "none" };

const made = (module: string, syscall: string, count: number): InvolvementRow => ({ module, role: "made", syscall, class: classOf[syscall], count, example: `/src/${module}/x.go:3:${module}.F` });
const callback = (module: string, syscall: string, count: number): InvolvementRow => ({
  ...made(module, syscall, count),
  role: "callback",
  madeBy: main,
  madeAt: "/src/app/main.go:9:main.run",
});

function learn(text: string, reports: RunReport[], allowAllClasses = false) {
  const mod = parseGoMod(text, "go.mod");
  return rewriteGoMod(text, mod, parseProfile(text, "go.mod"), gatherFindings(mod, main, reports), { allowAllClasses });
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

test("keeps every byte, adds evidence above and a policy with its classes at the end of each requirement, adds unlisted modules to the indirect block", () => {
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
\t// gomodjail learn: needs FILES/READ for 4 trapped syscalls: openat 3, newfstatat 1; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F
\texample.com/a v1.0.0 // gomodjail:confined allow=FILES/READ
\t// gomodjail learn: made 2 trapped syscalls itself: connect 2; e.g. connect at /src/example.com/b/x.go:3:example.com/b.F
\t// gomodjail learn: needs NETWORK for 2 trapped syscalls: connect 2; e.g. connect at /src/example.com/b/x.go:3:example.com/b.F
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
\t// gomodjail learn: needs FILES/READ for 7 trapped syscalls: openat 7; e.g. openat made by the main module at /src/app/main.go:9:main.run, under /src/example.com/h/x.go:3:example.com/h.F
\texample.com/h v1.1.0 // indirect; gomodjail:confined allow=FILES/READ
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
  expect(policies).toEqual({ a: "confined", b: "confined", c: "confined", d: "confined", e: "unconfined", f: "unconfined", g: "confined", h: "confined" });
  expect([...(learned.allowed ?? [])].map(([m, classes]) => [m, [...classes]])).toEqual([
    ["example.com/a", ["FILES/READ"]],
    ["example.com/h", ["FILES/READ"]],
  ]);
  expect(learned.defaultPolicy).toBe("confined");
});

test("CRLF line ends are kept, and added lines get them too", () => {
  const crlf = "module example.com/app\r\n\r\nrequire (\r\n\texample.com/a v1.0.0\r\n\texample.com/b v1.0.0\r\n)\r\n";
  const { text } = learn(crlf, [report([made("example.com/a", "openat", 1)])]);
  expect(text).toBe(
    "// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed\r\n// gomodjail:confined\r\nmodule example.com/app\r\n\r\nrequire (\r\n" +
      "\t// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F\r\n" +
      "\t// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F\r\n" +
      "\texample.com/a v1.0.0 // gomodjail:confined allow=FILES/READ\r\n\texample.com/b v1.0.0 // gomodjail:confined\r\n)\r\n",
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
  expect(out).toContain("// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /src/example.com/a/sub/x.go:3:example.com/a/sub.F\nrequire example.com/a v1.0.0 // gomodjail:confined allow=FILES/READ\n");
  expect(out).toContain(
    "\t// gomodjail learn: not a module path: the program has no build information, so this names the package (and those under it); write its module's path\n\texample.com/x/y/z v0.0.0 // indirect; gomodjail:unconfined\n",
  );
});

test("learning again replaces learn's own comments instead of repeating them, and keeps the policies it wrote", () => {
  const first = learn(original, [report([made("example.com/a", "openat", 3)], {}, "confined")]).text;
  const second = learn(first, [report([made("example.com/a", "openat", 5)], {}, "confined")]);
  expect(second.text).toBe(first.replace("made 3 trapped syscalls itself: openat 3", "made 5 trapped syscalls itself: openat 5").replace("FILES/READ for 3 trapped syscalls: openat 3", "FILES/READ for 5 trapped syscalls: openat 5"));
  expect(second.notes).toEqual(["go.mod:23: example.com/e is marked unconfined, but it took part in no trapped call in the runs learned from"]);
});

test("a module confined by one run and unconfined by another is learned from the run that confined it", () => {
  const text = "module example.com/app\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n";
  const onlyA = report([made("example.com/a", "execve", 1)], { "example.com/b": "unconfined" }, "unconfined");
  const onlyB = report([], { "example.com/b": "confined" }, "unconfined");
  const learned = parseProfile(learn(text, [onlyA, onlyB]).text, "learned.mod");
  expect([policyOf(learned, "example.com/a"), policyOf(learned, "example.com/b")]).toEqual(["unconfined", "confined"]);
});

/** The learned policy of each module, as `run` reads it: "confined allow=X,Y", "confined" or "unconfined". */
function learnedPolicies(text: string, modules: string[]): Record<string, string> {
  const profile = parseProfile(text, "learned.mod");
  return Object.fromEntries(
    modules.map((m) => {
      const classes = orderedClasses(allowedClasses(profile, m));
      return [m, classes.length > 0 ? `${policyOf(profile, m)} allow=${classes.join(",")}` : policyOf(profile, m)];
    }),
  );
}

const twoModules = "// gomodjail:confined\nmodule example.com/app\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n";

test("a module is confined with exactly the classes of the calls it took part in, in every role, each class with one example call", () => {
  const calls = (module: string, syscall: string, count: number): InvolvementRow => ({ ...made(module, syscall, count), role: "calls", madeBy: "example.com/x", madeAt: "/src/x.go:1:example.com/x.Dial" });
  const creator = (module: string, syscall: string, count: number): InvolvementRow => ({ ...made(module, syscall, count), role: "creator", madeBy: main, madeAt: "/src/app/main.go:9:main.run" });
  const { text } = learn(twoModules, [report([made("example.com/a", "openat", 2), calls("example.com/a", "connect", 1), creator("example.com/b", "connect", 4)])]);
  expect(text).toContain(
    [
      "\t// gomodjail learn: made 2 trapped syscalls itself: openat 2; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F",
      "\t// gomodjail learn: called another module that made 1 trapped syscall (it uses a library that does; not its own calls): connect 1; e.g. connect made by example.com/x at /src/x.go:1:example.com/x.Dial, called from /src/example.com/a/x.go:3:example.com/a.F",
      "\t// gomodjail learn: needs FILES/READ for 2 trapped syscalls: openat 2; e.g. openat at /src/example.com/a/x.go:3:example.com/a.F",
      "\t// gomodjail learn: needs NETWORK for 1 trapped syscall: connect 1; e.g. connect made by example.com/x at /src/x.go:1:example.com/x.Dial, under /src/example.com/a/x.go:3:example.com/a.F",
      "\texample.com/a v1.0.0 // gomodjail:confined allow=FILES/READ,NETWORK",
    ].join("\n"),
  );
  expect(learnedPolicies(text, ["example.com/a", "example.com/b"])).toEqual({ "example.com/a": "confined allow=FILES/READ,NETWORK", "example.com/b": "confined allow=NETWORK" });
});

test("merged runs give a module the union of their classes", () => {
  const reading = report([made("example.com/a", "openat", 1)]);
  const dialing = report([made("example.com/a", "connect", 1), made("example.com/b", "newfstatat", 1)]);
  expect(learnedPolicies(learn(twoModules, [reading, dialing]).text, ["example.com/a", "example.com/b"])).toEqual({
    "example.com/a": "confined allow=FILES/READ,NETWORK",
    "example.com/b": "confined allow=FILES/READ",
  });
});

test("a module whose own code made the syscall needs SYSTEM_CALLS too, and is left unconfined for it", () => {
  const raw: InvolvementRow = { ...made("example.com/a", "connect", 1), ownSyscall: true };
  const { text } = learn(twoModules, [report([raw])]);
  expect(text).toContain("\t// gomodjail learn: needs SYSTEM_CALLS for 1 trapped syscall (its own code made the syscall, with no standard library function between): connect 1; e.g. connect at /src/example.com/a/x.go:3:example.com/a.F\n");
  expect(learnedPolicies(text, ["example.com/a"])).toEqual({ "example.com/a": "unconfined" });
  expect(learnedPolicies(learn(twoModules, [report([raw])], true).text, ["example.com/a"])).toEqual({ "example.com/a": "confined allow=NETWORK,SYSTEM_CALLS" });
});

test.each([
  ["EXEC", "execve", "nothing confines the programs it runs, a shell among them"],
  ["FILES/WRITE", "mkdirat", "it can patch what the program runs (/proc/self/mem) or a file it loads"],
  ["SYSTEM_CALLS", "ioctl", "executable memory and raw syscalls of its own are code no stack names"],
])("a module that needed %s is left unconfined, saying why; --allow-all-classes confines it with its classes", (cls, syscall, why) => {
  const rows = [{ ...made("example.com/a", syscall, 1), class: cls as CapabilityClass }, made("example.com/a", "openat", 1)];
  const { text } = learn(twoModules, [report(rows)]);
  expect(text).toContain(
    `\t// gomodjail learn: left unconfined: it needed ${cls} (${why}), which can reach every other class: learn --allow-all-classes would confine it with FILES/READ, ${cls}\n\texample.com/a v1.0.0 // gomodjail:unconfined\n`,
  );
  const classes = cls === "FILES/WRITE" ? "FILES/READ,FILES/WRITE" : `FILES/READ,${cls}`;
  expect(learnedPolicies(learn(twoModules, [report(rows)], true).text, ["example.com/a", "example.com/b"])).toEqual({ "example.com/a": `confined allow=${classes}`, "example.com/b": "confined" });
});

test("a call in no class, or whose class was not recorded (an older report), keeps the module unconfined, saying why, also with --allow-all-classes", () => {
  const older: InvolvementRow = { module: "example.com/b", role: "made", syscall: "openat", count: 2, example: "/src/b.go:1:example.com/b.F" };
  for (const allowAll of [false, true]) {
    const { text } = learn(twoModules, [report([made("example.com/a", "ptrace", 1), made("example.com/a", "openat", 1), older])], allowAll);
    expect(text).toContain(
      "\t// gomodjail learn: in no capability class: 1 trapped syscall: ptrace 1; e.g. ptrace at /src/example.com/a/x.go:3:example.com/a.F\n" +
        "\t// gomodjail learn: left unconfined: it took part in calls that are in no capability class (e.g. ptrace at /src/example.com/a/x.go:3:example.com/a.F): no capability class lets them through\n" +
        "\texample.com/a v1.0.0 // gomodjail:unconfined\n",
    );
    expect(text).toContain(
      "\t// gomodjail learn: left unconfined: the class of some of its calls is not known (e.g. openat at /src/b.go:1:example.com/b.F; its C code judged without a goroutine, or a report of an older gomodjail): no capability class can be learned for them\n",
    );
    expect(learnedPolicies(text, ["example.com/a", "example.com/b"])).toEqual({ "example.com/a": "unconfined", "example.com/b": "unconfined" });
  }
});

test("the go.mod's own policies and classes are kept; a note says where the evidence needs more, or less", () => {
  const own = "// gomodjail:confined\nmodule example.com/app\n\nrequire (\n\texample.com/a v1.0.0 // gomodjail:confined allow=FILES/READ\n\texample.com/b v1.0.0 // gomodjail:unconfined\n\texample.com/c v1.0.0 // gomodjail:confined allow=NETWORK\n)\n";
  const { text, notes } = learn(own, [report([made("example.com/a", "openat", 1), made("example.com/a", "connect", 1), made("example.com/b", "openat", 1), made("example.com/c", "connect", 1)])]);
  expect(learnedPolicies(text, ["example.com/a", "example.com/b", "example.com/c"])).toEqual({
    "example.com/a": "confined allow=FILES/READ",
    "example.com/b": "unconfined",
    "example.com/c": "confined allow=NETWORK",
  });
  expect(notes).toEqual([
    "go.mod:5: example.com/a is marked confined allow=FILES/READ, but it took part in trapped calls that need NETWORK (made: connect 1, openat 1): under this policy they are blocked",
    "go.mod:6: example.com/b is marked unconfined, but it needed only FILES/READ in the runs learned from: gomodjail:confined allow=FILES/READ would hold it",
  ]);
});
