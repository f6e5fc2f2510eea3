// Which module each piece of a binary's C code belongs to. Only an externally linked binary (cgo:
// the C toolchain writes the entry point, so it is no Go function) holds C code; the C units of
// its DWARF name their files (see src/gobin/dwarf/c-units.ts), and a unit belongs to the module
// that holds its own file, else the first of its line program's files that a module holds (cgo's
// generated .c files name the package's .go files through #line). Units of no module (libc's
// startup files, runtime/cgo, the standard library's cgo) are the toolchain's.
import type { ElfFile } from "../elf/elf.ts";
import type { AddressRange } from "../gobin/dwarf/c-units.ts";
import { DwarfError } from "../gobin/dwarf/cursor.ts";
import type { ModuleRef } from "../gobin/modules.ts";
import type { Pclntab } from "../gobin/pclntab.ts";
import { initArrayFunctions } from "../elf/init-array.ts";
import type { Attribution } from "../gobin/modules.ts";

export interface CFunction {
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
  | { kind: "attributed"; byModule: Map<ModuleRef, CFunction[]> }
  /** There is C code, but nothing says whose (no DWARF: built with -ldflags=-w, or stripped). */
  | { kind: "unattributable"; reason: string };

export function attributeCCode(elf: ElfFile, pclntab: Pclntab, attribution: Attribution): CCode {
  if (pclntab.findFunc(elf.entry) !== undefined) return { kind: "none" };
  let units;
  try {
    // Loaded only here: the tracer needs it only for calls from C code.
    units = (require("../gobin/dwarf/c-units.ts") as typeof import("../gobin/dwarf/c-units.ts")).readForeignUnits(elf);
  } catch (e) {
    if (e instanceof DwarfError) return { kind: "unattributable", reason: `its DWARF is unreadable (${e.reason})` };
    throw e;
  }
  if (units === undefined) return { kind: "unattributable", reason: "it has no DWARF (built with -ldflags=-w or stripped)" };
  const constructors = new Set(initArrayFunctions(elf));
  const byModule = new Map<ModuleRef, CFunction[]>();
  for (const unit of units) {
    const module = [unit.name, ...unit.files].map((f) => moduleOfSourceFile(f, attribution)).find((m) => m !== undefined);
    if (!module) continue;
    const list = byModule.get(module) ?? [];
    // A unit without functions (assembler) still has code.
    const functions = unit.functions.length > 0 ? unit.functions : [{ name: unit.name.slice(unit.name.lastIndexOf("/") + 1), ranges: unit.ranges }];
    for (const f of functions) {
      // cgo's wrappers around a package's C functions: the Go side's _Cfunc_ stubs stand for them.
      if (f.ranges.length === 0 || f.name.startsWith("_cgo_")) continue;
      const declared = "declFile" in f && f.declFile !== undefined;
      const file = declared ? f.declFile! : unit.name;
      const line = declared ? (f.declLine ?? 0) : 0;
      list.push({ name: f.name, ranges: f.ranges, file, line, isConstructor: f.ranges.some(([lo, hi]) => [...constructors].some((a) => a >= lo && a < hi)) });
    }
    byModule.set(module, list);
  }
  return { kind: "attributed", byModule };
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

/** The module whose C code holds `pc` (a link-time address), if any. */
export function cModuleAt(code: CCode, pc: number): ModuleRef | undefined {
  if (code.kind !== "attributed") return undefined;
  for (const [module, functions] of code.byModule) {
    for (const f of functions) if (f.ranges.some(([lo, hi]) => pc >= lo && pc < hi)) return module;
  }
  return undefined;
}
