import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GoModError, parseGoMod, readGoMod } from "../../src/policy/gomod.ts";

// Every directive of the go.mod grammar, in single-line and block form, with the comment,
// quoting and version shapes found in real files.
const everyDirective = `// A comment group of its own.

// Deprecated: use example.com/other instead.
module "example.com/app" // the module

go 1.22.3
toolchain go1.23.1

godebug default=go1.21
godebug (
	panicnil=1
	asynctimerchan=0
)

require example.com/single v1.2.3
require (
	example.com/a v1.0.0
	\`example.com/raw\` v0.0.0-20240101000000-abcdefabcdef // indirect
	"example.com/quoted\\x2fsub" v2.0.0+incompatible

	// above b, after a blank line
	example.com/b/v2 v2.1.0-rc.1 // indirect; gomodjail:confined
	// above the closing paren
) // after it

exclude example.com/a v0.9.0
exclude (
	example.com/b/v2 v2.0.0
)

replace example.com/a => ../a
replace example.com/b/v2 v2.1.0 => example.com/fork/b/v2 v2.1.1
replace (
	example.com/c => /abs/c
	example.com/d v1.0.0 => ./d
)

retract v1.0.1 // broken
retract [v1.1.0, v1.1.5]
retract (
	v1.2.0
	[v1.3.0,v1.3.9] // a range
)

tool example.com/a/cmd/gen
tool (
	golang.org/x/tools/cmd/stringer
)
ignore ./node_modules
ignore (
	./third_party
)
require ()
// The end.
`;

describe("parseGoMod reads every directive", () => {
  const mod = parseGoMod(everyDirective, "go.mod");

  test("module, go, toolchain and godebug", () => {
    expect(mod.module?.path).toBe("example.com/app");
    expect(mod.go).toBe("1.22.3");
    expect(mod.toolchain).toBe("go1.23.1");
    expect(mod.godebug.map(({ key, value }) => [key, value])).toEqual([
      ["default", "go1.21"],
      ["panicnil", "1"],
      ["asynctimerchan", "0"],
    ]);
  });

  test("requirements with quoted paths, pseudo-versions, +incompatible and // indirect", () => {
    expect(mod.require.map(({ path, version, indirect }) => [path, version, indirect])).toEqual([
      ["example.com/single", "v1.2.3", false],
      ["example.com/a", "v1.0.0", false],
      ["example.com/raw", "v0.0.0-20240101000000-abcdefabcdef", true],
      ["example.com/quoted/sub", "v2.0.0+incompatible", false],
      ["example.com/b/v2", "v2.1.0-rc.1", true],
    ]);
  });

  test("exclusions and replacements, with and without versions", () => {
    expect(mod.exclude.map(({ path, version }) => [path, version])).toEqual([
      ["example.com/a", "v0.9.0"],
      ["example.com/b/v2", "v2.0.0"],
    ]);
    expect(mod.replace.map(({ oldPath, oldVersion, newPath, newVersion }) => [oldPath, oldVersion, newPath, newVersion])).toEqual([
      ["example.com/a", undefined, "../a", undefined],
      ["example.com/b/v2", "v2.1.0", "example.com/fork/b/v2", "v2.1.1"],
      ["example.com/c", undefined, "/abs/c", undefined],
      ["example.com/d", "v1.0.0", "./d", undefined],
    ]);
  });

  test("retractions of single versions and ranges", () => {
    expect(mod.retract.map(({ low, high }) => [low, high])).toEqual([
      ["v1.0.1", "v1.0.1"],
      ["v1.1.0", "v1.1.5"],
      ["v1.2.0", "v1.2.0"],
      ["v1.3.0", "v1.3.9"],
    ]);
  });

  test("tool and ignore", () => {
    expect(mod.tool.map((t) => t.path)).toEqual(["example.com/a/cmd/gen", "golang.org/x/tools/cmd/stringer"]);
    expect(mod.ignore.map((t) => t.path)).toEqual(["./node_modules", "./third_party"]);
  });

  test("comments stay attached to the line they annotate", () => {
    const module = mod.module!.directive;
    expect(module.line).toBe(4);
    expect(module.before).toEqual([{ line: 3, text: "// Deprecated: use example.com/other instead." }]);
    expect(module.suffix).toEqual({ line: 4, text: "// the module" });

    const b = mod.require.find((r) => r.path === "example.com/b/v2")!.directive;
    expect(b.line).toBe(22);
    expect(b.before).toEqual([{ line: 21, text: "// above b, after a blank line" }]);
    expect(b.suffix).toEqual({ line: 22, text: "// indirect; gomodjail:confined" });
    expect(b.block?.line).toBe(16);
    expect(b.block?.closing).toEqual([
      { line: 23, text: "// above the closing paren" },
      { line: 24, text: "// after it" },
    ]);

    const groups = mod.statements.filter((s) => s.kind === "comments");
    expect(groups).toEqual([
      { kind: "comments", comments: [{ line: 1, text: "// A comment group of its own." }] },
      { kind: "comments", comments: [{ line: 54, text: "// The end." }] },
    ]);
  });

  test("an empty block on one line", () => {
    const last = mod.statements.filter((s) => s.kind === "block").at(-1)!;
    expect(last).toMatchObject({ verb: "require", line: 53, directives: [] });
  });
});

