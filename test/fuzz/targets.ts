// What the fuzzer runs: one target per parser, each making an input from a seed and a generator,
// running the parser and then the lookups a caller would make on what it returned. A target
// returns how the input ended ("ok", "rejected" with a typed error, or "partial" when some
// lookups were refused with one); any other exception escapes to the engine as a failure.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectBinary } from "../../src/analyze/inspect.ts";
import { formatReport } from "../../src/cli/inspect.ts";
import { ElfError, ElfFile } from "../../src/elf/elf.ts";
import { type BuildInfo, BuildInfoError, parseModInfo, readBuildInfo, unquoteGo } from "../../src/gobin/buildinfo.ts";
import { ModuleIndex, packageOfSymbol, SourceFileIndex, sourceLayout, unescapePath } from "../../src/gobin/modules.ts";
import { Pclntab, PclntabError } from "../../src/gobin/pclntab.ts";
import { GoModError, parseGoMod } from "../../src/policy/gomod.ts";
import { applyPolicyFlags, confinedModules, parseProfile, PolicyError, policyOf } from "../../src/policy/profile.ts";
import { mutateBuildInfo, mutateElf, mutatePclntab } from "./binaries.ts";
import { MutableBytes } from "./mutate.ts";
import type { Random } from "./random.ts";
import type { BinarySeed, GoModSeed } from "./seeds.ts";
import { GO_MOD_TOKENS, mutateText } from "./text.ts";

export type Outcome = "ok" | "rejected" | "partial";

export interface Target {
  name: string;
  /** Makes one input from `rng`, describing it in `notes`, and runs it. */
  run(rng: Random, notes: string[]): Outcome;
  /** Removes what the target left on disk. */
  close?(): void;
}

type ErrorClass = new (...args: never[]) => Error;
const TYPED_ERRORS: ErrorClass[] = [ElfError, BuildInfoError, PclntabError, GoModError, PolicyError];

/** True for the errors a parser may end an input with: the readers' typed errors. */
function isTypedError(e: unknown): boolean {
  return TYPED_ERRORS.some((c) => e instanceof c);
}

let refusalListener: ((e: Error) => void) | undefined;

/** Tells `listener` every typed error an input ends in or a lookup is refused with (to see which checks the mutations reach). */
export function onRefusal(listener: ((e: Error) => void) | undefined): void {
  refusalListener = listener;
}

/** Rethrows `e` unless it is a typed error, which it reports as a refusal. */
function refuse(e: unknown): void {
  if (!isTypedError(e)) throw e;
  refusalListener?.(e as Error);
}

/** Runs `f`; a typed error makes `state.refused` true instead of escaping. */
function attempt<T>(state: { refused: boolean }, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    refuse(e);
    state.refused = true;
    return undefined;
  }
}

/** Checks what a lookup returned is well-formed: a wrong type is a failure, like an exception. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`malformed result: ${what}`);
}

const intOrUndefined = (v: unknown): boolean => v === undefined || Number.isInteger(v);

/** Applies 1-4 mutations (fewer more often) with `mutate`. */
function mutateTimes(m: MutableBytes, rng: Random, seed: BinarySeed, mutate: typeof mutateElf): void {
  const n = rng.weighted([8, 4, 2, 1]) + 1;
  for (let i = 0; i < n; i++) mutate(m, rng, seed);
}

