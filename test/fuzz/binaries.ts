// Structure-aware mutations of Go binaries: ELF header tables, the build information header and
// strings, and the parts of pclntab (header, function table, function records, pc-value
// streams, inline trees, name and file tables, moduledata) found in the unmodified file.
import { PCLNTAB_MAGICS } from "../../src/gobin/pclntab/header.ts";
import { type Field, littleEndian, type MutableBytes, mutateField, mutateRegion } from "./mutate.ts";
import type { Random } from "./random.ts";
import type { BinarySeed, PclntabMap } from "./seeds.ts";

/** Zeroes e_shoff, e_shnum and e_shstrndx: an executable without section headers. */
function stripSectionHeaders(m: MutableBytes): void {
  m.write(40, littleEndian(0n, 8), "e_shoff := 0");
  m.write(60, [0, 0, 0, 0], "e_shnum, e_shstrndx := 0");
}

export function mutateElf(m: MutableBytes, rng: Random, seed: BinarySeed): void {
  const view = (at: number, size: number): number => Number(m.read(at, size));
  switch (rng.weighted([6, 5, 5, 2, 2, 2, 1, 1, 1, 1])) {
    case 0:
      mutateField(m, rng, rng.pick(seed.elfFields.slice(0, 12)), seed.related);
      return;
    case 1:
      mutateField(m, rng, rng.pick(seed.elfFields.filter((f) => f.name.startsWith("phdr"))), seed.related);
      return;
    case 2: {
      const fields = seed.elfFields.filter((f) => f.name.startsWith("shdr"));
      if (fields.length > 0) mutateField(m, rng, rng.pick(fields), seed.related);
      return;
    }
    case 3:
      mutateRegion(m, rng, seed.regions.header, seed.related);
      return;
    case 4:
      if (seed.regions.sectionNames) mutateRegion(m, rng, seed.regions.sectionNames);
      else if (seed.shdrs.length > 0) mutateRegion(m, rng, { name: "section headers", from: seed.shdrs[0], to: seed.shdrs.at(-1)! + 64 }, seed.related);
      return;
    case 5: {
      const phEnd = view(32, 8) + 56 * view(56, 2);
      const shEnd = view(40, 8) + 64 * view(60, 2);
      m.truncate(rng.pick([63, 64, phEnd - 1, phEnd, shEnd - 1, view(40, 8), m.length >>> 1, m.length - 1, rng.int(m.length)]));
      return;
    }
    case 6:
      stripSectionHeaders(m);
      return;
    case 7: {
      // One header entry copied over another.
      const [table, size] = rng.chance(0.5) || seed.shdrs.length === 0 ? [seed.phdrs, 56] : [seed.shdrs, 64];
      const from = rng.pick(table);
      const to = rng.pick(table);
      m.write(to, m.bytes.slice(from, from + size), `header entry at ${from} copied to ${to}`);
      return;
    }
    case 8:
      if (seed.shdrs.length > 0) mutateRegion(m, rng, { name: "section headers", from: seed.shdrs[0], to: seed.shdrs.at(-1)! + 64 }, seed.related);
      return;
    default: {
      // A new program header table at the end of the file: the original entries repeated many
      // times, some of them moved, so that scans over loadable segments multiply.
      const count = rng.pick([16, 64, 256, 1024, 4096]);
      const phoff = m.length;
      const table: number[] = [];
      for (let i = 0; i < count; i++) {
        const entry = Array.from(seed.original.subarray(seed.phdrs[i % seed.phdrs.length], seed.phdrs[i % seed.phdrs.length] + 56));
        if (rng.chance(0.3)) entry.splice(16, 8, ...littleEndian(m.read(seed.phdrs[i % seed.phdrs.length] + 16, 8) + BigInt(8 * rng.int(64)), 8));
        table.push(...entry);
      }
      m.resize(phoff, table.length, (i) => table[i]);
      m.write(32, littleEndian(BigInt(phoff), 8), `e_phoff := ${phoff}`);
      m.write(56, littleEndian(BigInt(count), 2), `e_phnum := ${count} (copies of the program headers)`);
      // Without section headers, the Go tables are found by scanning those segments.
      if (rng.chance(0.5)) stripSectionHeaders(m);
    }
  }
}

