// Builds gomodjail's npm packages, as esbuild ships its own: one package per platform that holds
// the single-file binary, and the main package, which names them all as optional dependencies
// (npm installs the one whose os and cpu match) and whose install script puts that binary in place
// of its bin script (npm/install.js), so that node_modules/.bin/gomodjail is the binary itself.
//
//   node_modules/.bin/bun scripts/build-npm.ts [--out DIR] [--arch x64,arm64] [--binary ARCH=FILE]... [--pack]
//
// Into DIR (_output/npm): gomodjail/ (the main package: bin script, install script, the bundle
// that Bun runs where no binary fits, the sources for library use, docs, README) and linux-x64/,
// linux-arm64/ (@gomodjail/linux-x64 and -arm64: bin/gomodjail); with --pack, their tarballs
// (npm pack) beside them. Publish the platform packages first, then the main one:
//
//   npm publish DIR/linux-x64 && npm publish DIR/linux-arm64 && npm publish DIR/gomodjail
//
// The binaries come from the Makefile's rule: this machine's architecture as `make` builds it;
// the other cross-compiled by the same rule with --target and the Bun runtime of that
// architecture, the npm package @oven/bun-linux-<arch> of the Bun that package.json pins (npm
// pack, kept in .cache/npm). Its bytecode is made here and holds there: the arm64 binary, run under
// qemu-aarch64, loads its modules from it. --binary ARCH=FILE takes a binary already built.
// The repository's own package.json is private: its dependencies for development stay out of
// the published package, and it cannot name platform packages that are not published yet (npm
// ci would fail).
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ElfFile } from "../src/elf/elf.ts";

const root = join(import.meta.dir, "..");

export type Arch = "x64" | "arm64";

export const platforms: Record<Arch, { pkg: string; dir: string; target: string; bunRuntime: string }> = {
  x64: { pkg: "@gomodjail/linux-x64", dir: "linux-x64", target: "bun-linux-x64", bunRuntime: "@oven/bun-linux-x64" },
  arm64: { pkg: "@gomodjail/linux-arm64", dir: "linux-arm64", target: "bun-linux-arm64", bunRuntime: "@oven/bun-linux-aarch64" },
};

export const hostArch: Arch = process.arch === "arm64" ? "arm64" : "x64";

export interface BuildOptions {
  out?: string;
  arches?: Arch[];
  /** Binaries already built, by architecture. */
  binaries?: Partial<Record<Arch, string>>;
  /** Also make the tarballs (npm pack): the main package's and those of packArches (default: all built). */
  pack?: boolean;
  packArches?: Arch[];
  bun?: string;
  log?: (line: string) => void;
}

export interface Built {
  /** The package directories: main and one per architecture built. */
  dirs: { main: string } & Partial<Record<Arch, string>>;
  /** With pack: their tarballs. */
  tarballs?: { main: string } & Partial<Record<Arch, string>>;
}

interface Manifest {
  name: string;
  version: string;
  description: string;
  license: string;
  type: string;
  bin: Record<string, string>;
  main: string;
  module: string;
  types: string;
  files: string[];
  engines: Record<string, string>;
  os: string[];
  cpu: string[];
  dependencies: Record<string, string>;
}