/** The lookups the tracer and `inspect` make on a table: by pc, by function, and over all functions. */
function exercisePclntab(tab: Pclntab, rng: Random, seed: BinarySeed, focus: readonly number[], state: { refused: boolean }): void {
  const modules = new ModuleIndex(seed.mainModule, seed.modulePaths);
  const files = new SourceFileIndex(modules, { mainPackage: seed.mainModule, mainFile: seed.pclntab?.files[0] });
  const entries = seed.pclntab?.entries ?? [0];
  const pcs: number[] = [];
  // Pcs spread over each damaged function, and a few anywhere.
  for (const fn of focus) {
    const entry = entries[fn];
    const size = (entries[fn + 1] ?? seed.pclntab!.textEnd) - entry;
    for (let i = 0; i < 16; i++) pcs.push(entry + Math.floor((i * size) / 16 / tab.quantum) * tab.quantum);
  }
  for (let i = 0; i < 24; i++) pcs.push(rng.pick(entries) + rng.int(64) * tab.quantum);
  for (let i = 0; i < 4; i++) pcs.push(entries[0] - 16 + rng.int((seed.pclntab?.textEnd ?? 0) - entries[0] + 32));
  pcs.push(rng.pick([0, -1, Number.NaN, 2 ** 53, tab.textStart, tab.textStart - 1]));
  for (const pc of pcs) {
    attempt(state, () => {
      const fn = tab.findFunc(pc);
      check(intOrUndefined(fn), `findFunc(${pc}) = ${fn}`);
      if (fn === undefined) {
        check(tab.frames(pc).length === 0, `frames of a pc outside every function`);
        return;
      }
      const name = tab.funcName(fn);
      check(typeof name === "string", "funcName");
      check(Number.isInteger(tab.funcEntry(fn)) && Number.isInteger(tab.funcEnd(fn)), "funcEntry/funcEnd");
      check(intOrUndefined(tab.funcID(fn)) && intOrUndefined(tab.funcFlag(fn)), "funcID/funcFlag");
      check(intOrUndefined(tab.spDelta(fn, pc)), "spDelta");
      const pos = tab.fileLine(fn, pc);
      check(pos === undefined || (typeof pos.file === "string" && Number.isInteger(pos.line)), "fileLine");
      for (const frame of tab.frames(pc)) {
        check(typeof frame.func === "string" && typeof frame.file === "string" && Number.isInteger(frame.line) && Number.isInteger(frame.pc), "frame");
        modules.moduleOf(frame.func);
        files.moduleOfFile(frame.file);
      }
    });
  }
  const fn = rng.int(tab.funcCount);
  attempt(state, () => tab.funcName(fn));
  attempt(state, () => tab.spDelta(fn, tab.funcEntry(fn)));
  // A function index out of range must be refused with a PclntabError.
  const bad = rng.pick([-1, tab.funcCount, 0.5, Number.NaN, 2 ** 32]);
  for (const lookup of [() => tab.funcName(bad), () => tab.funcEntry(bad), () => tab.spDelta(bad, tab.textStart)]) {
    let refused = false;
    try {
      lookup();
    } catch (e) {
      if (!(e instanceof PclntabError)) throw e;
      refused = true;
    }
    check(refused, `function index ${bad} was accepted`);
  }
  // All functions, as inspect lists them, up to a budget.
  attempt(state, () => {
    let n = 0;
    for (const f of tab.funcs()) {
      modules.moduleOf(f.name);
      if (++n === 2000) break;
    }
  });
}

/** Runs a binary parser on a mutated copy of a seed binary; the working copy is restored afterwards. */
function binaryTarget(
  name: string,
  seeds: BinarySeed[],
  mutate: typeof mutateElf,
  run: (bytes: Uint8Array, seed: BinarySeed, rng: Random, focus: readonly number[], state: { refused: boolean }) => void,
): Target {
  return {
    name,
    run(rng, notes) {
      const seed = rng.pick(seeds);
      const m = new MutableBytes(seed.original, seed.work);
      const state = { refused: false };
      notes.push(seed.label);
      try {
        mutateTimes(m, rng, seed, mutate);
        notes.push(...m.notes.splice(0));
        run(m.bytes, seed, rng, m.focus, state);
      } catch (e) {
        refuse(e);
        return "rejected";
      } finally {
        notes.push(...m.notes);
        m.restore();
      }
      return state.refused ? "partial" : "ok";
    },
  };
}

function exerciseElf(elf: ElfFile, rng: Random): void {
  for (const s of elf.sections) elf.sectionData(s);
  elf.section(".gopclntab");
  for (const p of elf.segments) {
    elf.readAt(p.vaddr, 16);
    elf.readAt(p.vaddr + p.filesz - 1, 1);
  }
  elf.readAt(rng.int(2 ** 48), rng.int(64));
}

function elfTarget(seeds: BinarySeed[]): Target {
  return binaryTarget("elf", seeds, mutateElf, (bytes, seed, rng, focus, state) => {
    const elf = ElfFile.parse(bytes, seed.path);
    exerciseElf(elf, rng);
    const info = attempt(state, () => readBuildInfo(elf));
    const tab = attempt(state, () => Pclntab.fromElf(elf, { goVersion: info?.goVersion }));
    if (tab) exercisePclntab(tab, rng, seed, focus, state);
  });
}

function exerciseBuildInfo(info: BuildInfo | undefined, seed: BinarySeed): void {
  if (!info) return;
  check(typeof info.goVersion === "string" && Array.isArray(info.deps) && info.settings instanceof Map, "BuildInfo");
  const modules = new ModuleIndex(info.main?.path, info.deps.map((d) => d.path));
  const files = new SourceFileIndex(modules, sourceLayout(info, seed.pclntab?.files[0]));
  for (const name of (seed.pclntab?.names ?? []).slice(0, 200)) modules.moduleOf(name);
  for (const file of seed.pclntab?.files ?? []) files.moduleOfFile(file);
}

