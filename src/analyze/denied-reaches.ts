// What `run` says about the confined modules' verdicts: each confined module whose code reaches a
// denied class its allow= lacks (analyze's FAIL), with the first such class and its path. It
// takes seconds on a large binary, so a plain run reads it from the binary cache
// (src/session/run-warnings.ts), where a low-priority process of its own puts it; --strict
// computes it before the program starts and refuses on it.
import type { CapabilityClass } from "../policy/classes.ts";
import { Confinement } from "../confinement/model.ts";
import type { GoBinary } from "../gobin/binary.ts";
import { confinedModules, type Profile } from "../policy/profile.ts";
import { CallGraph } from "./call-graph.ts";
import { capabilityFindings, CapabilityWalker } from "./capabilities.ts";

export interface DeniedReach {
  module: string;
  class: CapabilityClass;
  /** The witness path, outermost first. */
  path: string[];
}

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