function run(argv: string[], cwd: string): string {
  const r = Bun.spawnSync(argv, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.exitCode}):\n${r.stdout}${r.stderr}`);
  return r.stdout.toString();
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The Bun runtime for `arch`, from npm, for cross-compiling: the same version as the Bun building. */
function bunRuntime(arch: Arch, bun: string): string {
  const { bunRuntime: name } = platforms[arch];
  const version = run([bun, "--version"], root).trim();
  const dir = join(root, ".cache/npm", `${name.replace("/", "+")}-${version}`);
  const exe = join(dir, "package/bin/bun");
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const tgz = (JSON.parse(run(["npm", "pack", "--json", "--pack-destination", dir, `${name}@${version}`], dir)) as { filename: string }[])[0]!.filename;
  run(["tar", "xzf", tgz, "package/bin/bun"], dir);
  rmSync(join(dir, tgz));
  return exe;
}

/** The single-file binary for `arch`, by the Makefile's rule, into `out`. */
function buildBinary(arch: Arch, out: string, bun: string): void {
  const make = ["make", "-s", `BUN=${bun}`, `BINARY=${out}`];
  if (arch !== hostArch) make.push(`COMPILE_TARGET=--target=${platforms[arch].target} --compile-executable-path=${bunRuntime(arch, bun)}`);
  run([...make, out], root);
}

/** The npm cpu ("x64", "arm64") of an executable, as the project's ELF reader reads it; else why it is none. */
export function elfArch(path: string): string {
  try {
    const machine = ElfFile.open(path).machine;
    return machine === "amd64" ? "x64" : machine;
  } catch (e) {
    return (e as Error).message;
  }
}

function platformPackage(arch: Arch, dir: string, version: string, license: string, binary: string): void {
  const { pkg } = platforms[arch];
  const found = elfArch(binary);
  if (found !== arch) throw new Error(`${binary} is ${found}, not an ${arch} binary for ${pkg}`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const dest = join(dir, "bin/gomodjail");
  copyFileSync(binary, `${dest}.tmp`);
  chmodSync(`${dest}.tmp`, 0o755);
  renameSync(`${dest}.tmp`, dest);
  const cpu = arch;
  writeJson(join(dir, "package.json"), {
    name: pkg,
    version,
    description: `The gomodjail binary for Linux on ${arch === "x64" ? "x86_64" : "aarch64"}: installed by the gomodjail package, not to be used alone`,
    license,
    os: ["linux"],
    cpu: [cpu],
    // The binary holds a Bun built against glibc.
    libc: ["glibc"],
    files: ["bin/gomodjail"],
    preferUnplugged: true,
  });
  writeFileSync(
    join(dir, "README.md"),
    `# ${pkg}\n\nThe single-file gomodjail binary for Linux on ${arch === "x64" ? "x86_64" : "aarch64"}, built by \`bun build --compile\`. Install \`gomodjail\`, which depends on it on that platform and makes \`node_modules/.bin/gomodjail\` this binary.\n`,
  );
}

function mainPackage(dir: string, manifest: Manifest, bun: string): void {
  // What the repository's package.json lists, less dist/, built here.
  for (const entry of manifest.files) {
    const name = entry.replace(/\/$/, "");
    if (name === "dist") continue;
    cpSync(join(root, name), join(dir, name), { recursive: true });
  }
  copyFileSync(join(root, "npm/install.js"), join(dir, "install.js"));
  // The bundle that Bun runs where no binary fits: Bun loads it several times faster than the
  // sources (src/launch/stage.ts: GOMODJAIL_BUNDLE).
  run([bun, "build", "--target=bun", "--format=cjs", "--bytecode", "--define", "GOMODJAIL_BUNDLE=true", "--outdir", join(dir, "dist"), "src/main.ts", "src/session/worker.ts"], root);
  const { name, version, description, license, type, bin, main, module, types, files, engines, os, cpu, dependencies } = manifest;
  writeJson(join(dir, "package.json"), {
    name,
    version,
    description,
    license,
    type,
    bin,
    main,
    module,
    types,
    files: [...files, "install.js"],
    scripts: { postinstall: "node install.js" },
    engines,
    os,
    cpu,
    dependencies,
    optionalDependencies: Object.fromEntries(Object.values(platforms).map((p) => [p.pkg, version])),
  });
}

function npmPack(dir: string, dest: string): string {
  const packed = JSON.parse(run(["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", dest], dir)) as { filename: string }[];
  return join(dest, packed[0]!.filename);
}

