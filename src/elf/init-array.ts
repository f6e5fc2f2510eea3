// The functions that run before an executable's `main`: the entries of .init_array (C
// constructors, `__attribute__((constructor))`, called by its startup code) and of
// .preinit_array (called by the dynamic loader, before the startup code), which in a
// position-independent file the dynamic linker fills from RELATIVE relocations, so their addends
// are the addresses.
import { arches } from "../arch/arches.ts";
import type { ElfFile } from "./elf.ts";

const RELA_SIZE = 24;

/** Link-time addresses of the .preinit_array then .init_array functions, in the order they run. */
export function initArrayFunctions(elf: ElfFile): number[] {
  return [...arrayFunctions(elf, ".preinit_array"), ...arrayFunctions(elf, ".init_array")];
}

/** Link-time addresses of the functions in one of the arrays; [] without it. */
function arrayFunctions(elf: ElfFile, name: string): number[] {
  const section = elf.section(name);
  if (!section || section.type === "nobits") return [];
  const data = elf.sectionData(section);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const addends = relativeAddends(elf, arches[elf.machine].relativeRelocation);
  const out: number[] = [];
  for (let off = 0; off + 8 <= data.length; off += 8) {
    const slot = section.addr + off;
    const value = view.getUint32(off, true) + view.getUint32(off + 4, true) * 2 ** 32;
    const target = addends.get(slot) ?? value;
    // 0 and -1 are the markers some linkers leave at the ends.
    if (target !== 0 && target !== 2 ** 64 - 1) out.push(target);
  }
  return out;
}

/** Slot address -> addend of every RELATIVE relocation in .rela.dyn. */
function relativeAddends(elf: ElfFile, relative: number): Map<number, number> {
  const out = new Map<number, number>();
  const rela = elf.section(".rela.dyn");
  if (!rela || rela.type === "nobits") return out;
  const data = elf.sectionData(rela);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let off = 0; off + RELA_SIZE <= data.length; off += RELA_SIZE) {
    if (view.getUint32(off + 8, true) !== relative) continue;
    const slot = view.getUint32(off, true) + view.getUint32(off + 4, true) * 2 ** 32;
    out.set(slot, view.getUint32(off + 16, true) + view.getInt32(off + 20, true) * 2 ** 32);
  }
  return out;
}
