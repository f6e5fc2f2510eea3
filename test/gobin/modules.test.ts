import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { readBuildInfo } from "../../src/gobin/buildinfo.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { ModuleIndex, type ModuleRef, packageOfSymbol, SourceFileIndex, sourceLayout, STD, unescapePath } from "../../src/gobin/modules.ts";
import { type CorpusBuild, corpusAppDir, corpusBinary, corpusBuilds, corpusDir, corpusMainModule } from "../helpers/corpus.ts";
import { goCommand, goEnv, goToolchains, goTool } from "../helpers/gobuild.ts";

const newestGo = goToolchains().at(-1)!;
const corpusModules = ["corpuslocal", "example.com/lib.v2", "example.com/m", "example.com/m/sub", "example.com/mx"];

function goInCorpus(build: Pick<CorpusBuild, "go" | "goarch" | "variant">, args: string[]): string {
  const res = Bun.spawnSync([goCommand(build.go), ...args], {
    cwd: corpusAppDir,
    env: goEnv(build.goarch, build.variant === "cgo"),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (res.exitCode !== 0) throw new Error(`go ${args.join(" ")}: ${res.stderr.toString()}`);
  return res.stdout.toString() + res.stderr.toString();
}

/** The truth from the go command: every package in the build and the module that owns it ("" for std). */
const packageModuleCache = new Map<string, Map<string, string>>();
function packageModules(build: CorpusBuild): Map<string, string> {
  const key = `${build.go}/${build.goarch}/${build.variant === "cgo"}`;
  let map = packageModuleCache.get(key);
  if (!map) {
    const out = goInCorpus(build, ["list", "-deps", "-f", "{{.ImportPath}} {{if .Module}}{{.Module.Path}}{{end}}", "."]);
    map = new Map(out.trim().split("\n").map((l) => l.split(" ") as [string, string]));
    // The linker calls the main package "main", whatever its import path.
    map.set("main", corpusMainModule);
    packageModuleCache.set(key, map);
  }
  return map;
}

/** The linker's spelling of an import path in symbols, written from the rule in cmd/internal/objabi. */
function linkerPrefix(path: string): string {
  const bytes = new TextEncoder().encode(path);
  const lastSlash = bytes.lastIndexOf(0x2f);
  let out = "";
  bytes.forEach((c, i) => {
    const escape = c <= 0x20 || c === 0x25 || c === 0x22 || c >= 0x7f || (c === 0x2e && i > lastSlash);
    out += escape ? `%${c.toString(16).padStart(2, "0")}` : String.fromCharCode(c);
  });
  return out;
}

// Functions the runtime defines under the name of a package the program does not import
// (go:linkname), so the go command does not list that package.
const linknamedIntoStd = new Set(["runtime/debug.SetTraceback"]);
// Go 1.27's compiler names the closure of runtime.goready "_.goready.func1" (its file is the
// runtime's proc.go): a package no module can be, so it counts as the standard library's.
const unnamedPackageInStd = new Set(["_.goready.func1"]);

/**
 * The module a symbol's package belongs to, by the go command: the longest listed package whose
 * linker prefix and a dot start the symbol. Symbols of no package are explained by their kind.
 */
function expectedModule(symbol: string, packages: Map<string, string>, prefixes: [string, string][]): ModuleRef | string {
  let best: [string, string] | undefined;
  for (const entry of prefixes) {
    if (symbol.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  if (best) {
    const module = packages.get(best[1])!;
    if (module === "") return STD;
    return { path: module, kind: module === corpusMainModule ? "main" : "dependency" };
  }
  if (linknamedIntoStd.has(symbol) || unnamedPackageInStd.has(symbol)) return STD;
  // Toolchain-generated code that no package owns.
  if (/^(type:|type\.\.|go:|go\.buildid$)/.test(symbol)) return STD;
  if (/^\(?\*?struct \{/.test(symbol)) return STD;
  // Assembly and C symbols without a package: only the runtime, internal/bytealg and cgo have
  // them; GCC splits C functions into parts such as x_cgo_munmap.cold.
  if (!symbol.includes(".")) return STD;
  if (/^\w+\.(cold|part\.\d+|constprop\.\d+|isra\.\d+)$/.test(symbol)) return STD;
  return `unexplained symbol ${symbol}`;
}

/** Text symbols as `go tool nm` lists them. */
function nmTextSymbols(path: string): string[] {
  const names: string[] = [];
  for (const line of goTool(newestGo, ["tool", "nm", path]).split("\n")) {
    const m = /^\s*[0-9a-f]+\s+([Tt])\s+(.+)$/.exec(line);
    if (m) names.push(m[2]);
  }
  return names;
}

function pclntabFunctions(path: string): string[] {
  const t = GoBinary.open(path).pclntab;
  const names: string[] = [];
  for (let i = 0; i < t.funcCount; i++) names.push(t.funcName(i));
  return names;
}

function indexFor(path: string): ModuleIndex {
  const info = readBuildInfo(ElfFile.open(path))!;
  return new ModuleIndex(info.main?.path, info.deps.map((d) => d.path));
}

describe("attribution of every function in the corpus equals the go command's package ownership", () => {
  const builds = corpusBuilds();
  const sources = [
    ["go tool nm", nmTextSymbols],
    ["pclntab", pclntabFunctions],
  ] as const;

  for (const [source, list] of sources) {
    test.each(builds.filter((b) => source === "pclntab" || b.variant !== "stripped").map((b) => [b.label, b] as const))(
      `%s: every ${source} function`,
      (_label, build) => {
        const path = corpusBinary(build);
        const packages = packageModules(build);
        const prefixes = [...packages.keys()].map((p) => [`${linkerPrefix(p)}.`, p] as [string, string]);
        const index = indexFor(path);
        const symbols = list(path);
        const counts = new Map<string, number>();
        const mismatches: string[] = [];
        for (const symbol of symbols) {
          const want = expectedModule(symbol, packages, prefixes);
          const got = index.moduleOf(symbol);
          if (typeof want === "string" || got.path !== want.path || got.kind !== want.kind) {
            mismatches.push(`${symbol}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
          }
          counts.set(got.path, (counts.get(got.path) ?? 0) + 1);
        }
        expect(mismatches).toEqual([]);
        // Every module of the corpus has functions of its own, the dotted and nested ones included.
        for (const m of [corpusMainModule, ...corpusModules, "std"]) expect({ m, n: counts.get(m) ?? 0 }).not.toEqual({ m, n: 0 });
        expect(symbols.length).toBeGreaterThan(1000);
      },
    );
  }
});

describe("the corpus program", () => {
  const builds = corpusBuilds();

  test.each(builds.filter((b) => b.goarch === process.arch.replace("x64", "amd64")).map((b) => [b.label, b] as const))(
    "%s runs, exits 0 and prints its deterministic report",
    (_label, build) => {
      // Run a copy: ElfFile maps binaries read-write (Bun.mmap), and the kernel refuses to run a
      // file that is open for writing (ETXTBSY) while other tests in this process hold it.
      const copy = join(mkdtempSync(join(tmpdir(), "corpus-")), "app");
      copyFileSync(corpusBinary(build), copy);
      const res = Bun.spawnSync([copy], { stdout: "pipe", stderr: "pipe" });
      rmSync(dirname(copy), { recursive: true });
      expect(res.exitCode).toBe(0);
      expect(res.stdout.toString()).toBe(
        [
          "counter: 3",
          "small: 41",
          "squares: [1 4 9]",
          "lengths: [1 2]",
          "inits: [a b]",
          "util: x+y",
          "m: m with sub sum 6",
          "inner: 42",
          "stack: second 1",
          "sum: 2",
          "mx: 2 10 7",
          "local: corpuslocal",
          "cgo: 42",
          "main-inits: [main.init.0 main.init.1]",
          "",
        ].join("\n"),
      );
    },
  );

  test.each(builds.filter((b) => b.variant === "cgo").map((b) => [b.label, b] as const))(
    "%s is a real cgo binary: dynamically linked, calling its own C function",
    (_label, build) => {
      const path = corpusBinary(build);
      const elf = ElfFile.open(path);
      expect(elf.segments.some((s) => s.type === "interp")).toBe(true);
      expect(elf.section(".dynamic")).toBeDefined();
      expect(readBuildInfo(elf)!.settings.get("CGO_ENABLED")).toBe("1");
      expect(nmTextSymbols(path).some((s) => /^_cgo_[0-9a-f]+_Cfunc_corpus_answer$/.test(s))).toBe(true);
    },
  );

  test.each(builds.filter((b) => b.variant === "default").map((b) => [b.label, b] as const))(
    "%s has every kind of function name attribution must read",
    (_label, build) => {
      const names = pclntabFunctions(corpusBinary(build));
      for (const prefix of [
        "example.com/lib%2ev2.(*Counter).Inc",
        "example.com/lib%2ev2.Counter.Value",
        "example.com/lib%2ev2.init.0",
        "example.com/lib%2ev2.init.1",
        "example.com/lib.v2/util.Join",
        "example.com/m.Describe",
        "example.com/m/inner.Twice",
        // Instantiations: Go 1.19's pclntab spells the type arguments "...".
        "example.com/m/sub.Sum[",
        "example.com/m/sub.(*Stack[",
        "example.com/lib%2ev2.Map[",
        "example.com/mx.Counter.func1",
        "corpuslocal.Name",
        "main.init.0",
        "main.main.func1",
      ]) {
        expect({ prefix, present: names.some((n) => n.startsWith(prefix)) }).toEqual({ prefix, present: true });
      }
    },
  );

  test.each(goToolchains())("go%s inlines the small functions (-gcflags=-m)", (go) => {
    const out = goInCorpus({ go, goarch: "amd64", variant: "default" }, ["build", "-o", "/dev/null", "-gcflags=example.com/...=-m", "."]);
    expect(out).toContain("can inline Small");
    expect(out).toMatch(/main\.go:\d+:\d+: inlining call to lib\.Small/);
    expect(out).toMatch(/main\.go:\d+:\d+: inlining call to mx\.Apply/);
    expect(out).toMatch(/main\.go:\d+:\d+: inlining call to mx\.Adder/);
    expect(out).toMatch(/main\.go:\d+:\d+: inlining call to report\.\(\*Report\)\.Line/);
  });
});

describe("packageOfSymbol", () => {
  test.each([
    ["main.main", "main"],
    ["main.init.0", "main"],
    ["runtime.gopark", "runtime"],
    ["internal/abi.(*Type).Kind", "internal/abi"],
    ["vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start", "vendor/golang.org/x/net/dns/dnsmessage"],
    ["example.com/lib%2ev2.(*Counter).Inc", "example.com/lib.v2"],
    ["example.com/lib%2ev2.Counter.Value", "example.com/lib.v2"],
    ["example.com/lib.v2/util.Join", "example.com/lib.v2/util"],
    ["gopkg.in/yaml%2ev3.Unmarshal", "gopkg.in/yaml.v3"],
    ["go.uber.org/zap.New", "go.uber.org/zap"],
    ["example.com/m/sub.(*Stack[go.shape.string]).Pop", "example.com/m/sub"],
    ["example.com/m/sub.Stack[go.shape.string].Len", "example.com/m/sub"],
    ["example.com/lib%2ev2.Map[go.shape.int,go.shape.int]", "example.com/lib.v2"],
    ["example.com/lib%2ev2.Map[...]", "example.com/lib.v2"],
    ["example.com/a.F[go.shape.struct { example.com/b.X int; c/d.Y *e.f/g.Z }].func1", "example.com/a"],
    ["sync/atomic.(*Pointer[go.shape.struct { os.mu sync.Mutex; os.buf *[]uint8 }]).Load", "sync/atomic"],
    ["example.com/mx.Counter.func1", "example.com/mx"],
    ["example.com/a.F.func1.1", "example.com/a"],
    ["example.com/a.F.deferwrap1", "example.com/a"],
    ["example.com/a.glob..func1", "example.com/a"],
    ["example.com/a.T.M-fm", "example.com/a"],
    ["example.com/a.F-range1", "example.com/a"],
    ["example.com/a.init", "example.com/a"],
    ["main.main.Adder.func4", "main"],
    ["example.com/caf%c3%a9.F", "example.com/café"],
    ["example.com/a%2fb.F", "example.com/a/b"],
    ["cel.dev/cel-go/parser.(*recoveryLimitErrorStrategy).github.com/antlr4-go/antlr/v4.reset", "cel.dev/cel-go/parser"],
    ["example.com/a.(*T[go.shape.int]).example.com/b%2ev2.m", "example.com/a"],
  ])("%s is in package %s", (symbol, pkg) => {
    expect(packageOfSymbol(symbol)).toBe(pkg);
  });

  test.each([
    "type:.eq.example.com/m.T",
    "type:.eq.[2]interface {}",
    "type:.hash.struct { a int; b example.com/x.Y }",
    "type..eq.example.com/m.T",
    "type..hash.[4]string",
    "go:buildid",
    "struct { sync.Mutex; example.com/a.x int }.Lock",
    "(*struct { sync.Mutex; x int }).Unlock",
    "interface { M() }.M",
    "_rt0_amd64_linux",
    "gogo",
    "x_cgo_init",
  ])("%s is toolchain code of no package", (symbol) => {
    expect(packageOfSymbol(symbol)).toBeUndefined();
  });

  test.each(["example.com/bad%zz.F", "example.com/bad%2.F", "example.com/bad%ff.F", "example.com/bad%.F", "a/b", "example.com/x y.F", 'ex"ample.com/a.F'])(
    "%s cannot be read",
    (symbol) => {
      expect(packageOfSymbol(symbol)).toBeNull();
    },
  );

  test("unescaping undoes the linker's escaping", () => {
    for (const p of ["example.com/lib.v2", "gopkg.in/yaml.v3", "example.com/100%", 'a/"q"', "example.com/café/x.y"]) {
      expect(unescapePath(linkerPrefix(p))).toBe(p);
    }
  });
});

describe("ModuleIndex", () => {
  const index = new ModuleIndex("example.com/app", ["example.com/m", "example.com/m/sub", "example.com/mx", "example.com/lib.v2", "corpuslocal", "golang.org/x/net"]);
  const dep = (path: string): ModuleRef => ({ path, kind: "dependency" });

  test.each([
    ["main.main", { path: "example.com/app", kind: "main" }],
    ["example.com/app/internal/report.(*Report).Line", { path: "example.com/app", kind: "main" }],
    ["example.com/m.Describe", dep("example.com/m")],
    ["example.com/m/inner.Twice", dep("example.com/m")],
    ["example.com/m/sub.Sum[go.shape.int]", dep("example.com/m/sub")],
    ["example.com/m/sub/deeper.F", dep("example.com/m/sub")],
    ["example.com/mx.Counter.func1", dep("example.com/mx")],
    ["example.com/lib%2ev2.Map[go.shape.int,go.shape.int]", dep("example.com/lib.v2")],
    ["example.com/lib.v2/util.Join", dep("example.com/lib.v2")],
    ["corpuslocal.Name", dep("corpuslocal")],
    ["golang.org/x/net/http2.(*Framer).WriteData", dep("golang.org/x/net")],
    ["vendor/golang.org/x/net/http2/hpack.NewEncoder", STD],
    ["runtime.main", STD],
    ["internal/poll.(*FD).Write", STD],
    ["type:.eq.example.com/m.T", STD],
    ["go:buildid", STD],
    ["example.com/other.F", { path: "example.com/other", kind: "unknown" }],
    ["example.com/mxy.F", { path: "example.com/mxy", kind: "unknown" }],
    ["example.com/bad%zz.F", { path: "", kind: "unknown" }],
  ] as [string, ModuleRef][])("%s belongs to %j", (symbol, ref) => {
    expect(index.moduleOf(symbol)).toEqual(ref);
    expect(index.moduleOf(symbol)).toEqual(ref); // from the cache
  });

  test("a main module without a dot owns its packages, not the standard library", () => {
    const dotless = new ModuleIndex("victim", []);
    expect(dotless.moduleOf("victim/internal/x.F")).toEqual({ path: "victim", kind: "main" });
    expect(dotless.moduleOf("main.main")).toEqual({ path: "victim", kind: "main" });
    expect(dotless.moduleOf("victimless.F")).toEqual(STD);
  });

  test("without a known main module the main package is attributed to a main module called main", () => {
    const anonymous = new ModuleIndex(undefined, ["example.com/m"]);
    expect(anonymous.moduleOf("main.main")).toEqual({ path: "main", kind: "main" });
    expect(anonymous.knownModules()).toEqual(["example.com/m"]);
  });

  test("packageOf names the package, or nothing for toolchain code", () => {
    expect(index.packageOf("example.com/lib%2ev2.(*Counter).Inc")).toBe("example.com/lib.v2");
    expect(index.packageOf("type:.eq.example.com/m.T")).toBe("");
  });
});

describe("SourceFileIndex", () => {
  /** The truth from the corpus's directories (or, under -trimpath, the module@version prefix). */
  function moduleOfCorpusFile(file: string): string | undefined {
    const trimmed = /^(.+?)@v[^/]+\//.exec(file);
    if (trimmed) return trimmed[1];
    if (file.startsWith(`${corpusMainModule}/`)) return corpusMainModule;
    if (!file.startsWith(`${corpusDir}/`)) return undefined;
    const [top, second] = file.slice(corpusDir.length + 1).split("/");
    if (top === "app") return corpusMainModule;
    if (top === "m") return second === "sub" ? "example.com/m/sub" : "example.com/m";
    return top === "corpuslocal" ? "corpuslocal" : `example.com/${top}`;
  }

  function sourcesOf(path: string): { index: ModuleIndex; files: SourceFileIndex; functions: { name: string; file: string }[] } {
    const binary = GoBinary.open(path);
    const t = binary.pclntab;
    const functions: { name: string; file: string }[] = [];
    for (let i = 0; i < t.funcCount; i++) functions.push({ name: t.funcName(i), file: t.fileLine(i, t.funcEntry(i))?.file ?? "" });
    const info = readBuildInfo(binary.elf);
    const index = new ModuleIndex(info?.main?.path, info?.deps.map((d) => d.path) ?? []);
    const mainFile = functions.find((f) => f.name === "main.main")?.file;
    return { index, files: new SourceFileIndex(index, sourceLayout(info, mainFile)), functions };
  }

  test.each(corpusBuilds().map((b) => [b.label, b] as const))(
    "%s: every function's file is attributed to the module whose directory holds it",
    (_label, build) => {
      const { files, functions } = sourcesOf(corpusBinary(build));
      const wrong = functions.filter((f) => files.moduleOfFile(f.file)?.path !== moduleOfCorpusFile(f.file));
      expect(wrong.map((f) => `${f.name} ${f.file}: ${JSON.stringify(files.moduleOfFile(f.file))}`)).toEqual([]);
    },
  );

  test.each(corpusBuilds().map((b) => [b.label, b] as const))(
    "%s: closures of mx functions inlined into main are main's by name and mx's by file",
    (_label, build) => {
      const { index, files, functions } = sourcesOf(corpusBinary(build));
      const disagreeing = functions.filter((f) => {
        const byFile = files.moduleOfFile(f.file);
        return byFile !== undefined && byFile !== index.moduleOf(f.name);
      });
      if (Number(build.go.split(".")[1]) >= 27) {
        // Go 1.27 keeps a closure's own name where it is inlined: name and file agree.
        expect(disagreeing).toEqual([]);
        const closure = functions.find((f) => f.name === "example.com/mx.Adder.func1");
        expect(closure && index.moduleOf(closure.name)).toEqual({ path: "example.com/mx", kind: "dependency" });
        return;
      }
      // Go 1.21-1.26 name the one mx.Adder returns main.main.Adder.func4; Go 1.19 calls it and
      // mx.Apply's closure main.main.func3 and main.main.func4.
      expect(disagreeing.length).toBeGreaterThanOrEqual(1);
      for (const f of disagreeing) {
        expect(f.name).toMatch(/^main\.main\.(Adder\.)?func\d+$/);
        expect(index.moduleOf(f.name)).toEqual({ path: corpusMainModule, kind: "main" });
        expect(files.moduleOfFile(f.file)).toEqual({ path: "example.com/mx", kind: "dependency" });
      }
    },
  );

  test("module cache paths, vendor directories and absolute replacements", () => {
    const index = new ModuleIndex("example.com/app", ["github.com/BurntSushi/toml", "example.com/v", "example.com/v/sub", "example.com/abs"]);
    const files = new SourceFileIndex(index, {
      mainPackage: "example.com/app/cmd/app",
      mainFile: "/src/app/cmd/app/main.go",
      replacements: [
        ["example.com/abs", "/opt/abs"],
        ["example.com/unknown", "../unknown"],
      ],
    });
    expect(files.moduleOfFile("/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go")?.path).toBe("github.com/BurntSushi/toml");
    expect(files.moduleOfFile("/src/app/internal/x/x.go")?.path).toBe("example.com/app");
    expect(files.moduleOfFile("/src/app/vendor/example.com/v/sub/deep/f.go")?.path).toBe("example.com/v/sub");
    expect(files.moduleOfFile("/src/app/vendor/example.com/v/f.go")?.path).toBe("example.com/v");
    expect(files.moduleOfFile("/src/app/vendor/golang.org/x/other/f.go")).toBeUndefined();
    expect(files.moduleOfFile("/opt/abs/a.go")?.path).toBe("example.com/abs");
    expect(files.moduleOfFile("/src/unknown/a.go")).toBeUndefined();
    expect(files.moduleOfFile("/usr/lib/go/src/runtime/proc.go")).toBeUndefined();
    expect(files.moduleOfFile("<autogenerated>")).toBeUndefined();
    expect(files.moduleOfFile("/home/me@v2/elsewhere.go")).toBeUndefined();
  });

  test("a main package whose directory does not match its import path gives no main directory", () => {
    const index = new ModuleIndex("example.com/app", []);
    const files = new SourceFileIndex(index, { mainPackage: "example.com/app/cmd/app", mainFile: "/src/elsewhere/main.go" });
    expect(files.moduleOfFile("/src/elsewhere/main.go")).toBeUndefined();
  });
});
