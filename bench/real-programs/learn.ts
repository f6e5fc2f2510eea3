// Writes the policy of each program of bench/real-programs.ts (NAME.go.mod beside this file) with
// `gomodjail learn`, from one run of the program's bench command. learn needs a go.mod to start
// from: for a module-mode build (the npm binaries) it is the build information's module and
// dependencies (`go version -m`); Debian builds in GOPATH mode, whose build information lists no
// dependencies, so the module paths are guessed from the package paths `gomodjail inspect` finds
// in the binary (github.com/OWNER/REPO[/vN], golang.org/x/NAME, gopkg.in/NAME...), at v0.0.0 (vN.0.0
// for a path of major version N).
//
//   node_modules/.bin/bun run bench/real-programs/learn.ts [--gomodjail=BIN] [ID...]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { goCommand, goToolchains, repoRoot } from "../../test/helpers/gobuild.ts";
import { prepare, type RealProgram } from "./programs.ts";

const { values: flags, positionals } = parseArgs({ options: { gomodjail: { type: "string" } }, allowPositionals: true });
const gomodjail = flags.gomodjail ?? join(repoRoot, "_output/bin/gomodjail");
const go = goCommand(goToolchains().at(-1)!);

/** The module a package path belongs to, guessed from the hosting conventions. */
export function moduleOf(pkg: string): string {
  const parts = pkg.split("/");
  const major = (n: number) => (parts[n] && /^v\d+$/.test(parts[n]!) ? parts.slice(0, n + 1) : parts.slice(0, n)).join("/");
  switch (parts[0]) {
    case "github.com":
    case "gitlab.com":
    case "bitbucket.org":
    case "golang.org":
      return major(3);
    case "gopkg.in":
      return parts.slice(0, /\.v\d+$/.test(parts[1] ?? "") ? 2 : 3).join("/");
    case "go.uber.org":
    case "google.golang.org":
    case "go.etcd.io":
    case "go.opentelemetry.io":
    case "cloud.google.com":
    case "k8s.io":
    case "sigs.k8s.io":
    case "go.step.sm":
    case "filippo.io":
    case "howett.net":
    case "go.mozilla.org":
    case "dario.cat":
      return major(2);
    default:
      return major(Math.min(parts.length, 3));
  }
}

function seedGoMod(p: RealProgram): string {
  const r = Bun.spawnSync([go, "version", "-m", p.binary], { stdout: "pipe" });
  const lines = r.stdout.toString().split("\n").map((l) => l.trim().split(/\s+/));
  const mod = lines.find((l) => l[0] === "mod");
  if (mod) {
    const deps = lines.filter((l) => l[0] === "dep").map((l) => `\t${l[1]} ${l[2]}`);
    return `module ${mod[1]}\n\ngo 1.21\n\nrequire (\n${deps.join("\n")}\n)\n`;
  }
  const info = JSON.parse(Bun.spawnSync([gomodjail, "inspect", "--json", p.binary], { stdout: "pipe" }).stdout.toString()) as {
    mainPackage: string;
    modules: { path: string; kind: string }[];
  };
  const main = moduleOf(info.mainPackage);
  const modules = [...new Set(info.modules.filter((m) => m.kind === "unknown").map((m) => moduleOf(m.path)))].filter((m) => m !== main && !main.startsWith(`${m}/`)).sort();
  // A major version suffix (/v2, gopkg.in's .v3) must match the version's major.
  const version = (m: string) => `v${/(?:\/|\.)v(\d+)$/.exec(m)?.[1] ?? "0"}.0.0`;
  return `module ${main}\n\ngo 1.21\n\nrequire (\n${modules.map((m) => `\t${m} ${version(m)}`).join("\n")}\n)\n`;
}

const work = mkdtempSync(join(tmpdir(), "gomodjail-bench-learn-"));
try {
  const programs = prepare(work).filter((p) => positionals.length === 0 || positionals.includes(p.id));
  for (const p of programs) {
    const seed = join(work, `${p.id}.seed.go.mod`);
    const cmd = p.argv.map((a) => a.replace(work, "WORK").replace(repoRoot + "/", "")).join(" ");
    const header = [
      `// The policy of bench/real-programs.ts for ${p.id} (${p.source}), written by`,
      `// bench/real-programs/learn.ts with \`gomodjail learn\` from one run of`,
      `// \`${cmd}\`; not edited.`,
      "",
    ].join("\n");
    writeFileSync(seed, header + seedGoMod(p));
    const r = Bun.spawnSync([gomodjail, "learn", `--go-mod=${seed}`, "-o", p.profile, "--", ...p.argv], {
      cwd: work,
      env: { ...process.env, ...p.env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const err = r.stderr.toString().trim().split("\n");
    console.log(`${p.id}: learn exit ${r.exitCode}; ${err.slice(-3).join(" | ")}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
