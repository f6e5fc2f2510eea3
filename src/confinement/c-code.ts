// Which module each piece of a binary's C code belongs to. Only an externally linked binary (cgo:
// the C toolchain writes the entry point, so it is no Go function) holds C code of its own.
//
// Three sources, from the surest to the finest:
// - The function table, which every Go binary keeps, stripped or not: cgo writes Go-side
//   functions for each package that calls C or is called from it (`PKG._Cfunc_F`,
//   `PKG._C2func_F`, `PKG._cgoexp_…`), so a package with such a function has C code. The table
//   proves that a package has C code, never that it has none: a cgo preamble with only a
//   constructor, or a .syso object, leaves no Go-side function.
// - .init_array: constructors run before any Go code. The C runtime's own (crtbegin's
//   frame_dummy) lie between the entry point and the first Go function, where the linker puts
//   crt1, crti and crtbegin; any other is C code of a package, and where DWARF does not name its
//   package it is C code of unknown owner, which the confinement model judges like any code of
//   unknown owner.
// - DWARF, where the binary has it: the C units name their files (src/gobin/dwarf/c-units.ts); a
//   unit belongs to the module that holds its own file, else the first of its line program's
//   files that a module holds (cgo's generated .c files name the package's .go files through
//   #line). Units of no module (libc's start-up files, runtime/cgo, the standard library's cgo)
//   are the toolchain's. It refines the above with each module's C functions and their ranges.
import type { ElfFile } from "../elf/elf.ts";
import { initArrayFunctions } from "../elf/init-array.ts";
import type { AddressRange, ForeignUnit } from "../gobin/dwarf/c-units.ts";
import { DwarfError } from "../gobin/dwarf/cursor.ts";
import { hasDebugSection } from "../gobin/dwarf/sections.ts";
import type { Attribution, ModuleRef } from "../gobin/modules.ts";
import type { Pclntab } from "../gobin/pclntab.ts";

interface CFunction {
  name: string;
  ranges: readonly AddressRange[];
  /** The file it is declared in (a cgo preamble's .go file, or the .c file), when known. */
  file: string;
  /** Its line in `file`; 0 when unknown. */
  line: number;
  /** Listed in .init_array: runs before main, and so before any Go code. */
  isConstructor: boolean;
}

export type CCode =
  /** Internally linked: no C code but the runtime's own. */
  | { kind: "none" }
  | {
      kind: "present";
      /** Every module known to have C code; its functions where DWARF names them ([] where it does not). */
      byModule: Map<ModuleRef, CFunction[]>;
      /** C code that no module can be named for, one line each (a constructor DWARF does not place). */
      unknownOwner: string[];
      /** Why the C functions are not known one by one (no DWARF, or DWARF unreadable), when they are not. */
      functionsUnknown: string | undefined;
    };

/** cgo's Go-side functions: calls into C, and Go functions exported to C. */
const CGO_GO_SIDE = /\._(Cfunc|C2func|cgoexp)_/;
const CGO_MARKERS = ["._Cfunc_", "._C2func_", "._cgoexp_"];

