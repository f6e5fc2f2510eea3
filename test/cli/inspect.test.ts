import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type InspectReport, inspectBinary, type ModuleReport } from "../../src/analyze/inspect.ts";
import { formatReport, inspectCommand } from "../../src/cli/inspect.ts";
import { main } from "../../src/cli/main.ts";
import { ElfFile } from "../../src/elf/elf.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { corpusBinary, corpusMainModule } from "../helpers/corpus.ts";
import { goToolchains } from "../helpers/gobuild.ts";

const go = goToolchains().at(-1)!;
const prog = corpusBinary({ go, goarch: "amd64", variant: "default" });
const scratch = mkdtempSync(join(tmpdir(), "inspect-"));

function goModFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const policyGoMod = goModFile(
  "go.mod",
  `module example.com/app

go 1.19

require (
	corpuslocal v0.0.0 // gomodjail:confined
	example.com/lib.v2 v1.2.3 // gomodjail:confined
	example.com/m v0.1.0
	example.com/m/sub v0.2.0 // gomodjail:confined
	example.com/mx v0.3.0
	example.com/notlinked v1.0.0 // gomodjail:confined
)
`,
);

/** Function counts per module, straight from the names in the function table. */
function countByPrefix(path: string): Record<string, number> {
  const prefixes: [string, string[]][] = [
    [corpusMainModule, ["main.", "example.com/app/"]],
    ["corpuslocal", ["corpuslocal."]],
    ["example.com/lib.v2", ["example.com/lib%2ev2.", "example.com/lib.v2/"]],
    ["example.com/m", ["example.com/m.", "example.com/m/inner."]],
    ["example.com/m/sub", ["example.com/m/sub."]],
    ["example.com/mx", ["example.com/mx."]],
  ];
  const t = GoBinary.open(path).pclntab;
  const counts: Record<string, number> = {};
  for (let i = 0; i < t.funcCount; i++) {
    const name = t.funcName(i);
    for (const [module, ps] of prefixes) if (ps.some((p) => name.startsWith(p))) counts[module] = (counts[module] ?? 0) + 1;
  }
  return counts;
}

function rowsOf(r: InspectReport): Record<string, Omit<ModuleReport, "path">> {
  return Object.fromEntries(r.modules.map(({ path, ...rest }) => [path, rest]));
}

