// The two older table formats (magic 0xfffffffb for Go 1.2-1.15, 0xfffffffa for Go 1.16-1.17)
// on real binaries built by those releases. The installed toolchains are too new to write them,
// so the binaries are old releases of esbuild, a Go program whose npm packages ship its
// linux/amd64 executable; they are fetched once with npm into .cache/npm-go.
//
// Oracles: go tool addr2line (debug/gosym reads every format) for every function and 1000
// sampled pcs; go tool nm for the one unstripped binary; and the runtime itself for inline
// expansion: SIGQUIT makes a Go program print every goroutine's stack, with GOTRACEBACK=system
// including the pc of each physical frame after its inlined calls.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Pclntab, PclntabError } from "../../src/gobin/pclntab.ts";
import { repoRoot } from "../helpers/gobuild.ts";
import {
  compareWithAddr2line,
  expectedFunctions,
  nmTextSymbols,
  readPclntab,
  samplePCs,
  setDifference,
  tableFunctions,
} from "./pclntab-oracle.ts";

interface OldRelease {
  esbuild: string;
  go: string;
  format: Pclntab["version"];
  unstripped: boolean;
}

const releases: OldRelease[] = [
  { esbuild: "0.5.26", go: "go1.14.2", format: "1.2", unstripped: true },
  { esbuild: "0.7.22", go: "go1.15", format: "1.2", unstripped: false },
  { esbuild: "0.8.57", go: "go1.16", format: "1.16", unstripped: false },
  { esbuild: "0.12.29", go: "go1.17.1", format: "1.16", unstripped: false },
];

/** The esbuild executable of a release, fetched with npm on first use; undefined when npm cannot fetch it. */
function esbuildBinary(version: string): string | undefined {
  const dir = join(repoRoot, ".cache/npm-go", `esbuild-linux-64-${version}`);
  const binary = join(dir, "package/bin/esbuild");
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const pack = Bun.spawnSync(["npm", "pack", "--silent", `esbuild-linux-64@${version}`, "--pack-destination", dir], { stdout: "pipe", stderr: "pipe" });
  if (pack.exitCode !== 0) return undefined;
  const tarball = join(dir, pack.stdout.toString().trim());
  if (Bun.spawnSync(["tar", "-xzf", tarball, "-C", dir]).exitCode !== 0) return undefined;
  return existsSync(binary) ? binary : undefined;
}

interface PhysicalFrame {
  pc: number;
  /** Innermost first, as the runtime printed them. */
  frames: { func: string; position: string }[];
}

/** What each thread of a process waits on in the kernel. */
function threadWaitChannels(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/wchan`, "utf8"));
  } catch {
    return [];
  }
}

/** Every goroutine's physical frames from the stack dump of a program that got SIGQUIT. */
async function stackDump(binary: string): Promise<PhysicalFrame[]> {
  // esbuild without arguments reads its input from stdin: it waits there until it is signalled.
  const proc = Bun.spawn([binary], { stdin: "pipe", stdout: "ignore", stderr: "pipe", env: { GOTRACEBACK: "system" } });
  // The runtime must have installed its signal handlers: wait until a thread sleeps reading stdin.
  for (let i = 0; i < 1000; i++) {
    // Bun's stdin pipe is a socket pair: a thread sleeping on it waits in a stream read.
    if (threadWaitChannels(proc.pid).some((w) => /_read/.test(w))) break;
    await Bun.sleep(10);
  }
  proc.kill("SIGQUIT");
  const dump = await new Response(proc.stderr).text();
  await proc.exited;
  const physical: PhysicalFrame[] = [];
  let pending: { func: string; position: string }[] = [];
  const lines = dump.split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    const call = /^(\S.*)\((?:[^()]*)\)$/.exec(lines[i]);
    const where = /^\t(\S+:\d+)(?: \+0x[0-9a-f]+ fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=(0x[0-9a-f]+))?$/.exec(lines[i + 1]);
    if (!call || !where || lines[i].startsWith("created by ")) {
      pending = [];
      continue;
    }
    // The traceback prints runtime.gopanic as "panic".
    pending.push({ func: call[1] === "panic" ? "runtime.gopanic" : call[1], position: where[1] });
    if (where[2]) {
      physical.push({ pc: Number(where[2]), frames: pending });
      pending = [];
    }
    i++;
  }
  return physical;
}

describe("pclntab formats of Go 1.2-1.17", () => {
  for (const release of releases) {
    const binary = esbuildBinary(release.esbuild);
    const label = `esbuild ${release.esbuild} (${release.go}, table format ${release.format})`;
    if (!binary) {
      test.skip(`${label}: npm could not fetch it`, () => {});
      continue;
    }

    test(`${label}: every function entry and 1000 sampled pcs resolve as go tool addr2line says`, () => {
      const tab = readPclntab(binary);
      expect(tab.version).toBe(release.format);
      const pcs = [...[...tab.funcs()].map((f) => f.entry), ...samplePCs(tab, 1000)];
      const { ours, theirs } = compareWithAddr2line(binary, tab, pcs);
      expect(ours).toEqual(theirs);
      if (release.unstripped) {
        expect(setDifference(tableFunctions(tab), expectedFunctions(tab, nmTextSymbols(binary)))).toEqual({ onlyOurs: [], onlyTheirs: [] });
      }
    });

    test(`${label}: frames() of every physical frame in a SIGQUIT stack dump equal the runtime's, inlined calls included`, async () => {
      const tab = readPclntab(binary, { goVersion: release.go });
      const dump = await stackDump(binary);
      expect(dump.length).toBeGreaterThan(10);
      // Without the Go release, a 1.2-format table cannot say where its inline trees are: frames()
      // refuses pcs in inlined code instead of guessing, and still answers for the others.
      const blind = release.format === "1.2" ? readPclntab(binary) : tab;
      let inlined = 0;
      for (const { pc, frames } of dump) {
        const fn = tab.findFunc(pc)!;
        // Like the traceback, look up the call instruction, not the return address.
        const lookup = pc > tab.funcEntry(fn) ? pc - 1 : pc;
        const ours = tab.frames(lookup).map((f) => ({ func: f.func, position: `${f.file}:${f.line}` }));
        expect({ pc, frames: ours }).toEqual({ pc, frames });
        if (frames.length > 1 && blind !== tab) expect(() => blind.frames(lookup)).toThrow(PclntabError);
        else expect(blind.frames(lookup)).toEqual(tab.frames(lookup));
        inlined += frames.length - 1;
      }
      expect(inlined).toBeGreaterThan(0);
    });
  }
});