export function readCCode(elf: ElfFile, pclntab: Pclntab, attribution: Attribution): CCode {
  if (pclntab.findFunc(elf.entry) !== undefined) return { kind: "none" };
  const byModule = new Map<ModuleRef, CFunction[]>();
  const functionsOf = (module: ModuleRef) => {
    let list = byModule.get(module);
    if (!list) byModule.set(module, (list = []));
    return list;
  };
  // The name table searched for cgo's markers, not every name decoded: this runs at a stop.
  for (const marker of CGO_MARKERS) {
    for (const name of pclntab.namesContaining(marker)) {
      if (!CGO_GO_SIDE.test(name)) continue;
      const module = attribution.modules.moduleOf(name);
      if (module.kind !== "std") functionsOf(module);
    }
  }

  let units: ForeignUnit[] | undefined;
  let functionsUnknown: string | undefined;
  try {
    // Loaded only here: the tracer needs it only for calls from C code.
    units = (require("../gobin/dwarf/c-units.ts") as typeof import("../gobin/dwarf/c-units.ts")).readForeignUnits(elf);
    if (units === undefined) functionsUnknown = "it has no DWARF (built with -ldflags=-w or stripped)";
  } catch (e) {
    if (!(e instanceof DwarfError)) throw e;
    functionsUnknown = `its DWARF is unreadable (${e.reason})`;
  }

  // Between the entry point and the first Go function: crt1, crti and crtbegin, which the C
  // compiler's driver links right before the Go linker's object (frame_dummy is theirs).
  // Constructors of C code elsewhere (.text.startup, or after the Go code) are packages'.
  const constructors = initArrayFunctions(elf).filter((addr) => !(addr >= elf.entry && addr < pclntab.codeStart));
  const placed = new Set<number>();
  const covers = (ranges: readonly AddressRange[], addr: number) => ranges.some(([lo, hi]) => addr >= lo && addr < hi);
  for (const unit of units ?? []) {
    const module = [unit.name, ...unit.files].map((f) => moduleOfSourceFile(f, attribution)).find((m) => m !== undefined);
    // A unit of no module is the toolchain's: its constructors are placed too.
    for (const addr of constructors) if (covers(unit.ranges, addr)) placed.add(addr);
    if (!module) continue;
    const list = functionsOf(module);
    // A unit without functions (assembler) still has code.
    const functions = unit.functions.length > 0 ? unit.functions : [{ name: unit.name.slice(unit.name.lastIndexOf("/") + 1), ranges: unit.ranges }];
    for (const f of functions) {
      // cgo's wrappers around a package's C functions: the Go side's _Cfunc_ stubs stand for them.
      if (f.ranges.length === 0 || f.name.startsWith("_cgo_")) continue;
      const declared = "declFile" in f && f.declFile !== undefined;
      const file = declared ? f.declFile! : unit.name;
      const line = declared ? (f.declLine ?? 0) : 0;
      const isConstructor = constructors.some((addr) => covers(f.ranges, addr));
      for (const addr of constructors) if (covers(f.ranges, addr)) placed.add(addr);
      list.push({ name: f.name, ranges: f.ranges, file, line, isConstructor });
    }
  }
  const why = functionsUnknown ?? "no DWARF unit covers it";
  const unknownOwner = constructors.filter((addr) => !placed.has(addr)).map((addr) => `a C constructor at 0x${addr.toString(16)} (${why})`);
  return { kind: "present", byModule, unknownOwner, functionsUnknown };
}

/** The module (main or dependency) whose directory holds a C unit's file; undefined for the toolchain's and the system's. */
function moduleOfSourceFile(file: string, attribution: Attribution): ModuleRef | undefined {
  const ref = attribution.files.moduleOfFile(file);
  if (ref) return ref;
  // -trimpath writes a module's files as its path, without the version of a replacement.
  if (file.startsWith("/")) return undefined;
  const byPath = attribution.modules.moduleOfPackage(file.slice(0, file.lastIndexOf("/")));
  return byPath.kind === "dependency" || byPath.kind === "main" ? byPath : undefined;
}

/**
 * Whether cModuleAt can ever name a module in `elf`: only DWARF's C units place C functions one
 * by one. Told from the section headers alone, where readCCode would search the function names
 * (a scan of a large binary's name table, its first touch of those pages: 2.5 ms on caddy).
 */
export function placesCFunctions(elf: ElfFile): boolean {
  return hasDebugSection(elf, "info");
}

/** The module whose C code holds `pc` (a link-time address), where DWARF says. */
export function cModuleAt(code: CCode, pc: number): ModuleRef | undefined {
  if (code.kind !== "present") return undefined;
  for (const [module, functions] of code.byModule) {
    for (const f of functions) if (f.ranges.some(([lo, hi]) => pc >= lo && pc < hi)) return module;
  }
  return undefined;
}
