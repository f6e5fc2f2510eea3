import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { ElfFile, type ElfSection } from "../../src/elf/elf.ts";
import { type BuildInfo, BuildInfoError, type ModuleVersion, parseModInfo, readBuildInfo, unquoteGo } from "../../src/gobin/buildinfo.ts";
import { corpusBinary, corpusBuilds, corpusMainModule } from "../helpers/corpus.ts";
import { goToolchains, goTool } from "../helpers/gobuild.ts";

const newestGo = goToolchains().at(-1)!;

/** What `go version -m` says about each file, parsed independently of the code under test. */
function goVersionM(files: string[]): Map<string, BuildInfo> {
  const out = goTool(newestGo, ["version", "-m", ...files]);
  const result = new Map<string, BuildInfo>();
  let current: BuildInfo | undefined;
  let last: ModuleVersion | undefined;
  const mod = (f: string[]): ModuleVersion => (f[2] ? { path: f[0], version: f[1], sum: f[2] } : { path: f[0], version: f[1] });
  for (const line of out.split("\n")) {
    if (!line.startsWith("\t")) {
      const m = /^(.*): (go\S+)$/.exec(line);
      if (!m) continue;
      current = { goVersion: m[2], path: "", deps: [], settings: new Map() };
      result.set(m[1], current);
      continue;
    }
    const [kind, ...f] = line.slice(1).split("\t");
    if (kind === "path") current!.path = f[0];
    else if (kind === "mod") current!.main = last = mod(f);
    else if (kind === "dep") current!.deps.push((last = mod(f)));
    else if (kind === "=>") last!.replace = mod(f);
    else if (kind === "build") {
      // `go version -m` quotes a value with strconv.Quote only when it has spaces or quotes; for
      // the plain ASCII values of these binaries that is JSON's syntax too.
      const [, key, value] = /^([^=]+)=(.*)$/.exec(f.join("\t"))!;
      current!.settings.set(key, value.startsWith('"') ? JSON.parse(value) : value);
    }
  }
  return result;
}

// Each test modifies its own copy of the file; section offsets come from the file on disk.
function copyOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

function section(path: string, name: string): ElfSection {
  return ElfFile.open(path).section(name)!;
}

describe("readBuildInfo on the corpus", () => {
  const builds = corpusBuilds();
  const paths = builds.map(corpusBinary);
  const expected = goVersionM(paths);

  test.each(builds.map((b, i) => [b.label, paths[i]] as const))("%s: version, modules and settings equal go version -m", (_label, path) => {
    const info = readBuildInfo(ElfFile.open(path));
    expect(info).toEqual(expected.get(path)!);
    expect(info!.main?.path).toBe(corpusMainModule);
    expect(info!.deps.map((d) => d.path)).toEqual(["corpuslocal", "example.com/lib.v2", "example.com/m", "example.com/m/sub", "example.com/mx"]);
  });

  test("the Go version is the toolchain's and the settings name the variant", () => {
    builds.forEach((b, i) => {
      const info = readBuildInfo(ElfFile.open(paths[i]))!;
      expect(info.goVersion).toStartWith(`go${b.go}.`);
      expect(info.settings.get("GOARCH")).toBe(b.goarch);
      expect(info.settings.get("CGO_ENABLED")).toBe(b.variant === "cgo" ? "1" : "0");
      if (b.variant === "stripped") expect(info.settings.get("-ldflags")).toBe("-s -w");
      if (b.variant === "trimpath") expect(info.settings.get("-trimpath")).toBe("true");
    });
  });
});

describe("readBuildInfo on the toolchains' own binaries", () => {
  for (const go of goToolchains()) {
    const dirs = [`/usr/lib/go-${go}/bin`, `/usr/lib/go-${go}/pkg/tool/linux_amd64`].filter(existsSync);
    const files = dirs.flatMap((d) => readdirSync(d).map((f) => `${d}/${f}`));
    test(`go${go}: ${files.length} binaries equal go version -m`, () => {
      // From Go 1.25 the distribution prebuilds only go, gofmt and the build tools (the others are built by `go tool`).
      expect(files.length).toBeGreaterThanOrEqual(9);
      const expected = goVersionM(files);
      for (const f of files) expect({ f, info: readBuildInfo(ElfFile.open(f)) }).toEqual({ f, info: expected.get(f)! });
    });
  }
});

