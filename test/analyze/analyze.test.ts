// `gomodjail analyze` on the fixture (test/fixtures/analyze): each module's findings from the
// binary and from its sources, on the oldest and the newest toolchain, amd64 and arm64, with and
// without cgo; the plain module is never flagged; the exit status says whether a confined module
// has findings; `inspect` shows the kinds per module.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constraintsHold, nameMatches } from "../../src/analyze/build-constraints.ts";
import { canImport, classifyCallee, symbolParts } from "../../src/analyze/callees.ts";
import type { Finding } from "../../src/analyze/findings.ts";
import { type AnalysisReport, analyzeProgram, type ModuleAnalysis } from "../../src/analyze/report.ts";
import { inspectBinary } from "../../src/analyze/inspect.ts";
import { type GoArch, goBuild, goCommand, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/analyze/app");
const goMod = join(app, "go.mod");
const fixtures = join(repoRoot, "test/fixtures/analyze");
const scratch = mkdtempSync(join(tmpdir(), "analyze-"));

function moduleOf(r: AnalysisReport, path: string): ModuleAnalysis {
  const m = r.modules.find((x) => x.path === path);
  if (!m) throw new Error(`no module ${path} in ${r.modules.map((x) => x.path).join(", ")}`);
  return m;
}

/** "KIND ORIGIN FILE:LINE MESSAGE" lines, with the fixture directory shortened. */
function lines(findings: Finding[]): string[] {
  return findings.map((f) => `${f.kind} ${f.origin} ${f.file.replace(`${fixtures}/`, "")}:${f.line} ${f.message}`);
}

const toolchains = goToolchains();
/** arm64 is built by the oldest and the newest toolchain; amd64 by all. */
const archsOf = (go: string): GoArch[] => (go === toolchains[0] || go === toolchains.at(-1) ? ["amd64", "arm64"] : ["amd64"]);
for (const go of toolchains) {
  describe.each(archsOf(go))(`Go ${go} %s: the fixture's findings`, (goarch) => {
    const report = () => analyzeProgram(goBuild({ dir: app, go, goarch }), { goMod });

    test("confined modules come first, marked; the main module is not confined", () => {
      const r = report();
      // cctor, confined in the go.mod, has code in cgo builds only.
      expect(moduleOf(r, "example.com/cctor")).toMatchObject({ confined: true, verdict: "ok (unused)", findings: [] });
      expect(r.modules.filter((m) => m.verdict !== "ok (unused)").slice(0, 3).map((m) => [m.path, m.confined])).toEqual([
        ["example.com/asmsys", true],
        ["example.com/plain", true],
        ["example.com/reach", true],
      ]);
      expect(moduleOf(r, "example.com/analyzeapp")).toMatchObject({ kind: "main", confined: false, policy: "unconfined" });
      expect(r.confinedWithFindings).toEqual(["example.com/asmsys", "example.com/reach"]);
    });

    test("assembly: the function that forges its stack writes SP and makes a syscall; the other jumps to RawSyscall6", () => {
      const asm = moduleOf(report(), "example.com/asmsys").findings.filter((f) => f.kind === "asm");
      expect(lines(asm.filter((f) => f.origin === "binary"))).toEqual([
        expect.stringMatching(
          new RegExp(`^asm binary asmsys/asm_${goarch}\\.s:8 example\\.com/asmsys\\.rawMkdirat is written in assembly: writes SP \\(a stack of its own making\\); makes syscalls at asm_${goarch}\\.s:1[5-8]$`),
        ),
        expect.stringMatching(new RegExp(`^asm binary asmsys/asm_${goarch}\\.s:2\\d example\\.com/asmsys\\.forgedRawSyscall6 is written in assembly: jumps to syscall\\.RawSyscall6$`)),
      ]);
      // The other architecture's assembly is not part of this build.
      expect(lines(asm.filter((f) => f.origin === "source"))).toEqual([
        `asm source asmsys/asm_${goarch}.s:1 assembly source (2 functions)`,
        expect.stringMatching(new RegExp(`^asm source asmsys/asm_${goarch}\\.s:1[5-8] raw syscall instruction: (SYSCALL|SVC)$`)),
      ]);
    });

    test("linkname pulls of the runtime and of another module's unexported function, and reflect and unsafe escapes", () => {
      const reach = moduleOf(report(), "example.com/reach");
      expect(lines(reach.findings.filter((f) => f.origin === "binary")).sort()).toEqual([
        "linkname binary reach/reach.go:20 example.com/reach.Nanotime calls runtime.nanotime, which is unexported in runtime: a //go:linkname pull",
        "linkname binary reach/reach.go:23 example.com/reach.PlainSecret calls example.com/plain.secret, which is unexported in example.com/plain: a //go:linkname pull",
        "reflect binary reach/reach.go:30 example.com/reach.SetCount calls reflect.NewAt: memory at any address through reflect",
        "reflect binary reach/reach.go:30 example.com/reach.SetCount calls reflect.Value.UnsafeAddr: memory at any address through reflect",
        "unsafe binary reach/reach.go:31 example.com/reach.SetCount uses unsafe.Slice: memory at any address as a slice",
      ]);
      expect(lines(reach.findings.filter((f) => f.origin === "source"))).toEqual([
        'reflect source reach/reach.go:7 imports "reflect"',
        'unsafe source reach/reach.go:8 imports "unsafe"',
        "linkname source reach/reach.go:13 //go:linkname nanotime runtime.nanotime",
        "linkname source reach/reach.go:16 //go:linkname plainSecret example.com/plain.secret",
      ]);
      expect(reach.sourceDirs).toEqual([join(fixtures, "reach")]);
    });

    test("the plain module is never flagged, though another module pulls its unexported function", () => {
      const plain = moduleOf(report(), "example.com/plain");
      expect(plain.findings).toEqual([]);
      expect(plain.sourceDirs).toEqual([join(fixtures, "plain")]);
    });
  });

  describe(`Go ${go} amd64 cgo: C code is its module's`, () => {
    const report = () => analyzeProgram(goBuild({ dir: app, go, variant: "cgo" }), { goMod });

    test("the cgo calls, the C functions of the preamble and of the module's .c file, the constructor, and plugin.Open", () => {
      const cctor = moduleOf(report(), "example.com/cctor");
      expect(lines(cctor.findings.filter((f) => f.origin === "binary")).sort()).toEqual([
        "cgo binary cctor/cctor.go:14 C function cctor_init is a C constructor: it runs before any Go code, when no module can be told from another",
        "cgo binary cctor/cctor.go:31 calls C function ctor_result through cgo",
        "cgo binary cctor/cctor.go:34 calls C function cctor_thread_open through cgo",
        "cgo binary cctor/thread.c:16 C function cctor_thread_open",
        "cgo binary cctor/thread.c:8 C function open_hostname",
        "plugin binary cctor/cctor.go:38 example.com/cctor.LoadPlugin calls plugin.Open: code loaded at run time",
      ]);
      expect(lines(cctor.findings.filter((f) => f.origin === "source"))).toEqual([
        'cgo source cctor/cctor.go:26 imports "C"',
        'plugin source cctor/cctor.go:28 imports "plugin"',
        "cgo source cctor/cctor.go:14 C constructor in the cgo preamble: runs before any Go code",
        "cgo source cctor/thread.c:1 C source file",
        "cgo source cctor/thread.h:1 C source file",
      ]);
    });

    test("the main module's own C code is the main module's, and the standard library's is nobody's", () => {
      const r = report();
      expect(lines(moduleOf(r, "example.com/analyzeapp").findings.filter((f) => f.kind === "cgo" && f.origin === "binary")).sort()).toEqual([
        "cgo binary app/cgo_on.go:12 C function open_on_thread",
        "cgo binary app/cgo_on.go:38 calls C function main_thread_open through cgo",
      ]);
      expect(r.modules.map((m) => m.path)).not.toContain("std");
      expect(r.confinedWithFindings).toEqual(["example.com/asmsys", "example.com/cctor", "example.com/reach"]);
    });
  });
}

describe("gomodjail analyze, the command", () => {
  const go = toolchains.at(-1)!;
  const prog = () => goBuild({ dir: app, go });

  test("prints the confined modules' verdicts as the original's v2 does and exits 3 when one is FAIL", async () => {
    const r = await runGomodjail(["analyze", `--go-mod=${goMod}`, prog()]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe("");
    const out = r.stdout.split("\n");
    expect(out.slice(0, 5)).toEqual([
      "FAIL example.com/asmsys: reaches SYSTEM_CALLS",
      "     [SYSTEM_CALLS]",
      "       example.com/asmsys.forgedRawSyscall6",
      "       syscall.RawSyscall6  (asm_amd64.s:27)",
      "     also uses UNSAFE_POINTER, ARBITRARY_EXECUTION (cannot be statically verified)",
    ]);
    expect(out).toContain("WARN example.com/reach: uses REFLECT, UNSAFE_POINTER, ARBITRARY_EXECUTION (verified except for these; use --explain for paths, --strict to fail)");
    expect(out).toContain("ok   example.com/plain");
    expect(out.at(-2)).toBe("gomodjail: 4 confined module(s): 2 ok, 1 warning(s), 1 violation(s)");
  });

  test("--explain adds every module's findings in go vet style lines, and the warnings' paths", async () => {
    const r = await runGomodjail(["analyze", `--go-mod=${goMod}`, "--explain", prog()]);
    const out = r.stdout.split("\n");
    expect(out[0]).toBe("# example.com/asmsys v1.0.0 (confined): 4 asm, 1 unsafe");
    expect(out).toContain("# example.com/plain v1.0.0 (confined): no findings");
    expect(out).toContain(`${fixtures}/reach/reach.go:20: linkname: example.com/reach.Nanotime calls runtime.nanotime, which is unexported in runtime: a //go:linkname pull`);
    expect(out).toContain(`${fixtures}/reach/reach.go:8: unsafe (source): imports "unsafe"`);
    expect(out).toContain("     [REFLECT]");
    expect(out.at(-2)).toBe("gomodjail: 4 confined module(s): 2 ok, 1 warning(s), 1 violation(s)");
  });

  test("--strict fails a module with warnings too", async () => {
    const onlyReach = join(scratch, "reach.mod");
    writeFileSync(onlyReach, "module example.com/analyzeapp\n\nrequire example.com/reach v1.0.0 // gomodjail:confined\n");
    expect((await runGomodjail(["analyze", `--go-mod=${onlyReach}`, prog()])).exitCode).toBe(0);
    const strict = await runGomodjail(["analyze", `--go-mod=${onlyReach}`, "--strict", prog()]);
    expect(strict.exitCode).toBe(3);
    expect(strict.stdout).toContain("WARN example.com/reach: uses REFLECT, UNSAFE_POINTER, ARBITRARY_EXECUTION (failing due to --strict)");
  });

  test("fix writes the classes a failing module needs into its allow=, prints the change, and analyze then passes", async () => {
    const copy = join(scratch, "fix.mod");
    writeFileSync(copy, readFileSync(goMod, "utf8"));
    const r = await runGomodjail(["fix", `--go-mod=${copy}`, prog()]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("+9: \texample.com/asmsys v1.0.0 // gomodjail:confined allow=SYSTEM_CALLS");
    expect(r.stdout).toContain("note: example.com/asmsys is allowed SYSTEM_CALLS, each of which reaches every other class");
    const fixed = readFileSync(copy, "utf8").split("\n");
    expect(fixed).toContain("\texample.com/asmsys v1.0.0 // gomodjail:confined allow=SYSTEM_CALLS");
    // The module with warnings only is left as it was.
    expect(fixed).toContain("\texample.com/reach v1.0.0 // gomodjail:confined");
    expect((await runGomodjail(["analyze", `--go-mod=${copy}`, prog()])).exitCode).toBe(0);
  });

  test("fix --unconfine refuses to unconfine every confined module", async () => {
    const onlyAsm = join(scratch, "asm.mod");
    writeFileSync(onlyAsm, "module example.com/analyzeapp\n\nrequire example.com/asmsys v1.0.0 // gomodjail:confined\n");
    const r = await runGomodjail(["fix", `--go-mod=${onlyAsm}`, "--unconfine", prog()]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`gomodjail: ${onlyAsm}: every confined module (1) fails: unconfining them all would leave nothing confined; decide for some by hand\n`);
  });

  test("a package pattern is built with the Go toolchain and analyzed, as the original's v2 takes it", async () => {
    const r = await runGomodjail(["analyze", "--go-mod=go.mod", "./..."], {
      cwd: app,
      env: { GO: goCommand(go), GOFLAGS: "-mod=mod", GOPROXY: "off", GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(3);
    expect(r.stdout.split("\n")).toContain("FAIL example.com/asmsys: reaches SYSTEM_CALLS");
    expect(r.stdout.split("\n").at(-2)).toBe("gomodjail: 4 confined module(s): 2 ok, 1 warning(s), 1 violation(s)");
  });

  test("a pattern that matches no main package is one line naming it, exit status 1", async () => {
    const r = await runGomodjail(["analyze", "--go-mod=go.mod", "./asm/..."], { cwd: app, env: { GO: goCommand(go), GOFLAGS: "-mod=mod", GOPROXY: "off", GOTOOLCHAIN: "local" } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^gomodjail: \.\/asm\/\.\.\.: go list failed: .*\n$/);
  });

  test("exits 0 when the confined modules have no findings, and --json prints the report", async () => {
    const onlyPlain = join(scratch, "plain.mod");
    writeFileSync(onlyPlain, "module example.com/analyzeapp\n\nrequire example.com/plain v1.0.0 // gomodjail:confined\n");
    const r = await runGomodjail(["analyze", `--go-mod=${onlyPlain}`, "--json", prog()]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as AnalysisReport;
    expect(report.confinedWithFindings).toEqual([]);
    expect(report.modules[0]).toMatchObject({ path: "example.com/plain", confined: true, findings: [], counts: {} });
    expect(report.counts).toEqual({ asm: 4, linkname: 4, reflect: 3, unsafe: 3 });
    expect(moduleOf(report, "example.com/reach")).toMatchObject({ confined: false, policy: "unconfined" });
  });

  test("without a go.mod nothing is confined: exit status 0", async () => {
    const r = await runGomodjail(["analyze", prog()]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("# example.com/asmsys v1.0.0: 4 asm, 1 unsafe");
  });

  test("a file that is not a Go program is one line naming it, exit status 1", async () => {
    const r = await runGomodjail(["analyze", "/bin/true"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toStartWith("gomodjail: /bin/true: ");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("inspect shows the kinds of findings per module", () => {
    const rows = Object.fromEntries(inspectBinary(prog(), goMod).modules.map((m) => [m.path, m.findings]));
    expect(rows["example.com/asmsys"]).toEqual({ asm: 2 });
    expect(rows["example.com/reach"]).toEqual({ linkname: 2, reflect: 2, unsafe: 1 });
    expect(rows["example.com/plain"]).toBeUndefined();
  });
});

describe("what normal Go code can call", () => {
  test.each([
    ["runtime.growslice", "ordinary"],
    ["runtime.gcWriteBarrier2", "ordinary"],
    ["runtime.mallocgcSmallScanNoHeaderSC3", "ordinary"],
    ["runtime.nanotime", "restricted"],
    ["slices.Compare[go.shape.[]int,go.shape.int]", "ordinary"],
    ["example.com/m.(*t).Exported", "ordinary"],
    ["example.com/m.(*T).unexported", "restricted"],
    ["example.com/m.F.func1", "ordinary"],
    ["example.com/m/internal/x.F", "restricted"],
    ["reflect.NewAt", "reflect"],
    ["plugin.Open", "plugin"],
    ["runtime.panicunsafestringlen", "unsafe"],
    ["runtime.cgocall", "cgo"],
  ])("%s is %s", (name, cls) => {
    expect(classifyCallee(name)).toBe(cls as ReturnType<typeof classifyCallee>);
  });

  test("an internal package is importable from its parent's tree only; the standard library's from the standard library", () => {
    expect(canImport("example.com/m/sub", "example.com/m/internal/x")).toBe(true);
    expect(canImport("example.com/other", "example.com/m/internal/x")).toBe(false);
    expect(canImport("net/http", "internal/abi")).toBe(true);
    expect(canImport("example.com/m", "internal/abi")).toBe(false);
    expect(canImport("example.com/m", "vendor/golang.org/x/net/http2/hpack")).toBe(false);
  });
});

describe("build constraints", () => {
  const ctx = { goos: "linux", goarch: "amd64", cgo: false, goMinor: 21, tags: ["custom"] };
  test.each([
    ["x_linux_amd64.s", true],
    ["x_arm64.s", false],
    ["x_windows.go", false],
    ["x_linux.go", true],
    ["linux.go", true],
  ])("file name %s: %p", (name, holds) => {
    expect(nameMatches(name, ctx)).toBe(holds);
  });
  test.each([
    ["//go:build linux && (amd64 || arm64)\n\npackage x\n", true],
    ["//go:build cgo\n\npackage x\n", false],
    ["//go:build go1.22\n\npackage x\n", false],
    ["//go:build unix && !windows && custom\n\npackage x\n", true],
    ["// +build darwin freebsd\n\npackage x\n", false],
    ["// +build linux,!cgo\n\npackage x\n", true],
    ["//go:build (linux\n\npackage x\n", false],
  ])("%j: %p", (text, holds) => {
    expect(constraintsHold(text, ctx)).toBe(holds);
  });
});

describe("names", () => {
  test.each([
    ["example.com/m.F", { pkg: "example.com/m", local: "F" }],
    ["example.com/lib%2ev2.(*T).M", { pkg: "example.com/lib.v2", local: "(*T).M" }],
    ["a/b.(*T).c/d.m", { pkg: "a/b", local: "(*T).c/d.m" }],
    ["slices.Sort[go.shape.[]a/b.T]", { pkg: "slices", local: "Sort[go.shape.[]a/b.T]" }],
  ])("%s is %j", (name, parts) => {
    expect(symbolParts(name)).toEqual(parts);
  });
});
