// The gomodjail single-file binary a packed executable starts with. A compiled gomodjail packs
// itself; run from sources (bun x, a checkout) it builds one with the running Bun, the way `make`
// does; `--base FILE` names one explicitly (e.g. _output/bin/gomodjail, or one for a release).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log-format.ts";
import { ElfError, ElfFile, type ElfMachine } from "../elf/elf.ts";
import { START_UP_JIT_POLICY } from "../jit-policy.ts";
import { CHILD_ENV, compiled } from "../launch/stage.ts";
import { PackError } from "./errors.ts";
import { readPackedLayout } from "./format.ts";

interface BaseBinary {
  path: string;
  size: number;
  /** Removes what was built for this pack only. */
  dispose(): void;
}

/** Finds (or builds) the base binary for a program of architecture `machine`. */
export function baseBinary(explicit: string | undefined, machine: ElfMachine, logger: Logger): BaseBinary {
  if (explicit !== undefined) {
    checkBase(explicit, machine, true);
    return { path: explicit, size: statSync(explicit).size, dispose: () => {} };
  }
  if (compiled) {
    // The open file, not process.execPath, which may have been replaced since we started.
    checkBase("/proc/self/exe", machine, false);
    return { path: "/proc/self/exe", size: statSync("/proc/self/exe").size, dispose: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-base-"));
  try {
    const path = join(dir, "gomodjail");
    buildBase(path, logger);
    checkBase(path, machine, false);
    return { path, size: statSync(path).size, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** `bun build`'s flags for the single-file binary, as the Makefile gives them (bench/shape-floor.ts builds alike). */
export const COMPILE_FLAGS = ["--compile", "--bytecode", "--minify", "--format=esm", "--splitting", `--compile-jit-policy=${START_UP_JIT_POLICY}`, "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig"];

/** `bun build --compile` of these sources, as the Makefile does, with the Bun running us. */
function buildBase(out: string, logger: Logger): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  logger.info({ bun: process.execPath }, "building the gomodjail single-file binary to pack (pass --base FILE to use one already built)");
  const res = Bun.spawnSync([process.execPath, "build", ...COMPILE_FLAGS, "src/main.ts", "src/session/worker.ts", "--outfile", out], {
    cwd: root,
    env: withoutChildRequest(process.env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  if (res.exitCode !== 0) {
    const why = res.stderr.toString().trim().split("\n").at(-1) ?? `exit status ${res.exitCode}`;
    throw new PackError(`building the gomodjail binary with ${process.execPath} failed: ${why}; pass --base FILE (e.g. the output of make)`);
  }
}

/**
 * A base must be a gomodjail single-file binary for the program's architecture that knows how
 * to run packed programs, and not be packed itself. `ask`: run it to see that it has the pack
 * command (a file given by the user could be any Bun binary, or an older gomodjail).
 */
function checkBase(path: string, machine: ElfMachine, ask: boolean): void {
  const name = path === "/proc/self/exe" ? "this gomodjail" : `--base ${path}`;
  if (readPackedLayout(path) !== null) throw new PackError(`${name} is a packed program, not the gomodjail binary`);
  let elf: ElfFile;
  try {
    elf = ElfFile.open(path);
  } catch (e) {
    throw new PackError(`${name}: not a gomodjail binary (${e instanceof ElfError ? e.reason : (e as Error).message})`);
  }
  if (elf.machine !== machine) throw new PackError(`${name} is for ${elf.machine}, but the program is for ${machine}`);
  if (!elf.section(".bun")) throw new PackError(`${name}: not a gomodjail binary (no compiled Bun modules in it)`);
  if (!ask) return;
  const res = Bun.spawnSync([path, "pack", "--help"], { env: withoutChildRequest(process.env), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (res.exitCode !== 0 || !res.stdout.toString().startsWith("Usage: gomodjail pack ")) {
    const said = `${res.stdout}${res.stderr}`.trim().split("\n")[0] ?? "";
    throw new PackError(`${name}: not a gomodjail binary that can pack (\`pack --help\` said ${JSON.stringify(said)})`);
  }
}

function withoutChildRequest(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const copy: Record<string, string | undefined> = { ...env };
  delete copy[CHILD_ENV];
  return copy;
}
