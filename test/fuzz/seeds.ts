// The real inputs the fuzzer starts from: go.mod files (the Docker CLI profile, the fixtures' own,
// synthetic ones that use every directive), and Go binaries with a map of where their parsed
// structures lie in the file (ELF header tables, build information, pclntab header, function
// table, function records, pc-value streams, inline trees, moduledata), so that mutations hit
// the fields parsers trust.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { readBuildInfo } from "../../src/gobin/buildinfo.ts";
import { Pclntab } from "../../src/gobin/pclntab.ts";
import { TableBytes } from "../../src/gobin/pclntab/bytes.ts";
import { FUNC_LAYOUTS, FUNCDATA_INL_TREE, FUNCDATA_INL_TREE_GO_1_14, type FuncLayout, INLINED_CALL_1_12, INLINED_CALL_1_20 } from "../../src/gobin/pclntab/funcs.ts";
import { type PclnHeader, parseHeader } from "../../src/gobin/pclntab/header.ts";
import { SegmentMemory } from "../../src/gobin/pclntab/memory.ts";
import { findModuledata, gofuncAddress } from "../../src/gobin/pclntab/moduledata.ts";
import { corpusAppDir } from "../helpers/corpus.ts";
import { type GoArch, type GoVariant, goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import type { Field, Region } from "./mutate.ts";

// ---- go.mod files ----

export interface GoModSeed {
  label: string;
  text: string;
}

/** go.mod text that uses every directive and comment placement the grammar allows. */
const SYNTHETIC_GO_MODS: GoModSeed[] = [
  {
    label: "synthetic: every directive",
    text: `// gomodjail:confined
module "example.com/quoted"

go 1.23.0

toolchain go1.23.4

godebug default=go1.21
godebug (
\tpanicnil=1
\thttp2client=0
)

require example.com/single v1.0.0 // indirect; gomodjail:unconfined

// gomodjail:unconfined
require (
\texample.com/a v1.2.3-pre.1+build.5
\t// gomodjail:confined
\texample.com/b v0.0.0-20240101000000-abcdefabcdef // indirect
\t"example.com/c" \`v2.0.0+incompatible\` //gomodjail:confined
)

exclude example.com/a v1.2.2
exclude (
\texample.com/b v0.0.1
)

replace example.com/a v1.2.3 => example.com/fork v1.2.4
replace (
\texample.com/b => ../b
\texample.com/c => /abs/c
\texample.com/d v1.0.0 => ./d
)

retract v1.0.1
retract [v1.0.2, v1.0.9] // security
retract (
\t[v0.1.0, v0.2.0]
\tv0.0.1
)

tool example.com/tools/cmd/gen
tool (
\tgolang.org/x/tools/cmd/stringer
)

ignore ./node_modules
ignore (
\t./third_party
)
`,
  },
  {
    label: "synthetic: escapes, empty blocks, CRLF",
    text:
      'module example.com/m\r\n\r\ngo 1.21\r\n\r\nrequire ()\r\nrequire (\r\n\t"example.com/\\x65sc" v1.0.0 // gomodjail:confined\r\n\t"example.com/\\u00e9" v1.0.0\r\n\t"example.com/\\101" v1.0.0\r\n)\r\n// trailing comment group\r\n// gomodjail:unconfined\r\n',
  },
  {
    label: "synthetic: module line last, policies on comment lines",
    text: `require (
\t// gomodjail:confined
\texample.com/x v1.0.0
\texample.com/y v1.0.0 // indirect // gomodjail:confined
) // after the block

// gomodjail:unconfined
module example.com/late
`,
  },
];

export function goModSeeds(): GoModSeed[] {
  const seeds: GoModSeed[] = [];
  const docker = join(repoRoot, "test/fixtures/profiles/docker-26.1.3.mod");
  seeds.push({ label: "docker-26.1.3.mod", text: readFileSync(docker, "utf8") });
  const fixtures = join(repoRoot, "test/fixtures");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === "go.mod") seeds.push({ label: relative(repoRoot, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(fixtures);
  return [...seeds, ...SYNTHETIC_GO_MODS];
}

// ---- Go binaries ----

/** Where one pclntab's parts lie in the file, from the unmodified binary. */
export interface PclntabMap {
  /** File offset of the table's first byte, and its length as the reader sees it. */
  off: number;
  length: number;
  header: PclnHeader;
  layout: FuncLayout;
  /** File offset of moduledata, when the file holds one for the table. */
  moduledataOff: number | undefined;
  /** Inline trees (a sample): the function and the file offset of its tree; and the entry size. */
  inlineTrees: { fn: number; off: number }[];
  inlinedCallSize: number;
  /** Link-time text range and every function's entry, for choosing pcs. */
  entries: number[];
  textEnd: number;
  /** Function names and source files in the table, for the attribution target. */
  names: string[];
  files: string[];
}

export interface BinarySeed {
  label: string;
  path: string;
  /** The file as read; never modified. */
  original: Uint8Array;
  /** A copy that mutations write into and restore. */
  work: Uint8Array;
  goVersion: string | undefined;
  mainModule: string | undefined;
  modulePaths: string[];
  /** ELF header, program header and section header fields. */
  elfFields: Field[];
  /** Offsets and addresses a field may be set to (segment and section bounds). */
  related: number[];
  regions: { header: Region; sectionNames?: Region; buildinfo?: Region; noptrdata?: Region };
  buildinfoAddr: number | undefined;
  noptrdataAddr: number | undefined;
  pclntab: PclntabMap | undefined;
  /** Program header entries and section header entries, as offsets. */
  phdrs: number[];
  shdrs: number[];
}

const EHDR_FIELDS: [string, number, Field["size"]][] = [
  ["e_ident[EI_CLASS]", 4, 1],
  ["e_ident[EI_DATA]", 5, 1],
  ["e_type", 16, 2],
  ["e_machine", 18, 2],
  ["e_entry", 24, 8],
  ["e_phoff", 32, 8],
  ["e_shoff", 40, 8],
  ["e_phentsize", 54, 2],
  ["e_phnum", 56, 2],
  ["e_shentsize", 58, 2],
  ["e_shnum", 60, 2],
  ["e_shstrndx", 62, 2],
];
const PHDR_FIELDS: [string, number, Field["size"]][] = [
  ["p_type", 0, 4],
  ["p_flags", 4, 4],
  ["p_offset", 8, 8],
  ["p_vaddr", 16, 8],
  ["p_filesz", 32, 8],
  ["p_memsz", 40, 8],
];
const SHDR_FIELDS: [string, number, Field["size"]][] = [
  ["sh_name", 0, 4],
  ["sh_type", 4, 4],
  ["sh_addr", 16, 8],
  ["sh_offset", 24, 8],
  ["sh_size", 32, 8],
  ["sh_link", 40, 4],
  ["sh_info", 44, 4],
];

/** File offset of a link-time address, through the loadable segments. */
function fileOffset(elf: ElfFile, addr: number): number | undefined {
  for (const p of elf.segments) {
    if (p.type === "load" && addr >= p.vaddr && addr < p.vaddr + p.filesz) return p.offset + (addr - p.vaddr);
  }
  return undefined;
}

function loadBinarySeed(label: string, path: string): BinarySeed {
  const original = new Uint8Array(readFileSync(path));
  const elf = ElfFile.parse(original, path);
  const view = new DataView(original.buffer, original.byteOffset, original.byteLength);
  const phoff = Number(view.getBigUint64(32, true));
  const shoff = Number(view.getBigUint64(40, true));
  const phdrs = elf.segments.map((_, i) => phoff + 56 * i);
  const shdrs = elf.sections.map((_, i) => shoff + 64 * i);
  const elfFields: Field[] = [
    ...EHDR_FIELDS.map(([name, at, size]) => ({ name, at, size })),
    ...phdrs.flatMap((base, i) => PHDR_FIELDS.map(([name, at, size]) => ({ name: `phdr[${i}].${name}`, at: base + at, size }))),
    ...shdrs.flatMap((base, i) => SHDR_FIELDS.map(([name, at, size]) => ({ name: `shdr[${i}].${name}`, at: base + at, size }))),
  ];
  const related = [
    phoff,
    shoff,
    ...elf.segments.flatMap((p) => [p.offset, p.vaddr, p.filesz, p.offset + p.filesz, p.vaddr + p.memsz]),
    ...elf.sections.flatMap((s) => [s.offset, s.addr, s.size]),
  ];
  const shstrndx = view.getUint16(62, true);
  const names = elf.sections[shstrndx];
  const buildinfo = elf.section(".go.buildinfo");
  const noptrdata = elf.section(".noptrdata");
  const info = readBuildInfo(elf);
  return {
    label,
    path,
    original,
    work: original.slice(),
    goVersion: info?.goVersion,
    mainModule: info?.main?.path,
    modulePaths: info?.deps.map((d) => d.path) ?? [],
    elfFields,
    related,
    regions: {
      header: { name: "ELF header tables", from: 0, to: Math.max(64, phoff + 56 * phdrs.length) },
      sectionNames: names && { name: "section names", from: names.offset, to: names.offset + names.size },
      buildinfo: buildinfo && { name: ".go.buildinfo", from: buildinfo.offset, to: buildinfo.offset + Math.min(buildinfo.size, 4096) },
      noptrdata: noptrdata && { name: ".noptrdata", from: noptrdata.offset, to: noptrdata.offset + noptrdata.size },
    },
    buildinfoAddr: buildinfo?.addr,
    noptrdataAddr: noptrdata?.addr,
    pclntab: mapPclntab(elf, info?.goVersion),
    phdrs,
    shdrs,
  };
}

function mapPclntab(elf: ElfFile, goVersion: string | undefined): PclntabMap | undefined {
  let tab: Pclntab;
  try {
    tab = Pclntab.fromElf(elf, { goVersion });
  } catch {
    return undefined;
  }
  const off = fileOffset(elf, tab.addr)!;
  const section = elf.section(tab.source);
  const segment = elf.segments.find((p) => p.type === "load" && off >= p.offset && off < p.offset + p.filesz)!;
  const length = section ? section.size : segment.offset + segment.filesz - off;
  const t = new TableBytes(elf.bytes.subarray(off, off + length), elf.path);
  const header = parseHeader(t);
  const layout = FUNC_LAYOUTS[header.version];
  const mem = new SegmentMemory(elf);
  const moduledata = findModuledata(mem, [{ header, addr: tab.addr }]).get(tab.addr);
  const record = (fn: number): number => {
    const at = header.functab + (2 * fn + 1) * header.functabFieldSize;
    return header.funcBase + (header.functabFieldSize === 4 ? t.u32(at, "") : t.u64(at, ""));
  };
  // Inline trees of up to 200 functions, where the reader would find them.
  const inlineTrees: { fn: number; off: number }[] = [];
  const gofunc = moduledata === undefined ? undefined : gofuncAddress(mem, header, moduledata);
  const slot = /^go1\.1[45](\D|$)/.test(goVersion ?? "") ? FUNCDATA_INL_TREE_GO_1_14 : FUNCDATA_INL_TREE;
  for (let fn = 0; fn < header.nfunc && inlineTrees.length < 200; fn += 7) {
    const rec = record(fn);
    if (t.u8(rec + layout.nfuncdata, "") <= slot) continue;
    const funcdata = rec + layout.pcdata + 4 * t.u32(rec + layout.npcdata, "");
    let addr: number | undefined;
    if (header.version === "1.18" || header.version === "1.20") {
      const o = t.u32(funcdata + 4 * slot, "");
      if (o !== 0xffffffff && gofunc !== undefined) addr = gofunc + o;
    } else {
      const aligned = funcdata + ((8 - ((tab.addr + funcdata) % 8)) % 8);
      addr = t.u64(aligned + 8 * slot, "") || undefined;
    }
    const treeOff = addr === undefined ? undefined : fileOffset(elf, addr);
    if (treeOff !== undefined) inlineTrees.push({ fn, off: treeOff });
  }
  const entries = [...tab.funcs()].map((f) => f.entry);
  const files = new Set<string>();
  for (let fn = 0; fn < tab.funcCount; fn += 5) {
    const pos = tab.fileLine(fn, tab.funcEntry(fn));
    if (pos) files.add(pos.file);
  }
  return {
    off,
    length,
    header,
    layout,
    moduledataOff: moduledata === undefined ? undefined : fileOffset(elf, moduledata),
    inlineTrees,
    inlinedCallSize: header.version === "1.20" ? INLINED_CALL_1_20.size : INLINED_CALL_1_12.size,
    entries,
    textEnd: tab.funcEnd(tab.funcCount - 1),
    names: [...tab.funcs()].map((f) => f.name),
    files: [...files],
  };
}

export interface BinarySpec {
  label: string;
  path: () => string | undefined;
}

const corpus = (go: string, goarch: GoArch, variant: GoVariant): BinarySpec => ({
  label: `corpus go${go}/${goarch}/${variant}`,
  path: () => goBuild({ dir: corpusAppDir, go, goarch, variant }),
});

/** A few corpus builds for the test suite: two toolchains, both architectures, PIE and stripped. */
export function quickBinaries(): BinarySpec[] {
  const gos = goToolchains();
  return [corpus(gos.at(-1)!, "amd64", "default"), corpus(gos[0], "amd64", "pie"), corpus(gos.at(-1)!, "arm64", "stripped")];
}

/**
 * For long runs: the corpus with every toolchain (amd64 in every variant, arm64 default and PIE),
 * a toolchain's own large binary (compile), and the old esbuild releases (Go 1.14-1.17 table
 * formats) when the pclntab tests have fetched them into .cache/npm-go.
 */
export function allBinaries(): BinarySpec[] {
  const specs: BinarySpec[] = [];
  for (const go of goToolchains()) {
    for (const variant of ["default", "pie", "stripped", "trimpath", "cgo"] as const) specs.push(corpus(go, "amd64", variant));
    for (const variant of ["default", "pie"] as const) specs.push(corpus(go, "arm64", variant));
  }
  const newest = goToolchains().at(-1);
  if (newest) {
    const compile = `/usr/lib/go-${newest}/pkg/tool/linux_amd64/compile`;
    specs.push({ label: `go${newest} compile`, path: () => (existsSync(compile) ? compile : undefined) });
  }
  const npm = join(repoRoot, ".cache/npm-go");
  for (const dir of existsSync(npm) ? readdirSync(npm).sort() : []) {
    const binary = join(npm, dir, "package/bin/esbuild");
    specs.push({ label: dir, path: () => (existsSync(binary) ? binary : undefined) });
  }
  return specs;
}

export function loadBinaries(specs: BinarySpec[]): BinarySeed[] {
  const seeds: BinarySeed[] = [];
  for (const spec of specs) {
    const path = spec.path();
    if (path) seeds.push(loadBinarySeed(spec.label, path));
  }
  return seeds;
}