describe("parseGoMod", () => {
  test("reads CRLF files exactly like LF files", () => {
    const lf = parseGoMod(everyDirective, "go.mod");
    const crlf = parseGoMod(everyDirective.replaceAll("\n", "\r\n"), "go.mod");
    expect(crlf).toEqual(lf);
  });

  test("ends a word where a comment starts", () => {
    const mod = parseGoMod("module example.com/app//c\nrequire example.com/a v1.0.0//gomodjail:confined\n", "go.mod");
    expect(mod.module?.path).toBe("example.com/app");
    expect(mod.require[0]).toMatchObject({ path: "example.com/a", version: "v1.0.0" });
    expect(mod.require[0].directive.suffix?.text).toBe("//gomodjail:confined");
  });

  test("reads words whose characters are ASCII, then not, then ASCII again, and ends one at a punctuation mark", () => {
    const mod = parseGoMod("module example.com/ünïcode/ö-v2\nrequire (\n\texample.com/a/b.c_d~e v1.0.0\n)\n", "go.mod");
    expect(mod.module?.path).toBe("example.com/ünïcode/ö-v2");
    expect(mod.require[0]).toMatchObject({ path: "example.com/a/b.c_d~e", version: "v1.0.0" });
    expect(parseGoMod("retract [v1.0.0,v1.1.0]\n", "go.mod").retract[0]).toMatchObject({ low: "v1.0.0", high: "v1.1.0" });
  });

  test("reads a file without a final newline, and an empty file", () => {
    expect(parseGoMod("module example.com/app", "go.mod").module?.path).toBe("example.com/app");
    expect(parseGoMod("", "go.mod").module).toBeUndefined();
  });

  test("reads the Docker CLI profile", () => {
    const mod = readGoMod(join(import.meta.dir, "../fixtures/profiles/docker-26.1.3.mod"));
    expect(mod.module?.path).toBe("github.com/docker/cli");
    expect(mod.go).toBe("1.21");
    expect(mod.require.length).toBe(87);
    expect(mod.require.filter((r) => r.indirect).length).toBe(43);
  });
});

