// Builds Go programs for tests with a chosen toolchain, architecture and variant, and caches the
// result under .cache/gobuild keyed by everything that goes into the build.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dir, "../..");
const cacheRoot = join(repoRoot, ".cache");

export type GoArch = "amd64" | "arm64";
export type GoVariant = "default" | "pie" | "stripped" | "trimpath" | "cgo";
export const goVariants: GoVariant[] = ["default", "pie", "stripped", "trimpath", "cgo"];

/**
 * The architecture tests build for when they do not name one: $GOMODJAIL_TEST_GOARCH or amd64.
 * The arm64 VM (scripts/arm64-vm) sets it, and finds the binaries the host built for it.
 */
export const testGoArch: GoArch = (() => {
  const a = process.env.GOMODJAIL_TEST_GOARCH ?? "amd64";
  if (a !== "amd64" && a !== "arm64") throw new Error(`GOMODJAIL_TEST_GOARCH=${a}: expected amd64 or arm64`);
  return a;
})();

/**
 * Where Go is not installed (the arm64 VM), $GOMODJAIL_TEST_GO_TOOLCHAINS lists the toolchains
 * whose binaries were built beforehand, comma-separated.
 */
const prebuiltToolchains = process.env.GOMODJAIL_TEST_GO_TOOLCHAINS;

/** The Go toolchains installed from Debian's packages, oldest first, e.g. ["1.19", "1.21"]. */
export function goToolchains(): string[] {
  if (prebuiltToolchains) return prebuiltToolchains.split(",");
  if (!existsSync("/usr/lib")) return [];
  return readdirSync("/usr/lib")
    .filter((d) => /^go-1\.\d+$/.test(d) && existsSync(`/usr/lib/${d}/bin/go`))
    .map((d) => d.slice(3))
    .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
}

export function goCommand(version: string): string {
  const go = `/usr/lib/go-${version}/bin/go`;
  if (!existsSync(go) && prebuiltToolchains) {
    throw new Error(`Go ${version} is not installed here and this build was not made beforehand: add it to scripts/arm64-vm/prebuild.ts`);
  }
  if (!existsSync(go)) throw new Error(`Go ${version} is not installed (${go}); run scripts/install-go.sh`);
  return go;
}

export interface GoBuildOptions {
  /** The main module's directory (holds go.mod); its local replacements must live under `test/fixtures` or `examples`, or under dir itself. */
  dir: string;
  /** The package to build, relative to dir. */
  pkg?: string;
  go?: string;
  goarch?: GoArch;
  variant?: GoVariant;
  /** Extra `go build` flags, e.g. ["-gcflags=all=-l"]. */
  flags?: string[];
}

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) hashTree(h, p);
    else h.update(p).update(readFileSync(p));
  }
}

function variantFlags(variant: GoVariant): { flags: string[]; cgo: boolean } {
  switch (variant) {
    case "default":
      return { flags: [], cgo: false };
    case "pie":
      return { flags: ["-buildmode=pie"], cgo: false };
    case "stripped":
      return { flags: ["-ldflags=-s -w"], cgo: false };
    case "trimpath":
      return { flags: ["-trimpath"], cgo: false };
    case "cgo":
      return { flags: [], cgo: true };
  }
}

/** The environment for a hermetic, offline `go` command with project-local caches. */
export function goEnv(goarch: GoArch, cgo: boolean): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    GOCACHE: join(cacheRoot, "go-build"),
    GOMODCACHE: join(cacheRoot, "go-mod"),
    GOPATH: join(cacheRoot, "gopath"),
    GOPROXY: "off",
    GOFLAGS: "-mod=mod",
    GOTOOLCHAIN: "local",
    GOWORK: "off",
    GOOS: "linux",
    GOARCH: goarch,
    CGO_ENABLED: cgo ? "1" : "0",
  };
}

/** Builds (or takes from the cache) a Go program and returns the binary's path. */
export function goBuild(opts: GoBuildOptions): string {
  const version = opts.go ?? goToolchains().at(-1) ?? "none";
  const goarch = opts.goarch ?? testGoArch;
  const variant = opts.variant ?? "default";
  const pkg = opts.pkg ?? ".";
  const { flags, cgo } = variantFlags(variant);
  const allFlags = [...flags, ...(opts.flags ?? [])];
  const dir = resolve(opts.dir);

  const h = createHash("sha256");
  h.update(JSON.stringify({ version, goarch, variant, pkg, allFlags, dir }));
  const roots = ["test/fixtures", "examples"].map((r) => join(repoRoot, r));
  for (const p of roots) if (existsSync(p)) hashTree(h, p);
  // A module elsewhere (bench/programs) keys the cache by its own sources too.
  if (!roots.some((r) => dir === r || dir.startsWith(`${r}/`))) hashTree(h, dir);
  const key = h.digest("hex").slice(0, 16);
  const outDir = join(cacheRoot, "gobuild", key);
  const out = join(outDir, "prog");
  if (existsSync(out)) return out;

  mkdirSync(outDir, { recursive: true });
  const tmp = join(outDir, `prog.tmp.${process.pid}`);
  const res = Bun.spawnSync([goCommand(version), "build", "-o", tmp, ...allFlags, pkg], {
    cwd: dir,
    env: goEnv(goarch, cgo),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (res.exitCode !== 0) {
    throw new Error(`go ${version} build ${allFlags.join(" ")} ${pkg} in ${dir} failed:\n${res.stderr.toString()}`);
  }
  renameSync(tmp, out);
  return out;
}

/** Runs a Go tool (`nm`, `addr2line`, `version`...) from the given toolchain and returns stdout. */
export function goTool(version: string, args: string[], stdin?: string): string {
  const res = Bun.spawnSync([goCommand(version), ...args], {
    env: goEnv("amd64", false),
    stdin: stdin === undefined ? "ignore" : Buffer.from(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (res.exitCode !== 0) throw new Error(`go ${args.join(" ")} failed:\n${res.stderr.toString()}`);
  return res.stdout.toString();
}