/** A uvarint of `value`, or an overlong one (`bytes` continuation bytes) when value is undefined. */
function uvarint(value: bigint | undefined, bytes = 11): number[] {
  if (value === undefined) return [...Array(bytes - 1).fill(0x80), 0x01];
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const MODINFO_TOKENS = ["\t", "\n", "=>\t", "dep\t", "mod\t", "path\t", "build\t", '"', "`", "\\", "=", '"\\x', '"\\u12', "\xff", "\n=>\ta\tb\tc\n", "\ndep\tx\n"];

export function mutateBuildInfo(m: MutableBytes, rng: Random, seed: BinarySeed): void {
  const region = seed.regions.buildinfo;
  if (!region) return mutateElf(m, rng, seed);
  const at = region.from;
  const related = [...seed.related, seed.buildinfoAddr ?? 0, (seed.buildinfoAddr ?? 0) + 32, seed.noptrdataAddr ?? 0];
  switch (rng.weighted([5, 4, 3, 3, 3, 1, 1])) {
    case 0:
      mutateRegion(m, rng, region, related);
      return;
    case 1: {
      const fields: Field[] = [
        { name: "buildinfo.ptrSize", at: at + 14, size: 1 },
        { name: "buildinfo.flags", at: at + 15, size: 1 },
        { name: "buildinfo.version pointer", at: at + 16, size: 8 },
        { name: "buildinfo.modinfo pointer", at: at + 24, size: 8 },
      ];
      mutateField(m, rng, rng.pick(fields), related);
      return;
    }
    case 2: {
      const value = rng.chance(0.2) ? undefined : rng.pick([0n, 1n, 15n, 16n, 33n, BigInt(m.length), 1n << 31n, 1n << 53n, (1n << 64n) - 1n]);
      const bytes = uvarint(value, rng.range(10, 12));
      // The first length, or the second one after the Go version string.
      const second = rng.chance(0.5) ? at + 32 + 1 + (m.bytes[at + 32] ?? 0) : at + 32;
      m.write(second, bytes, `buildinfo length varint at ${second - at} := ${value ?? "overlong"}`);
      return;
    }
    case 3: {
      // Rewrite into the pointer format of Go 1.13-1.17 (string headers in .noptrdata), with damage.
      const data = seed.regions.noptrdata;
      if (!data || seed.noptrdataAddr === undefined || seed.buildinfoAddr === undefined) return;
      const versionLength = m.bytes[at + 32] ?? 0;
      const versionAddr = seed.buildinfoAddr + 33;
      const modinfoLength = Number(m.read(at + 33 + versionLength, 1));
      const headers = [BigInt(versionAddr), BigInt(versionLength), BigInt(versionAddr + versionLength + 1), BigInt(modinfoLength)];
      if (rng.chance(0.7)) headers[rng.int(4)] = rng.pick([0n, 1n << 40n, BigInt(m.length), BigInt(seed.noptrdataAddr), 1n << 63n, -1n]);
      m.write(data.from, headers.flatMap((v) => littleEndian(v, 8)), `string headers in .noptrdata := ${headers.map((h) => `0x${BigInt.asUintN(64, h).toString(16)}`).join(", ")}`);
      m.write(at + 15, [0], "buildinfo.flags := 0 (pointer format)");
      m.write(at + 16, [...littleEndian(BigInt(seed.noptrdataAddr), 8), ...littleEndian(BigInt(seed.noptrdataAddr + 16), 8)], "buildinfo pointers := .noptrdata");
      return;
    }
    case 4: {
      const token = rng.pick(MODINFO_TOKENS);
      const pos = rng.range(at + 48, region.to - 1);
      m.write(pos, [...token].map((c) => c.charCodeAt(0) & 0xff), `modinfo text at ${pos - at} := ${JSON.stringify(token)}`);
      return;
    }
    case 5:
      stripSectionHeaders(m);
      return;
    default:
      m.write(at + rng.int(14), [rng.int(256)], "buildinfo magic byte changed");
  }
}

/** The table offsets of function `fn`'s record, from the unmodified file. */
function recordOffset(seed: BinarySeed, p: PclntabMap, fn: number): number {
  const h = p.header;
  const at = p.off + h.functab + (2 * fn + 1) * h.functabFieldSize;
  return h.funcBase + Number(readOriginal(seed, at, h.functabFieldSize));
}

function readOriginal(seed: BinarySeed, at: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(seed.original[at + i] ?? 0);
  return v;
}

export function mutatePclntab(m: MutableBytes, rng: Random, seed: BinarySeed): void {
  const p = seed.pclntab;
  if (!p) return mutateElf(m, rng, seed);
  const h = p.header;
  const L = p.layout;
  const base = p.off;
  const tableRelated = [p.length, h.functab, h.nfunc, h.funcnametab, h.filetab, h.pctab, h.cutab ?? 0, p.textEnd - p.entries[0]];
  const fn = rng.chance(0.1) ? rng.pick([0, h.nfunc - 1]) : rng.int(h.nfunc);
  const rec = base + recordOffset(seed, p, fn);
  switch (rng.weighted([4, 4, 6, 6, 3, 3, 2, 2, 1, 1])) {
    case 0: {
      const words = h.version === "1.2" ? 1 : 8;
      const fields: Field[] = [
        { name: "pclntab.magic", at: base, size: 4 },
        { name: "pclntab.pad", at: base + 4 + rng.int(2), size: 1 },
        { name: "pclntab.quantum", at: base + 6, size: 1 },
        { name: "pclntab.ptrSize", at: base + 7, size: 1 },
        ...Array.from({ length: words }, (_, i) => ({ name: `pclntab.header word ${i}`, at: base + 8 + 8 * i, size: 8 as const })),
      ];
      const f = rng.pick(fields);
      if (f.name === "pclntab.magic" && rng.chance(0.5)) m.setField(f, BigInt(rng.pick(PCLNTAB_MAGICS)));
      else mutateField(m, rng, f, tableRelated);
      return;
    }
    case 1: {
      const i = rng.chance(0.2) ? rng.pick([0, 1, 2 * h.nfunc - 1, 2 * h.nfunc]) : rng.int(2 * h.nfunc + 1);
      const size = h.functabFieldSize as 4 | 8;
      const at = base + h.functab + i * size;
      const neighbours = [i - 2, i + 2].filter((j) => j >= 0 && j <= 2 * h.nfunc).map((j) => Number(readOriginal(seed, base + h.functab + j * size, size)));
      mutateField(m, rng, { name: `functab[${i}]`, at, size }, [...tableRelated, ...neighbours]);
      return;
    }
    case 2: {
      const npcdata = Number(readOriginal(seed, rec + L.npcdata, 4));
      const fields: Field[] = [
        { name: "entry", at: rec, size: h.functabFieldSize === 4 ? 4 : 8 },
        { name: "nameOff", at: rec + L.nameOff, size: 4 },
        { name: "pcsp", at: rec + L.pcsp, size: 4 },
        { name: "pcfile", at: rec + L.pcfile, size: 4 },
        { name: "pcln", at: rec + L.pcln, size: 4 },
        { name: "npcdata", at: rec + L.npcdata, size: 4 },
        { name: "nfuncdata", at: rec + L.nfuncdata, size: 1 },
        ...(L.cuOffset === undefined ? [] : [{ name: "cuOffset", at: rec + L.cuOffset, size: 4 as const }]),
        ...(L.funcID === undefined ? [] : [{ name: "funcID", at: rec + L.funcID, size: 1 as const }]),
        ...(L.flag === undefined ? [] : [{ name: "flag", at: rec + L.flag, size: 1 as const }]),
        ...Array.from({ length: npcdata + 1 }, (_, k) => ({ name: `pcdata[${k}]`, at: rec + L.pcdata + 4 * k, size: 4 as const })),
        ...Array.from({ length: 5 }, (_, k) => ({ name: `funcdata[${k}]`, at: rec + L.pcdata + 4 * npcdata + 4 * k, size: 4 as const })),
      ];
      const f = rng.pick(fields);
      mutateField(m, rng, { ...f, name: `func ${fn} (${p.names[fn]}) ${f.name}` }, tableRelated);
      m.focus.push(fn);
      return;
    }
    case 3: {
      const npcdata = Number(readOriginal(seed, rec + L.npcdata, 4));
      const streams = [L.pcsp, L.pcfile, L.pcln, ...Array.from({ length: npcdata }, (_, k) => L.pcdata + 4 * k)];
      const field = rng.pick(streams);
      const off = Number(readOriginal(seed, rec + field, 4));
      if (off === 0) return;
      const start = base + h.pctab + off;
      const name = `func ${fn} pc-value stream (record field ${field})`;
      m.focus.push(fn);
      if (rng.chance(0.3)) {
        const run = rng.pick([[0x80, 0x80, 0x80, 0x80, 0x80, 0x80], [0xff, 0xff, 0xff, 0xff, 0x0f], [0x00], [0x01, 0x00], [0xfe, 0xff, 0xff, 0xff, 0x0f, 0x01]]);
        const at = start + rng.int(12);
        m.write(at, run, `${name} + ${at - start} := ${run.map((b) => b.toString(16)).join(" ")}`);
      } else {
        mutateRegion(m, rng, { name, from: start, to: start + 24 });
      }
      return;
    }
    case 4: {
      if (p.inlineTrees.length === 0) return mutateRegion(m, rng, { name: "pclntab", from: base, to: base + p.length });
      const { fn: owner, off: tree } = rng.pick(p.inlineTrees);
      m.focus.push(owner);
      const size = p.inlinedCallSize;
      const entry = tree + size * rng.int(6);
      const fields: Field[] =
        size === 16
          ? [
              { name: "inlinedCall.funcID", at: entry, size: 1 },
              { name: "inlinedCall.nameOff", at: entry + 4, size: 4 },
              { name: "inlinedCall.parentPc", at: entry + 8, size: 4 },
            ]
          : [
              { name: "inlinedCall.parent", at: entry, size: 2 },
              { name: "inlinedCall.funcID", at: entry + 2, size: 1 },
              { name: "inlinedCall.nameOff", at: entry + 12, size: 4 },
              { name: "inlinedCall.parentPc", at: entry + 16, size: 4 },
            ];
      if (rng.chance(0.3)) mutateRegion(m, rng, { name: "inline tree", from: tree, to: tree + 6 * size });
      else mutateField(m, rng, rng.pick(fields), [0, -1, -size, p.textEnd - p.entries[0]]);
      return;
    }
    case 5: {
      const tables =
        h.cutab === undefined
          ? [{ name: "file table", from: base + h.filetab, to: base + h.filetab + 4 * h.nfiles + 64 }]
          : [
              { name: "function names", from: base + h.funcnametab, to: base + h.cutab },
              { name: "compilation units", from: base + h.cutab, to: base + h.filetab },
              { name: "file names", from: base + h.filetab, to: base + h.pctab },
            ];
      const region = rng.pick(tables);
      if (rng.chance(0.4)) {
        // Unterminated or invalid UTF-8 names: a NUL overwritten.
        const from = rng.range(region.from, Math.max(region.from, region.to - 1));
        const nul = m.bytes.indexOf(0, from);
        if (nul >= 0 && nul < region.to) m.write(nul, [rng.pick([0x41, 0xff, 0xc3])], `${region.name}: NUL at ${nul - base} overwritten`);
        m.focus.push(fn);
      } else {
        mutateRegion(m, rng, region, tableRelated);
      }
      return;
    }
    case 6: {
      if (p.moduledataOff === undefined) return mutateRegion(m, rng, { name: "pclntab", from: base, to: base + p.length });
      const i = rng.int(44);
      mutateField(m, rng, { name: `moduledata word ${i}`, at: p.moduledataOff + 8 * i, size: 8 }, seed.related);
      return;
    }
    case 7:
      stripSectionHeaders(m);
      return;
    case 8: {
      // Copies of the header before the table, their offsets moved so that each one describes the
      // real table: every copy passes the header checks, and a scan must examine each.
      if (h.version === "1.2") return;
      const first = h.version === "1.16" ? 2 : 3;
      const size = 8 + 8 * (first + 5);
      const count = rng.pick([8, 64, 512, 2048]);
      let made = 0;
      for (let i = 1; i <= count && base - i * (size + 8) >= 0; i++, made++) {
        const at = base - i * (size + 8);
        const header = Array.from(seed.original.subarray(base, base + size));
        for (let w = first; w < first + 5; w++) {
          header.splice(8 + 8 * w, 8, ...littleEndian(readOriginal(seed, base + 8 + 8 * w, 8) + BigInt(base - at), 8));
        }
        m.write(at, header, "");
      }
      m.notes.splice(m.notes.length - made, made, `${made} copies of the pclntab header before the table`);
      if (rng.chance(0.8)) stripSectionHeaders(m);
      return;
    }
    default:
      mutateRegion(m, rng, { name: "pclntab", from: base, to: base + p.length }, tableRelated);
  }
}