function buildInfoTarget(seeds: BinarySeed[]): Target {
  const binary = binaryTarget("buildinfo", seeds, mutateBuildInfo, (bytes, seed) => {
    exerciseBuildInfo(readBuildInfo(ElfFile.parse(bytes, seed.path)), seed);
  });
  // The module information text itself, as the linker frames it, and Go string literals.
  const texts = seeds.map(modInfoText);
  return {
    name: "buildinfo",
    run(rng, notes) {
      if (rng.chance(0.6)) return binary.run(rng, notes);
      let text = rng.pick(texts);
      for (let n = rng.range(1, 4); n > 0; n--) text = mutateText(text, rng, MODINFO_TEXT_TOKENS, texts, notes);
      notes.unshift("module information text");
      const quoted = text.slice(text.indexOf('"'));
      try {
        parseModInfo(text, "fuzz");
        unquoteGo(quoted.slice(0, rng.int(quoted.length + 1)));
        return "ok";
      } catch (e) {
        refuse(e);
        return "rejected";
      }
    },
  };
}

const MODINFO_TEXT_TOKENS = ["\t", "\n", "=>\t", "dep\t", "mod\t", "path\t", "build\t", '"', "`", "\\", "=", '"\\x4', '"\\u12', '"\\U00110000"', '"\\777"', "\r", '""=', "``=`"];

