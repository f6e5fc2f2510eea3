// Recorded seccomp stops (test/fixtures/stops, written by record-stops.ts) and their replay: the
// Decider runs on the recorded registers and memory, over the binary goBuild makes again.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { amd64 } from "../../src/arch/amd64/arch.ts";
import type { ArchSpec } from "../../src/arch/arch.ts";
import type { ArchName } from "../../src/arch/name.ts";
import { arm64 } from "../../src/arch/arm64/arch.ts";
import { Decider, type Decision } from "../../src/decision/decider.ts";
import { openImage, type PolicedImage } from "../../src/decision/image.ts";
import { outcomeOf, ReplayTracee, type RecordedOutcome, type RecordedStop } from "../../src/decision/recorded-stop.ts";
import { loadProfile, type Profile } from "../../src/policy/profile.ts";
import { goBuild, repoRoot, type GoArch, type GoVariant } from "./gobuild.ts";

export const stopsDir = join(repoRoot, "test/fixtures/stops");

/** Which build of which fixture the stops come from. */
export interface StopSource {
  name: string;
  /** The Go program's directory, relative to the repository. */
  program: string;
  go: string;
  variant: GoVariant;
}

export interface StopFixture extends StopSource {
  goarch: GoArch;
  sha256: string;
  stops: (RecordedStop & { case: string })[];
}

export function stopFixtures(): StopFixture[] {
  if (!existsSync(stopsDir)) return [];
  return readdirSync(stopsDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(stopsDir, f), "utf8")) as StopFixture);
}

const arches: Record<ArchName, ArchSpec> = { amd64, arm64 };

/** The fixture's binary, built again, and what the replay needs of it. */
export interface ReplayTarget {
  image: PolicedImage;
  profile: Profile;
  /** False when goBuild made other bytes than were recorded from: the stops' addresses do not fit. */
  sameBinary: boolean;
}

export function replayTarget(fixture: StopFixture): ReplayTarget {
  const dir = join(repoRoot, fixture.program);
  const binary = goBuild({ dir, go: fixture.go, goarch: fixture.goarch, variant: fixture.variant });
  const sameBinary = createHash("sha256").update(readFileSync(binary)).digest("hex") === fixture.sha256;
  const profile = loadProfile(join(dir, "go.mod"));
  const image = openImage(binary, profile, () => {});
  if (image.kind !== "policed") throw new Error(`${binary}: not policed (${image.reason})`);
  return { image, profile, sameBinary };
}

/** Decides a recorded stop again, as the tracer did: a fresh Decider, then who took part when it blocks. */
export function replayStop(target: ReplayTarget, stop: RecordedStop): { outcome: RecordedOutcome; decision: Decision | undefined } {
  const warnings: string[] = [];
  const tracee = new ReplayTracee(stop);
  const decider = new Decider(target.image, arches[stop.arch], tracee, { strict: false, warn: (msg) => warnings.push(msg) });
  const proc = { image: target.image, bias: stop.bias, goStarted: stop.goStarted };
  const decision = decider.decide(stop.tid, stop.tgid, stop.regs, proc);
  const involvement = decision?.verdict.block ? decider.involvement(stop.tid, stop.tgid, stop.regs, proc, decision.trace) : undefined;
  return { outcome: outcomeOf(decision, involvement, warnings), decision };
}