describe("malformed go.mod files are GoModErrors naming the file and the line", () => {
  const cases: [string, string, string][] = [
    ["a module without a path", "module\n", "go.mod:1: usage: module module/path"],
    ["two module lines", "module a\nmodule b\n", "go.mod:2: repeated module statement"],
    ["two go lines", "go 1.22\ngo 1.23\n", "go.mod:2: repeated go statement"],
    ["a go line without a version", "go\n", "go.mod:1: go directive expects exactly one argument"],
    ["a bad go version", "go 1.22.x\n", 'go.mod:1: invalid go version "1.22.x": must look like 1.23.0'],
    ["a bad toolchain", "toolchain 1.22\n", 'go.mod:1: invalid toolchain "1.22": must look like go1.23.0 or default'],
    ["a godebug without =", "godebug panicnil\n", "go.mod:1: usage: godebug key=value"],
    ["a requirement without a version", "module m\nrequire example.com/a\n", "go.mod:2: usage: require module/path v1.2.3"],
    ["a requirement with extra words", "require example.com/a v1.0.0 v2\n", "go.mod:1: usage: require module/path v1.2.3"],
    ["a version that is not semver", "require example.com/a latest\n", 'go.mod:1: require example.com/a: invalid version "latest": must look like v1.2.3'],
    [
      "a pre-release with a leading zero",
      "require example.com/a v1.2.3-01\n",
      'go.mod:1: require example.com/a: invalid version "v1.2.3-01": must look like v1.2.3',
    ],
    ["a bad escape in a quoted path", 'require "example.com/\\q" v1.0.0\n', 'go.mod:1: invalid quoted string "example.com/\\q"'],
    ["a quote inside a word", "require example.com/a'b v1.0.0\n", "go.mod:1: example.com/a'b: an unquoted string cannot contain a quote"],
    ["an unterminated string", 'module m\nrequire "example.com/a v1.0.0\n', "go.mod:2: unexpected newline in a quoted string"],
    ["a string cut by the end of the file", 'module "m', "go.mod:1: unexpected end of file in a quoted string"],
    ["an exclusion without a version", "exclude example.com/a\n", "go.mod:1: usage: exclude module/path v1.2.3"],
    [
      "a replacement without =>",
      "replace example.com/a ../a\n",
      "go.mod:1: usage: replace module/path [v1.2.3] => other/module v1.4.0, or replace module/path [v1.2.3] => ../local/directory",
    ],
    [
      "a replacement module without a version",
      "replace example.com/a => example.com/b\n",
      "go.mod:1: replacement module without a version must be a directory path (rooted or starting with ./ or ../)",
    ],
    [
      "a replacement written path@version",
      "replace example.com/a => example.com/b@v1.0.0\n",
      "go.mod:1: replacement module must be written as 'path version', not 'path@version'",
    ],
    ["a replacement directory with a version", "replace example.com/a => ./b v1.0.0\n", "go.mod:1: replacement directory ./b cannot have a version"],
    ["an unclosed retract range", "retract [v1.0.0, v1.1.0\n", "go.mod:1: usage: retract v1.2.3 or retract [v1.2.0, v1.2.3]"],
    ["a retraction of a non-version", "retract latest\n", 'go.mod:1: retract: invalid version "latest": must look like v1.2.3'],
    ["a tool without a path", "tool\n", "go.mod:1: usage: tool package/path"],
    ["an unknown directive", "module m\n\nfrobnicate x\n", "go.mod:3: unknown directive: frobnicate"],
    ["a go block", "go (\n\t1.22\n)\n", "go.mod:1: unknown block type: go"],
    ["a block header with two words", "require example.com/a (\n)\n", "go.mod:1: unknown block type: require example.com/a"],
    ["an unterminated block", "module m\nrequire (\n\texample.com/a v1.0.0\n", 'go.mod:2: unterminated require block: missing ")"'],
    ["words after a closing paren", "require (\n\texample.com/a v1.0.0\n) x\n", 'go.mod:3: unexpected "x" after ")"'],
    ["a block on one line", "require ( example.com/a v1.0.0 )\n", 'go.mod:1: unexpected "(": a block\'s "(" must end its line'],
    ["a stray closing paren", "module m\n)\n", 'go.mod:2: unexpected ")"'],
    ["a brace", "require example.com/a v1.0.0 {\n", 'go.mod:1: unexpected "{"'],
    ["a /* comment */", "module m /* c */\n", "go.mod:1: go.mod files use // comments, not /* */ comments"],
    ["a /* comment */ inside a word", "module example.com/m/* c */\n", "go.mod:1: go.mod files use // comments, not /* */ comments"],
    ["a /* comment */ inside a word, after a letter that is not ASCII", "module example.com/é/* c */\n", "go.mod:1: go.mod files use // comments, not /* */ comments"],
    ["a control character", "module m\n\u0000\n", 'go.mod:2: unexpected character "\\u0000"'],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      let error: unknown;
      try {
        parseGoMod(text, "go.mod");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GoModError);
      expect((error as Error).message).toBe(message);
      expect((error as GoModError).file).toBe("go.mod");
    });
  }
});

describe("readGoMod", () => {
  test("names the path it cannot read and why", () => {
    const dir = mkdtempSync(join(tmpdir(), "gomodjail-gomod-"));
    expect(() => readGoMod(join(dir, "missing.mod"))).toThrow(
      new GoModError(join(dir, "missing.mod"), undefined, "cannot read the go.mod file: no such file or directory"),
    );
    expect(() => readGoMod(dir)).toThrow(`${dir}: cannot read the go.mod file: is a directory`);
  });
});