/** The module information text of a seed, as `go version -m` lays it out. */
function modInfoText(seed: BinarySeed): string {
  const info = readBuildInfo(ElfFile.parse(seed.original, seed.path));
  if (!info) return "path\tx\n";
  const lines = [`path\t${info.path}`];
  const mod = (kind: string, m: { path: string; version: string; sum?: string }) => [kind, m.path, m.version, ...(m.sum ? [m.sum] : [])].join("\t");
  if (info.main) lines.push(mod("mod", info.main));
  for (const d of info.deps) {
    lines.push(mod("dep", d));
    if (d.replace) lines.push(["=>", d.replace.path, d.replace.version, d.replace.sum ?? ""].join("\t"));
  }
  for (const [k, v] of info.settings) lines.push(`build\t${k}=${/[\s"`]/.test(v) ? JSON.stringify(v) : v}`);
  return `${lines.join("\n")}\n`;
}

function pclntabTarget(seeds: BinarySeed[]): Target {
  return binaryTarget("pclntab", seeds.filter((s) => s.pclntab), mutatePclntab, (bytes, seed, rng, focus, state) => {
    const tab = Pclntab.fromElf(ElfFile.parse(bytes, seed.path), { goVersion: seed.goVersion });
    exercisePclntab(tab, rng, seed, focus, state);
  });
}

function goModTarget(seeds: GoModSeed[]): Target {
  const texts = seeds.map((s) => s.text);
  return {
    name: "gomod",
    run(rng, notes) {
      const seed = rng.pick(seeds);
      let text = seed.text;
      notes.push(seed.label);
      for (let n = rng.weighted([6, 4, 2, 1]) + 1; n > 0; n--) text = mutateText(text, rng, GO_MOD_TOKENS, texts, notes);
      const state = { refused: false };
      attempt(state, () => parseGoMod(text, "fuzz.mod"));
      const profile = attempt(state, () => parseProfile(text, "fuzz.mod"));
      if (!profile) return "rejected";
      confinedModules(profile);
      for (const module of [...profile.modules.keys(), "example.com/unlisted", "std", ""]) {
        const policy = policyOf(profile, module);
        check(policy === "confined" || policy === "unconfined", `policyOf(${module}) = ${policy}`);
      }
      const flag = mutateText("example.com/a=confined,example.com/b=unconfined", rng, [...GO_MOD_TOKENS, "=", ","], texts, notes);
      attempt(state, () => applyPolicyFlags(profile, [flag], () => {}));
      return state.refused ? "partial" : "ok";
    },
  };
}

const NAME_TOKENS = ["%", "%2e", "%2E", "%zz", "%ff", "%c3%28", "%e2%82", "[", "]", "/", ".", "..", "@v", "@", "@v1.0.0/", "!", "!a", "(*", ")", "{", "}", " ", "\t", "type:", "type..", "go:", "struct {", "interface {", "main.", "vendor/", "\u00e9", "\uD800", "\u0000", "func1", "std"];

/** Attribution of function names and source files to modules, on names taken from the seeds and damaged. */
function modulesTarget(seeds: BinarySeed[]): Target {
  const names = [...new Set(seeds.flatMap((s) => s.pclntab?.names.filter((_, i) => i % 7 === 0) ?? []))];
  const files = [...new Set(seeds.flatMap((s) => s.pclntab?.files ?? []))];
  const modules = [...new Set(seeds.flatMap((s) => [s.mainModule ?? "main", ...s.modulePaths]))];
  const damaged = (pool: string[], rng: Random, notes: string[]): string => {
    let s = rng.pick(pool);
    for (let n = rng.weighted([4, 2, 1]) + 1; n > 0; n--) s = mutateText(s, rng, NAME_TOKENS, pool, notes);
    return s;
  };
  return {
    name: "modules",
    run(rng, notes) {
      const main = rng.chance(0.2) ? damaged(modules, rng, notes) : rng.chance(0.1) ? undefined : rng.pick(modules);
      const paths = modules.map((m) => (rng.chance(0.1) ? damaged(modules, rng, notes) : m));
      const index = new ModuleIndex(main, paths);
      const replacements: [string, string][] = paths.slice(0, 3).map((p) => [p, rng.pick(["../local", "/abs/dir", "./x/../..", "", "..", damaged(files, rng, notes)])]);
      const fileIndex = new SourceFileIndex(index, { mainPackage: rng.chance(0.8) ? main : damaged(modules, rng, notes), mainFile: rng.pick(files), replacements });
      for (let i = 0; i < 8; i++) {
        const name = damaged(names, rng, notes);
        const ref = index.moduleOf(name);
        check(["main", "dependency", "std", "unknown"].includes(ref.kind) && typeof ref.path === "string", `moduleOf(${JSON.stringify(name)})`);
        index.packageOf(name);
        packageOfSymbol(name);
        unescapePath(name);
        const file = damaged(files, rng, notes);
        const fileRef = fileIndex.moduleOfFile(file);
        check(fileRef === undefined || typeof fileRef.path === "string", `moduleOfFile(${JSON.stringify(file)})`);
      }
      return "ok";
    },
  };
}

/** `gomodjail inspect` end to end: a damaged binary and go.mod written to disk, read back, reported. */
function inspectTarget(seeds: BinarySeed[], goMods: GoModSeed[]): Target {
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-fuzz-"));
  const small = seeds.filter((s) => s.original.length < 8 << 20);
  const texts = goMods.map((s) => s.text);
  let count = 0;
  return {
    name: "inspect",
    run(rng, notes) {
      const seed = rng.pick(small);
      const m = new MutableBytes(seed.original, seed.work);
      const prog = join(dir, `prog-${count}`);
      const goMod = join(dir, `go-${count++}.mod`);
      notes.push(seed.label);
      try {
        const mutate = rng.pick([mutateElf, mutateBuildInfo, mutatePclntab, mutatePclntab]);
        if (rng.chance(0.9)) mutateTimes(m, rng, seed, mutate);
        writeFileSync(prog, m.bytes);
      } finally {
        notes.push(...m.notes);
        m.restore();
      }
      let withGoMod: string | undefined;
      if (rng.chance(0.6)) {
        const goModSeed = rng.pick(goMods);
        let text = goModSeed.text;
        notes.push(`go.mod ${goModSeed.label}`);
        if (rng.chance(0.3)) text = mutateText(text, rng, GO_MOD_TOKENS, texts, notes);
        writeFileSync(goMod, text);
        withGoMod = goMod;
      }
      try {
        const report = inspectBinary(prog, withGoMod);
        formatReport(report);
        JSON.stringify(report);
        return "ok";
      } catch (e) {
        refuse(e);
        return "rejected";
      } finally {
        // The mapping keeps the file's pages until it is collected; the name can go now.
        unlinkSync(prog);
        if (withGoMod) unlinkSync(goMod);
      }
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TARGET_NAMES = ["gomod", "elf", "buildinfo", "pclntab", "modules", "inspect"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** The named targets over these seeds, in the order of TARGET_NAMES (which fixes input numbering). */
export function makeTargets(names: readonly TargetName[], binaries: BinarySeed[], goMods: GoModSeed[]): Target[] {
  const make: Record<TargetName, () => Target> = {
    gomod: () => goModTarget(goMods),
    elf: () => elfTarget(binaries),
    buildinfo: () => buildInfoTarget(binaries),
    pclntab: () => pclntabTarget(binaries),
    modules: () => modulesTarget(binaries),
    inspect: () => inspectTarget(binaries, goMods),
  };
  return TARGET_NAMES.filter((n) => names.includes(n)).map((n) => make[n]());
}