describe("locating the build information", () => {
  const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });

  test.each(corpusBuilds().map((b) => [b.label, b] as const))(
    "%s: without a .go.buildinfo section it is found at the start of a writable data segment",
    (_label, build) => {
      const path = corpusBinary(build);
      const bytes = copyOf(path);
      const shstrtab = section(path, ".shstrtab").offset;
      const at = Buffer.from(bytes.subarray(shstrtab)).indexOf(".go.buildinfo");
      bytes.set(new TextEncoder().encode(".go.renamedxx"), shstrtab + at);
      const renamed = ElfFile.parse(bytes, "renamed");
      expect(renamed.section(".go.buildinfo")).toBeUndefined();
      expect(readBuildInfo(renamed)).toEqual(readBuildInfo(ElfFile.open(path)));
    },
  );

  test("a binary that is not Go has none", () => {
    expect(readBuildInfo(ElfFile.open("/bin/true"))).toBeUndefined();
  });

  test("a magic string that is not 16-byte aligned is not a header", () => {
    const bytes = copyOf(path);
    const at = section(path, ".go.buildinfo").offset;
    bytes.copyWithin(at + 1, at, at + 32);
    bytes[at] = 0;
    expect(readBuildInfo(ElfFile.parse(bytes, "shifted"))).toBeUndefined();
  });
});

describe("the pointer format of Go 1.13-1.17", () => {
  // No installed toolchain writes it, so rewrite a real header into it: the Go version and
  // module strings stay where the inline format put them, and two Go string headers (address,
  // length) pointing at them go into the next section, .noptrdata.
  const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });
  const original = readBuildInfo(ElfFile.open(path))!;

  function toPointerFormat(bytes: Uint8Array, pointers: (headers: bigint[]) => bigint[]): ElfFile {
    const info = section(path, ".go.buildinfo");
    const data = section(path, ".noptrdata");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Decode the two inline strings' addresses and lengths.
    const strings: [bigint, bigint][] = [];
    let at = info.offset + 32;
    for (let i = 0; i < 2; i++) {
      let len = 0;
      for (let shift = 1; ; shift *= 128) {
        const b = bytes[at++];
        len += (b & 0x7f) * shift;
        if (b < 0x80) break;
      }
      strings.push([BigInt(info.addr + (at - info.offset)), BigInt(len)]);
      at += len;
    }
    strings.forEach(([addr, len], i) => {
      view.setBigUint64(data.offset + 16 * i, addr, true);
      view.setBigUint64(data.offset + 16 * i + 8, len, true);
    });
    const [p1, p2] = pointers([BigInt(data.addr), BigInt(data.addr + 16)]);
    bytes[info.offset + 15] = 0;
    view.setBigUint64(info.offset + 16, p1, true);
    view.setBigUint64(info.offset + 24, p2, true);
    return ElfFile.parse(bytes, "pointer-format");
  }

  test("pointers to Go strings decode to the same information", () => {
    expect(readBuildInfo(toPointerFormat(copyOf(path), (h) => h))).toEqual(original);
  });

  test("zero pointers (left to load-time relocations in old PIE binaries) mean no information in the file", () => {
    expect(readBuildInfo(toPointerFormat(copyOf(path), () => [0n, 0n]))).toBeUndefined();
  });

  test("a pointer outside the file is corrupt", () => {
    const elf = toPointerFormat(copyOf(path), (h) => [h[0], 0x7fff_0000_0000n]);
    expect(() => readBuildInfo(elf)).toThrow(BuildInfoError);
    expect(() => readBuildInfo(elf)).toThrow("pointer-format: corrupt Go build information: the module information pointer does not point into the file");
  });
});