describe("inspecting the corpus program", () => {
  test("reports the Go version, main module, architecture, PIE and every module with its function count", () => {
    const r = inspectBinary(prog);
    expect(r.goVersion).toStartWith(`go${go}.`);
    expect(r.mainPackage).toBe(corpusMainModule);
    expect(r.mainModule).toBe(corpusMainModule);
    expect(r).toMatchObject({ arch: "amd64", pie: false, policy: null, warnings: [] });
    expect(r.modules.map((m) => `${m.kind} ${m.path}`)).toEqual([
      "main example.com/app",
      "dependency corpuslocal",
      "dependency example.com/lib.v2",
      "dependency example.com/m",
      "dependency example.com/m/sub",
      "dependency example.com/mx",
      "std std",
    ]);
    const counts = countByPrefix(prog);
    for (const m of r.modules) if (m.kind !== "std") expect({ m: m.path, n: m.functions }).toEqual({ m: m.path, n: counts[m.path] });
    expect(r.modules.reduce((n, m) => n + m.functions, 0)).toBe(r.functions);
    expect(r.functions).toBe(GoBinary.open(prog).pclntab.funcCount);
    expect(rowsOf(r)["example.com/m/sub"]).toMatchObject({ version: "v0.2.0", replace: { path: "../m/sub", version: "(devel)" } });
  });

  test.each([
    ["arm64", "pie"],
    ["amd64", "pie"],
    ["arm64", "default"],
    ["amd64", "stripped"],
    ["amd64", "cgo"],
  ] as const)("%s %s: architecture, PIE and the same per-module counts", (goarch, variant) => {
    const path = corpusBinary({ go, goarch, variant });
    const r = inspectBinary(path);
    expect(r.arch).toBe(goarch);
    expect(r.pie).toBe(variant === "pie");
    const counts = countByPrefix(path);
    for (const m of r.modules) if (m.kind !== "std") expect({ m: m.path, n: m.functions }).toEqual({ m: m.path, n: counts[m.path] });
  });

  test("with --go-mod every module gets its policy; a confined module the binary lacks shows 0 functions", () => {
    const r = inspectBinary(prog, policyGoMod);
    expect(r.policy).toEqual({ goMod: policyGoMod, mainModule: corpusMainModule, defaultPolicy: "unconfined", applies: true });
    expect(Object.fromEntries(r.modules.map((m) => [m.path, m.policy]))).toEqual({
      "example.com/app": "unconfined",
      corpuslocal: "confined",
      "example.com/lib.v2": "confined",
      "example.com/m": "unconfined",
      "example.com/m/sub": "confined",
      "example.com/mx": "unconfined",
      "example.com/notlinked": "confined",
      std: "unconfined",
    });
    expect(rowsOf(r)["example.com/notlinked"]).toEqual({ kind: "dependency", functions: 0, policy: "confined" });
  });

  test("with allow= every confined module's classes stand next to its policy, in the JSON and the text", async () => {
    const classesGoMod = goModFile(
      "classes.mod",
      `// gomodjail:confined allow=FILES/READ
module example.com/app

require (
	corpuslocal v0.0.0 // gomodjail:confined allow=NETWORK,FILES/READ
	example.com/lib.v2 v1.2.3 // indirect;gomodjail:confined
	example.com/m v0.1.0 // gomodjail:unconfined
	example.com/m/sub v0.2.0 // gomodjail:confined
)
`,
    );
    const r = inspectBinary(prog, classesGoMod);
    expect(r.policy).toEqual({ goMod: classesGoMod, mainModule: corpusMainModule, defaultPolicy: "confined", defaultAllowed: ["FILES/READ"], applies: true });
    expect(Object.fromEntries(r.modules.map((m) => [m.path, [m.policy, m.allow]]))).toEqual({
      "example.com/app": ["unconfined", undefined],
      corpuslocal: ["confined", ["FILES/READ", "NETWORK"]],
      "example.com/lib.v2": ["confined", undefined],
      "example.com/m": ["unconfined", undefined],
      "example.com/m/sub": ["confined", undefined],
      "example.com/mx": ["confined", ["FILES/READ"]],
      std: ["unconfined", undefined],
    });
    expect(r.warnings).toEqual([`${classesGoMod}:6: the original gomodjail does not see gomodjail:confined right after ";": put a blank after the ";"`]);

    let text = "";
    await inspectCommand(prog, { goMod: classesGoMod }, (s) => (text += s));
    expect(text).toMatch(/^go\.mod +\S+ \(module example\.com\/app, default policy confined allow=FILES\/READ\)$/m);
    expect(text).toMatch(/^MODULE +VERSION +KIND +FUNCTIONS +POLICY +ALLOW +FINDINGS$/m);
    expect(text).toMatch(/^corpuslocal .+ dependency +\d+ +confined +FILES\/READ,NETWORK$/m);
    expect(text).toMatch(/^example\.com\/m .+ dependency +\d+ +unconfined$/m);
    const header = text.split("\n").find((l) => l.startsWith("MODULE"))!;
    const row = text.split("\n").find((l) => l.startsWith("corpuslocal"))!;
    expect(row.indexOf("FILES/READ,NETWORK")).toBe(header.indexOf("ALLOW"));
  });

  test("a go.mod of another main module polices nothing, and says so", () => {
    const other = goModFile("other.mod", "// gomodjail:confined\nmodule example.com/other\n");
    const r = inspectBinary(prog, other);
    expect(r.policy).toMatchObject({ applies: false, defaultPolicy: "confined" });
    expect(r.warnings).toEqual([`the main module of ${prog} is example.com/app, not the go.mod's example.com/other: gomodjail run does not police it`]);
    expect(new Set(r.modules.map((m) => m.policy))).toEqual(new Set(["unconfined"]));
  });

  test("a binary without build information takes its main module and modules from the go.mod", () => {
    const bytes = new Uint8Array(readFileSync(prog));
    const at = ElfFile.open(prog).section(".go.buildinfo")!.offset;
    bytes.fill(0, at, at + 16);
    const stripped = join(scratch, "no-buildinfo");
    writeFileSync(stripped, bytes);

    const alone = inspectBinary(stripped);
    expect(alone).toMatchObject({ goVersion: null, mainPackage: null, mainModule: null });
    // Without any module list, the dependencies' packages belong to no known module, and a
    // dotless module cannot be told from the standard library.
    expect(rowsOf(alone)["main"]).toMatchObject({ kind: "main", functions: countByPrefix(prog)[corpusMainModule] });
    expect(rowsOf(alone)["example.com/m/sub"]).toMatchObject({ kind: "unknown" });
    expect(rowsOf(alone)["corpuslocal"]).toBeUndefined();

    const withGoMod = inspectBinary(stripped, policyGoMod);
    expect(withGoMod.mainModule).toBe(corpusMainModule);
    expect(withGoMod.warnings).toEqual([`${stripped} has no Go build information: its module list comes from the go.mod only`]);
    expect(rowsOf(withGoMod)["example.com/m/sub"]).toEqual({ kind: "dependency", functions: countByPrefix(prog)["example.com/m/sub"], policy: "confined" });
  });
});

