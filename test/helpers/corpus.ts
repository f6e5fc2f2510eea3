// The attribution corpus (test/fixtures/corpus) built with every installed toolchain, for both
// architectures, in every variant; cgo only for amd64, the host, since cross-compiling C needs a
// cross C toolchain.
import { join } from "node:path";
import { type GoArch, type GoVariant, goBuild, goToolchains, goVariants, repoRoot } from "./gobuild.ts";

export const corpusDir = join(repoRoot, "test/fixtures/corpus");
export const corpusAppDir = join(corpusDir, "app");
export const corpusMainModule = "example.com/app";

export interface CorpusBuild {
  go: string;
  goarch: GoArch;
  variant: GoVariant;
  /** e.g. "go1.21/arm64/pie", for test names. */
  label: string;
}

export function corpusBuilds(): CorpusBuild[] {
  const builds: CorpusBuild[] = [];
  for (const go of goToolchains()) {
    for (const goarch of ["amd64", "arm64"] as const) {
      for (const variant of goVariants) {
        if (variant === "cgo" && goarch !== "amd64") continue;
        builds.push({ go, goarch, variant, label: `go${go}/${goarch}/${variant}` });
      }
    }
  }
  return builds;
}

/** The corpus program's path for one build (built on first use, then cached). */
export function corpusBinary(b: Pick<CorpusBuild, "go" | "goarch" | "variant">): string {
  return goBuild({ dir: corpusAppDir, go: b.go, goarch: b.goarch, variant: b.variant });
}