describe("corrupt build information", () => {
  const path = corpusBinary({ go: newestGo, goarch: "amd64", variant: "default" });

  function corrupt(change: (section: Uint8Array) => void): ElfFile {
    const bytes = copyOf(path);
    const s = section(path, ".go.buildinfo");
    change(bytes.subarray(s.offset, s.offset + s.size));
    return ElfFile.parse(bytes, "corrupt");
  }

  test("a string length past the section is a typed error naming the file", () => {
    const elf = corrupt((s) => s.set([0xff, 0xff, 0x03], 32));
    expect(() => readBuildInfo(elf)).toThrow(new BuildInfoError("corrupt", "Go version string runs past its region"));
  });

  test("a varint that never ends is a typed error", () => {
    const elf = corrupt((s) => s.fill(0x80, 32));
    expect(() => readBuildInfo(elf)).toThrow(BuildInfoError);
  });

  test("the big-endian flag in a little-endian file is a typed error", () => {
    const elf = corrupt((s) => (s[15] |= 1));
    expect(() => readBuildInfo(elf)).toThrow("header says big-endian");
  });

  test("an empty Go version is a typed error", () => {
    const elf = corrupt((s) => {
      const len = s[32];
      s.copyWithin(33, 33 + len);
      s[32] = 0;
    });
    expect(() => readBuildInfo(elf)).toThrow("empty Go version");
  });

  test("a header cut off by the end of its region is a typed error", () => {
    const elf = corrupt((s) => {
      const lastAligned = (s.length - 16) & ~15;
      s.copyWithin(lastAligned, 0, 14);
      s.fill(0, 0, 16);
    });
    expect(() => readBuildInfo(elf)).toThrow("header is truncated");
  });
});

describe("parseModInfo", () => {
  const parse = (text: string) => parseModInfo(text, "prog");

  test("reads path, main module, dependencies with sums and replacements, and settings", () => {
    const info = parse(
      [
        "path\texample.com/app/cmd/app",
        "mod\texample.com/app\t(devel)\t",
        "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=",
        "dep\texample.com/old\tv1.0.0",
        "=>\texample.com/new\tv1.1.0\th1:def=",
        "dep\texample.com/local\tv0.0.0-00010101000000-000000000000",
        "=>\t../local\t\t",
        "build\t-ldflags=\"-s -w -X main.v=1\"",
        'build\t"weird key"=`raw value`',
        "build\tvcs.modified=true",
        "",
      ].join("\n"),
    );
    expect(info).toEqual({
      path: "example.com/app/cmd/app",
      main: { path: "example.com/app", version: "(devel)" },
      deps: [
        { path: "golang.org/x/sys", version: "v0.1.0", sum: "h1:abc=" },
        { path: "example.com/old", version: "v1.0.0", replace: { path: "example.com/new", version: "v1.1.0", sum: "h1:def=" } },
        { path: "example.com/local", version: "v0.0.0-00010101000000-000000000000", replace: { path: "../local", version: "" } },
      ],
      settings: new Map([
        ["-ldflags", "-s -w -X main.v=1"],
        ["weird key", "raw value"],
        ["vcs.modified", "true"],
      ]),
    });
  });

  test("text outside module mode (no sentinels) gives an empty module list", () => {
    expect(parse("")).toEqual({ path: "", deps: [], settings: new Map() });
  });

  test("unknown record kinds and an unterminated last line are skipped", () => {
    expect(parse("path\ta\nfuture\tx\ty\ndep\tb\tv1")).toEqual({ path: "a", deps: [], settings: new Map() });
  });

  test.each([
    ["=>\ta\tv1\t\n", "line 1: a replacement that follows no module"],
    ["dep\ta\tv1\n=>\tb\tv1\n", "line 2: a replacement needs 3 fields, found 2"],
    ["dep\ta\n", "line 1: a module needs 2 or 3 fields, found 1"],
    ["mod\ta\tb\tc\td\n", "line 1: a module needs 2 or 3 fields, found 4"],
    ["build\t=x\n", 'line 1: malformed build setting "=x"'],
    ["build\tnoequals\n", "line 1: malformed build setting"],
    ['build\t"open=x\n', "line 1: malformed build setting"],
    ['build\tk="unterminated\n', "line 1: malformed build setting"],
  ])("%j is a typed error: %s", (text, message) => {
    expect(() => parse(text)).toThrow(BuildInfoError);
    expect(() => parse(text)).toThrow(message);
  });
});

describe("unquoteGo", () => {
  test.each([
    ['"-s -w"', "-s -w"],
    ['"a\\tb\\n\\\\\\""', 'a\tb\n\\"'],
    ['"\\x41\\101\\u00e9\\U0001F600"', "AAé😀"],
    ['"\\303\\251"', "é"],
    ["`raw \\n`", "raw \\n"],
    ['""', ""],
  ])("%s is %j", (quoted, value) => {
    expect(unquoteGo(quoted)).toBe(value);
  });

  test.each(['"open', '"bad \\q"', '"\\x4"', '"\\400"', '"\\ud800"', "`a`b`", '"a"b"', "plain", '"'])("%s is not a Go string literal", (s) => {
    expect(unquoteGo(s)).toBeUndefined();
  });
});
