// What `run` says about the confined modules' verdicts: each confined module whose code reaches a
// denied class its allow= lacks (analyze's FAIL), with the first such class and its path. It
// takes seconds on a large binary, so a plain run reads it from the binary cache
// (src/cache/binary-cache.ts), where a low-priority process of its own puts it; it only ever
// makes a warning, so a cached answer is good enough. --strict computes it before the program
// starts and refuses on it.
import type { CapabilityClass } from "../confinement/classes.ts";
import { Confinement } from "../confinement/model.ts";
import { binaryCacheDir, entryFile, type FileIdentity, readEntry, writeEntry } from "../cache/binary-cache.ts";
import type { GoBinary } from "../gobin/binary.ts";
import { confinedModules, type Profile, profileData } from "../policy/profile.ts";
import { CallGraph } from "./call-graph.ts";
import { capabilityFindings, CapabilityWalker } from "./capabilities.ts";

export interface DeniedReach {
  module: string;
  class: CapabilityClass;
  /** The witness path, outermost first. */
  path: string[];
}

const ENTRY_KIND = "denied-reaches";

/** The confined modules of `binary` whose verdict under `profile` is FAIL, each with its first denied class. */
export function deniedReaches(binary: GoBinary, profile: Profile): DeniedReach[] {
  const confinement = Confinement.of(binary, profile);
  const walker = new CapabilityWalker(new CallGraph(binary), binary.pclntab, confinement);
  const denied: DeniedReach[] = [];
  for (const module of confinedModules(profile)) {
    if (!walker.uses(module)) continue;
    const fail = capabilityFindings(walker.reach(module), [], confinement.allowedClasses(module)).find((f) => f.verdict === "FAIL");
    if (fail) denied.push({ module, class: fail.class, path: fail.path });
  }
  return denied;
}

/** "MODULE reaches CLASS: F -> ... -> G". */
export function describeDenied(d: DeniedReach): string {
  return `${d.module} reaches ${d.class}: ${d.path.join(" -> ")}`;
}

function isDeniedReaches(data: unknown): data is DeniedReach[] {
  return (
    Array.isArray(data) &&
    data.every(
      (d) =>
        typeof d === "object" &&
        d !== null &&
        typeof d.module === "string" &&
        typeof d.class === "string" &&
        Array.isArray(d.path) &&
        d.path.every((f: unknown) => typeof f === "string"),
    )
  );
}

/** Where the answer for this binary and policy is kept. */
export function deniedReachesEntry(identity: FileIdentity, profile: Profile, env: Record<string, string | undefined>): string {
  return entryFile(binaryCacheDir(env), identity, JSON.stringify(profileData(profile)), ENTRY_KIND);
}

export function readDeniedReaches(file: string, identity: FileIdentity): DeniedReach[] | undefined {
  return readEntry(file, identity, isDeniedReaches);
}

export function writeDeniedReaches(file: string, identity: FileIdentity, denied: DeniedReach[]): void {
  writeEntry(file, identity, denied);
}
