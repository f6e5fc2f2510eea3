// Cost of the pclntab reader on the largest Go binary at hand (a toolchain's compiler or go
// command): opening it, and looking up pcs with inline expansion, cold and cached.
// Run: node_modules/.bin/bun bench/pclntab.ts
import { existsSync, statSync } from "node:fs";
import { ElfFile } from "../src/elf/elf.ts";
import { Pclntab } from "../src/gobin/pclntab.ts";
import { goToolchains } from "../test/helpers/gobuild.ts";

const candidates = goToolchains().flatMap((go) => [`/usr/lib/go-${go}/bin/go`, `/usr/lib/go-${go}/pkg/tool/linux_amd64/compile`]);
const binary = candidates.filter((p) => existsSync(p)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (!binary) throw new Error("no Go toolchain binary found under /usr/lib/go-*");
const megabytes = statSync(binary).size / 2 ** 20;

function time<T>(f: () => T): [T, number] {
  const start = Bun.nanoseconds();
  const result = f();
  return [result, (Bun.nanoseconds() - start) / 1e6];
}

Bun.gc(true);
const before = process.memoryUsage();
const [tab, firstOpenMs] = time(() => Pclntab.fromElf(ElfFile.open(binary)));
Bun.gc(true);
const after = process.memoryUsage();

const OPENS = 20;
const [, opensMs] = time(() => {
  for (let i = 0; i < OPENS; i++) Pclntab.fromElf(ElfFile.open(binary));
});

// Distinct pcs spread over all functions, at instruction-aligned offsets inside each.
const pcs: number[] = [];
for (let i = 0; pcs.length < 20000; i++) {
  const fn = Math.floor((i * tab.funcCount) / 20000);
  const entry = tab.funcEntry(fn);
  const size = Math.max(1, tab.funcEnd(fn) - entry);
  pcs.push(entry + ((Math.imul(i + 1, 0x9e3779b1) >>> 0) % size));
}

const [framesCold, coldMs] = time(() => pcs.reduce((n, pc) => n + tab.frames(pc).length, 0));
const ROUNDS = 20;
const [, warmMs] = time(() => {
  for (let r = 0; r < ROUNDS; r++) for (const pc of pcs) tab.frames(pc);
});
const [, findMs] = time(() => {
  for (let r = 0; r < ROUNDS; r++) for (const pc of pcs) tab.findFunc(pc);
});
const [, spMs] = time(() => {
  for (const pc of pcs) tab.spDelta(tab.findFunc(pc)!, pc);
});

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
console.log(`binary: ${binary} (${megabytes.toFixed(1)} MB, ${tab.funcCount} functions, table format ${tab.version})`);
console.log(`open (ELF + pclntab, first): ${firstOpenMs.toFixed(2)} ms = ${(firstOpenMs / megabytes).toFixed(3)} ms/MB`);
console.log(`open (ELF + pclntab, mean of ${OPENS}): ${(opensMs / OPENS).toFixed(2)} ms = ${(opensMs / OPENS / megabytes).toFixed(3)} ms/MB`);
console.log(
  `memory after the first open: RSS +${mb(after.rss - before.rss)} (${((after.rss - before.rss) / 2 ** 20 / megabytes).toFixed(3)} MB per MB of file), JS heap without the mapped file +${mb(after.heapUsed - after.arrayBuffers - (before.heapUsed - before.arrayBuffers))}`,
);
console.log(`frames(pc), cold (inline expansion, names, file:line): ${((coldMs * 1e3) / pcs.length).toFixed(2)} µs per lookup (${pcs.length} pcs, ${(framesCold / pcs.length).toFixed(2)} frames each)`);
console.log(`frames(pc), cached: ${((warmMs * 1e6) / (pcs.length * ROUNDS)).toFixed(0)} ns per lookup`);
console.log(`findFunc(pc) alone: ${((findMs * 1e6) / (pcs.length * ROUNDS)).toFixed(0)} ns per lookup`);
console.log(`findFunc + spDelta(pc): ${((spMs * 1e3) / pcs.length).toFixed(2)} µs per lookup`);
