// Builds, on the host, the arm64 Go programs that the end-to-end tests ask goBuild for inside the
// arm64 VM, where there is no Go. goBuild caches each one under .cache/gobuild with a key the VM
// computes the same way (same repository path, same fixture sources), so the tests find them.
// Prints "repo PATH" (where the VM must hold the repository for the keys to match), "gobuild DIR"
// for each binary's cache directory, and "toolchains LIST", the toolchains the VM is to report.
import { dirname, join } from "node:path";
import { corpusAppDir } from "../../test/helpers/corpus.ts";
import { goBuild, goToolchains, repoRoot, type GoVariant } from "../../test/helpers/gobuild.ts";

// What test/jail/blocking.test.ts, process.test.ts and pre-exec.test.ts build: the jail fixture
// (and the corpus program) with every toolchain the VM reports (process.test.ts: the newest,
// default). Under emulation all eight would take hours, so the VM reports the oldest and the
// newest installed (ARM64_VM_GO chooses others).
const app = join(repoRoot, "test/fixtures/jail/app");
const variants: GoVariant[] = ["default", "pie", "stripped"];
// test/jail/deep-creators.test.ts (with ARM64_VM_TESTS): the deep-goroutine fixture, with Go 1.21
// and the newest, where the VM reports them; cross-built without a C toolchain, so no cgo.
const deepgo = join(repoRoot, "test/fixtures/deepgo/app");

const toolchains = goToolchains();
const versions = [toolchains[0], toolchains.at(-1)].filter((v, i, a): v is string => !!v && a.indexOf(v) === i);
if (versions.length === 0) {
  process.stderr.write("prebuild: no Go toolchain under /usr/lib/go-*: run scripts/install-go.sh\n");
  process.exit(1);
}

console.log(`repo ${repoRoot}`);
for (const go of versions) {
  for (const variant of variants) {
    console.log(`gobuild ${dirname(goBuild({ dir: app, go, variant, goarch: "arm64" }))}`);
  }
  if (go === "1.21" || go === toolchains.at(-1)) {
    for (const variant of variants) console.log(`gobuild ${dirname(goBuild({ dir: deepgo, go, variant, goarch: "arm64" }))}`);
  }
  // test/jail/pre-exec.test.ts: the corpus program, static and PIE.
  for (const variant of ["default", "pie"] satisfies GoVariant[]) {
    console.log(`gobuild ${dirname(goBuild({ dir: corpusAppDir, go, variant, goarch: "arm64" }))}`);
  }
}
console.log(`toolchains ${versions.join(",")}`);
