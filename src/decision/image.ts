// The binary a traced process runs, as the decision engine reads it (docs/design.md #7, #8): a Go
// binary of the policy's main module is policed (its function table, module attribution and
// runtime layout, its confinement model), anything else is exempt, and a policed program whose
// table cannot be read is unreadable (everything it does is blocked).
import { readlinkSync } from "node:fs";
import { Confinement } from "../confinement/model.ts";
import { ElfError, ElfFile } from "../elf/elf.ts";
import { BuildInfoError, readBuildInfo, type BuildInfo } from "../gobin/buildinfo.ts";
import { isNewerGo, NewerGoError } from "../gobin/go-release.ts";
import { Pclntab, PclntabError } from "../gobin/pclntab.ts";
import { runtimeLayout, RuntimeLayoutError, type RuntimeLayout } from "../gobin/runtime-layout.ts";
import type { Profile } from "../policy/profile.ts";

/** A Go binary of the profile's main module: its syscalls are judged. */
export interface PolicedImage {
  kind: "policed";
  path: string;
  elf: ElfFile;
  pclntab: Pclntab;
  /** Whose each piece of its code is, and whether it is confined, under the run's policy. */
  confinement: Confinement;
  /** Where the runtime keeps goroutine state, or why that is unknown. */
  runtimeLayout: RuntimeLayout | RuntimeLayoutError;
  /** The Go release that built it ("go1.27.4"), from its build information, where it has one. */
  goVersion: string | undefined;
}

export type Image =
  | PolicedImage
  /** The profile's program, but its function table is unusable: nothing can be attributed. */
  | { kind: "unreadable"; path: string; reason: string }
  /** Anything else (not Go, another main module): its syscalls are allowed without a look. */
  | { kind: "exempt"; path: string; reason: string };

export interface ProcessImage {
  image: Image;
  /** Runtime address minus link-time address. */
  bias: number;
  /**
   * Whether Go code has made a syscall in this process yet. Before that only the dynamic loader
   * runs (in PIE and cgo binaries), and no module's code can be on any stack.
   */
  goStarted: boolean;
}

/** Reads the binary at `exe` (a path, or /proc/PID/exe) and tells how its syscalls are judged. */
export function openImage(exe: string, profile: Profile, warn: (msg: string, fields: Record<string, unknown>) => void): Image {
  const path = readLinkOr(exe);
  let elf: ElfFile;
  try {
    elf = ElfFile.open(exe);
  } catch (e) {
    if (e instanceof ElfError) return { kind: "exempt", path, reason: e.reason };
    throw e;
  }
  let info: BuildInfo | undefined;
  try {
    info = readBuildInfo(elf);
  } catch (e) {
    // Damaged build information: the binary may still be the profile's program.
    if (!(e instanceof BuildInfoError)) throw e;
  }
  const main = info?.main?.path;
  const want = profile.mainModule;
  if (main && want && main !== want) {
    return { kind: "exempt", path, reason: `main module ${main} is not the policy's ${want}` };
  }
  // A release newer than known may lay out its tables differently: never read it by guesswork.
  if (isNewerGo(info?.goVersion)) return { kind: "unreadable", path, reason: new NewerGoError(path, info!.goVersion).message };
  let pclntab: Pclntab;
  try {
    pclntab = Pclntab.fromElf(elf, { goVersion: info?.goVersion });
  } catch (e) {
    if (!(e instanceof PclntabError)) throw e;
    // A Go binary of the policy's program whose table we cannot read must not run free.
    if (main) return { kind: "unreadable", path, reason: e.message };
    return { kind: "exempt", path, reason: `not a Go binary (${e.message})` };
  }
  return policedImage(path, elf, info, pclntab, profile, warn);
}

/** The image of a Go binary of the policy's program, from its parsed parts. */
export function policedImage(path: string, elf: ElfFile, info: BuildInfo | undefined, pclntab: Pclntab, profile: Profile, warn: (msg: string, fields: Record<string, unknown>) => void): PolicedImage {
  if (!info?.main?.path) warn("binary has no module information; applying the policy's module list", { exe: path });
  let layout: RuntimeLayout | RuntimeLayoutError;
  try {
    layout = runtimeLayout(elf, info?.goVersion, { preferTable: true });
  } catch (e) {
    if (!(e instanceof RuntimeLayoutError)) throw e;
    layout = e;
  }
  const confinement = Confinement.of({ elf, pclntab, buildInfo: info }, profile);
  return { kind: "policed", path, elf, pclntab, confinement, runtimeLayout: layout, goVersion: info?.goVersion };
}

function readLinkOr(exe: string): string {
  try {
    return readlinkSync(exe);
  } catch {
    return exe;
  }
}