describe("inspectCommand output", () => {
  async function run(opts: { goMod?: string; json?: boolean }): Promise<{ status: number; text: string }> {
    let text = "";
    const status = await inspectCommand(prog, opts, (s) => (text += s));
    return { status, text };
  }

  test("--json prints one JSON document equal to the report", async () => {
    const { status, text } = await run({ goMod: policyGoMod, json: true });
    expect(status).toBe(0);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(inspectBinary(prog, policyGoMod))));
  });

  test("the text form has the summary and one aligned row per module", async () => {
    const { status, text } = await run({ goMod: policyGoMod });
    expect(status).toBe(0);
    expect(text).toBe(formatReport(inspectBinary(prog, policyGoMod)));
    expect(text).toMatch(/^go version {4}go1\.\d+\.\d+$/m);
    expect(text).toMatch(/^main module {3}example\.com\/app$/m);
    expect(text).toMatch(/^architecture {2}amd64$/m);
    expect(text).toMatch(/^PIE {11}no$/m);
    // Without allow= anywhere, no classes column.
    expect(text).toMatch(/^MODULE +VERSION +KIND +FUNCTIONS +POLICY +FINDINGS$/m);
    expect(text).toMatch(/^example\.com\/m\/sub +v0\.2\.0 => \.\.\/m\/sub \(devel\) +dependency +\d+ +confined$/m);
    expect(text).toMatch(/^example\.com\/notlinked +dependency +0 +confined$/m);
    expect(text).toMatch(/^std +std +\d+ +unconfined$/m);
    const lines = text.split("\n");
    const kindColumn = lines.find((l) => l.startsWith("MODULE"))!.indexOf("KIND");
    const rows = lines.slice(lines.findIndex((l) => l.startsWith("MODULE")) + 1, -1);
    expect(rows.length).toBe(8);
    for (const row of rows) expect(row.slice(kindColumn)).toMatch(/^(main|dependency|std) /);
  });
});

describe("gomodjail inspect errors", () => {
  async function inspect(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const status = await main(["inspect", ...args], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { status, stdout, stderr };
  }

  const garbage = join(scratch, "garbage");
  writeFileSync(garbage, "this is not an executable\n");
  const notGo = join(scratch, "true");
  copyFileSync("/bin/true", notGo);
  const badGoMod = goModFile("bad.mod", "module example.com/app\nrequire example.com/x v1 // gomodjail:jailed\n");

  test.each([
    ["a missing file", [join(scratch, "missing")], join(scratch, "missing")],
    ["a file that is not ELF", [garbage], garbage],
    ["an ELF file that is not Go", [notGo], notGo],
    ["a go.mod with an unknown policy", [prog, `--go-mod=${badGoMod}`], badGoMod],
  ])("%s: one line naming the file, exit status 1", async (_what, args, file) => {
    const r = await inspect(...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([expect.stringContaining(file), ""]);
    expect(r.stderr).toStartWith("gomodjail: ");
    expect(r.stderr).not.toContain("internal error");
  });
});
