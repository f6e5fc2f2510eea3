// What Go's own tools say about a binary, to check the pclntab reader against: `go tool nm` (the
// ELF symbol table) and `go tool addr2line` (Go's debug/gosym over pclntab). Outputs are cached
// under .cache/gotool by binary identity, since the suites ask about the same files repeatedly.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { Pclntab } from "../../src/gobin/pclntab.ts";
import { goTool, goToolchains, repoRoot } from "../helpers/gobuild.ts";

/**
 * The pclntab of a binary read from a private copy of the file. ElfFile.open maps the file
 * through Bun.mmap, which opens it read-write: while mapped, the kernel refuses to execute it
 * (ETXTBSY), and these suites run the very binaries they read (the go command, test programs).
 */
export function readPclntab(binary: string, options?: { goVersion?: string }): Pclntab {
  return Pclntab.fromElf(ElfFile.parse(new Uint8Array(readFileSync(binary)), binary), options);
}

/** The newest toolchain's tools read every table format. */
const toolGo = (): string => goToolchains().at(-1)!;

function cachedTool(binary: string, args: string[], stdin?: string): string {
  const st = statSync(binary);
  const key = createHash("sha256")
    .update(JSON.stringify([binary, st.size, st.mtimeMs, st.ino, toolGo(), args, stdin ?? ""]))
    .digest("hex")
    .slice(0, 24);
  const dir = join(repoRoot, ".cache/gotool");
  const file = join(dir, key);
  if (existsSync(file)) return readFileSync(file, "utf8");
  const out = goTool(toolGo(), ["tool", ...args, binary], stdin);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, out);
  return out;
}

export interface Symbol {
  addr: number;
  name: string;
}

/** The text symbols (nm types T and t) of an unstripped binary. */
export function nmTextSymbols(binary: string): Symbol[] {
  const symbols: Symbol[] = [];
  for (const line of cachedTool(binary, ["nm"]).split("\n")) {
    const m = /^\s*([0-9a-f]+) ([Tt]) (.+)$/.exec(line);
    if (m) symbols.push({ addr: parseInt(m[1], 16), name: m[3] });
  }
  return symbols;
}

export interface Addr2Line {
  func: string;
  /** "file:line" as addr2line prints it. */
  position: string;
}

/** addr2line's answers for `pcs`, in order (one process for all of them). */
export function addr2line(binary: string, pcs: readonly number[]): Addr2Line[] {
  const lines = cachedTool(binary, ["addr2line"], pcs.map((pc) => `0x${pc.toString(16)}\n`).join("")).split("\n");
  const answers: Addr2Line[] = [];
  for (let i = 0; i < pcs.length; i++) answers.push({ func: lines[2 * i], position: lines[2 * i + 1] });
  return answers;
}

/**
 * `count` pcs spread over all functions of the table, the same ones on every run: each function
 * in turn by a fixed stride, at a pseudo-random instruction-aligned offset inside it.
 */
export function samplePCs(tab: Pclntab, count: number): number[] {
  const pcs: number[] = [];
  for (let i = 0; i < count; i++) {
    const fn = Math.floor((i * tab.funcCount) / count);
    const entry = tab.funcEntry(fn);
    const size = Math.max(1, tab.funcEnd(fn) - entry);
    const offset = Math.imul(i + 1, 0x9e3779b1) >>> 0;
    pcs.push(entry + (offset % size) - ((offset % size) % tab.quantum));
  }
  return pcs;
}

/** The name the runtime prints for a function: generic type arguments shown as "[...]". */
export function printedName(name: string): string {
  const i = name.indexOf("[");
  const j = name.lastIndexOf("]");
  return i < 0 || j <= i ? name : `${name.slice(0, i)}[...]${name.slice(j + 1)}`;
}

/**
 * The (entry, name) pairs pclntab must list for a binary whose symbols `nm` shows, as
 * "hexaddr name" strings. nm lists more than Go functions, and some names differently:
 *  - runtime.text and runtime.etext mark the bounds of Go code; they are not functions.
 *  - C functions of cgo builds (gcc objects, crt start-up code) have no pclntab entry; they
 *    lie outside [runtime.text, runtime.etext), where the runtime knows no function either.
 *  - Assembly functions with the stack-based ABI0 are named `F.abi0` in the symbol table and
 *    plain `F` in pclntab, which is what the runtime reports.
 *  - The ELF symbol table spells the middle dot of compiler-generated names (`untracedG·4`) as
 *    a plain dot; so both sides are compared with plain dots.
 *  - Go 1.18-1.20 (the 1.18 table format) write a generic instantiation into pclntab as
 *    `F[...]`, without its type arguments.
 */