export function buildNpmPackages(opts: BuildOptions = {}): Built {
  const out = opts.out ?? join(root, "_output/npm");
  const arches = opts.arches ?? (["x64", "arm64"] as Arch[]);
  const bun = opts.bun ?? join(root, "node_modules/.bin/bun");
  const log = opts.log ?? (() => {});
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
  const missing = Object.keys(platforms).filter((a) => !manifest.cpu.includes(a));
  if (missing.length) throw new Error(`package.json's cpu lacks ${missing.join(", ")}`);

  const dirs: Built["dirs"] = { main: join(out, "gomodjail") };
  for (const d of [dirs.main, ...arches.map((a) => join(out, platforms[a].dir))]) rmSync(d, { recursive: true, force: true });
  mkdirSync(dirs.main, { recursive: true });
  log(`main package ${manifest.name}@${manifest.version} in ${dirs.main}`);
  mainPackage(dirs.main, manifest, bun);
  for (const arch of arches) {
    const dir = (dirs[arch] = join(out, platforms[arch].dir));
    let binary = opts.binaries?.[arch];
    if (!binary) {
      binary = join(out, `gomodjail-${arch}`);
      log(`building the ${arch} binary${arch === hostArch ? "" : " (cross-compiled)"}`);
      buildBinary(arch, binary, bun);
    }
    log(`platform package ${platforms[arch].pkg} in ${dir}`);
    platformPackage(arch, dir, manifest.version, manifest.license, binary);
    if (!opts.binaries?.[arch]) rmSync(binary);
  }
  if (!opts.pack) return { dirs };
  const tarballs: Built["tarballs"] = { main: npmPack(dirs.main, out) };
  for (const arch of opts.packArches ?? arches) tarballs[arch] = npmPack(dirs[arch]!, out);
  for (const t of Object.values(tarballs)) log(`packed ${t}`);
  return { dirs, tarballs };
}

/**
 * Installs the packages built (with pack, the main package's and this machine's tarballs) into
 * the empty directory `dir`, as a user's `npm install gomodjail` does, with `flags`: npm's
 * overrides name them, so that no package of ours comes from the registry (a platform package not
 * packed, its directory: npm reads its os and cpu and leaves it out). Returns npm's output.
 */
export function installBuilt(built: Built, dir: string, flags: string[] = []): string {
  if (!built.tarballs?.[hostArch]) throw new Error("installBuilt: pack the main package and this machine's platform package");
  const overrides: Record<string, string> = {};
  for (const arch of Object.keys(platforms) as Arch[]) {
    const from = built.tarballs[arch] ?? built.dirs[arch];
    if (from) overrides[platforms[arch].pkg] = `file:${from}`;
  }
  writeJson(join(dir, "package.json"), { name: "app", private: true, dependencies: { gomodjail: `file:${built.tarballs.main}` }, overrides });
  const r = Bun.spawnSync(["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts", ...flags], {
    cwd: dir,
    env: { ...process.env, npm_config_update_notifier: "false" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const log = `${r.stdout}${r.stderr}`;
  if (r.exitCode !== 0) throw new Error(`npm install ${flags.join(" ")} in ${dir} failed:\n${log}`);
  return log;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      arch: { type: "string", default: "x64,arm64" },
      binary: { type: "string", multiple: true, default: [] },
      pack: { type: "boolean", default: false },
    },
  });
  const arches = values.arch.split(",").map((a) => {
    if (a !== "x64" && a !== "arm64") throw new Error(`--arch: ${a} is not x64 or arm64`);
    return a as Arch;
  });
  const binaries: Partial<Record<Arch, string>> = {};
  for (const b of values.binary) {
    const [arch, file] = b.split("=", 2) as [string, string | undefined];
    if ((arch !== "x64" && arch !== "arm64") || !file) throw new Error(`--binary ${b}: not ARCH=FILE with ARCH x64 or arm64`);
    binaries[arch] = file;
  }
  buildNpmPackages({ out: values.out, arches, binaries, pack: values.pack, log: (l) => console.error(l) });
}