export function expectedFunctions(tab: Pclntab, symbols: readonly Symbol[]): Set<string> {
  const text = symbols.find((s) => s.name === "runtime.text")?.addr ?? 0;
  const etext = symbols.find((s) => s.name === "runtime.etext")?.addr ?? Infinity;
  const expected = new Set<string>();
  for (const { addr, name } of symbols) {
    if (name === "runtime.text" || name === "runtime.etext" || addr < text || addr >= etext) continue;
    let goName = name.endsWith(".abi0") ? name.slice(0, -".abi0".length) : name;
    if (tab.version === "1.18") goName = printedName(goName);
    expected.add(`${addr.toString(16)} ${goName.replaceAll("·", ".")}`);
  }
  return expected;
}

/** The table's functions as "hexaddr name" strings, spelled as expectedFunctions does. */
export function tableFunctions(tab: Pclntab): Set<string> {
  const found = new Set<string>();
  for (const { name, entry } of tab.funcs()) found.add(`${entry.toString(16)} ${name.replaceAll("·", ".")}`);
  return found;
}

/** The entries only one side has: both lists are empty when the two sets are equal. */
export function setDifference(ours: Set<string>, theirs: Set<string>): { onlyOurs: string[]; onlyTheirs: string[] } {
  return { onlyOurs: [...ours].filter((x) => !theirs.has(x)).sort(), onlyTheirs: [...theirs].filter((x) => !ours.has(x)).sort() };
}

/** For each pc: [our "func\nfile:line", addr2line's], as addr2line prints them ("?" when unknown). */
export function compareWithAddr2line(binary: string, tab: Pclntab, pcs: readonly number[]): { ours: string[]; theirs: string[] } {
  const ours = pcs.map((pc) => {
    const fn = tab.findFunc(pc);
    if (fn === undefined) return "?\n?:0";
    const pos = tab.fileLine(fn, pc);
    return `${tab.funcName(fn)}\n${pos ? `${pos.file}:${pos.line}` : "?:0"}`;
  });
  const theirs = addr2line(binary, pcs).map((a, i) => {
    // debug/gosym reports "no position" as an empty file and line -1; the runtime (and we) as "?" and 0.
    if (a.position === ":-1") return `${a.func}\n?:0`;
    // Internally linked cgo binaries list their C functions (names without a package) in pclntab
    // with no file and line tables (offset 0). The runtime reads offset 0 as "no table"; debug/gosym
    // decodes whatever bytes start the pc-value area, so its answer for them is noise.
    if (!a.func.includes(".") && ours[i] === `${a.func}\n?:0`) return ours[i];
    return `${a.func}\n${a.position}`;
  });
  return { ours, theirs };
}

export interface CfaRow {
  /** First pc the row applies to. */
  pc: number;
  /** The CFA as an offset from the stack pointer. */
  cfaOffset: number;
}

/**
 * The CFA rows of each function's FDE in `.debug_frame`, as binutils' readelf decodes them,
 * keyed by the function's first pc. The Go linker writes these rows from the same pcsp table
 * the runtime unwinds with, so they are an independent decoding of it.
 */
export function debugFrameRows(binary: string): Map<number, CfaRow[]> {
  const res = Bun.spawnSync(["readelf", "--debug-dump=frames-interp", binary], { stdout: "pipe", stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`readelf failed on ${binary}: ${res.stderr.toString()}`);
  const fdes = new Map<number, CfaRow[]>();
  let rows: CfaRow[] | undefined;
  for (const line of res.stdout.toString().split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = / FDE cie=\S+ pc=([0-9a-f]+)\.\./.exec(line))) fdes.set(parseInt(m[1], 16), (rows = []));
    else if (/ CIE /.test(line)) rows = undefined;
    else if (rows && (m = /^([0-9a-f]{16}) (?:rsp|sp)\+(\d+)\s/.exec(line))) rows.push({ pc: parseInt(m[1], 16), cfaOffset: Number(m[2]) });
  }
  return fdes;
}
