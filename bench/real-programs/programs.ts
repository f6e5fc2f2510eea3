// The third-party Go programs of bench/real-programs.ts: where each comes from, the short command
// it runs, and the policy it runs under (NAME.go.mod beside this file, written by
// bench/real-programs/learn.ts with `gomodjail learn`). scripts/install-bench-programs.sh installs
// them: Debian's under /usr/lib/gomodjail-programs, npm's under .cache/bench-programs/npm.
//
// Each command works offline and reaches no network (checked with strace: no connect but to
// nscd's socket): fastly's `version` looks for updates, so it runs `compute --help`; sst runs with
// its dependency check and telemetry off.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../test/helpers/gobuild.ts";

export interface RealProgram {
  id: string;
  /** Where it comes from: a Debian package (suite) or an npm package. */
  source: string;
  binary: string;
  /** The command, the binary first; run in `work` (a scratch directory made by prepare()). */
  argv: string[];
  /** Added to the environment of every run. */
  env: Record<string, string>;
  /** The policy: a go.mod beside this file. */
  profile: string;
}

const debianDir = "/usr/lib/gomodjail-programs";
const npmDir = join(repoRoot, ".cache/bench-programs/npm/node_modules");
export const profilesDir = import.meta.dir;

/**
 * The programs, with their scratch state made under `work` (a directory the bench owns): a CA for
 * mkcert (made once, natively, before any run: generating its RSA key would dominate), a tree for
 * gdu, a Caddyfile, and a HOME shared by all (fastly, depot and sst write their config there on
 * the first run, so the bench runs each once before measuring).
 */
export function realPrograms(work: string): RealProgram[] {
  const home = join(work, "home");
  const common = { HOME: home, TERM: "xterm", DO_NOT_TRACK: "1" };
  const p = (id: string, source: string, binary: string, args: string[], env: Record<string, string> = {}): RealProgram => ({
    id,
    source,
    binary,
    argv: [binary, ...args],
    env: { ...common, ...env },
    profile: join(profilesDir, `${id}.go.mod`),
  });
  return [
    p("mkcert", "Debian trixie mkcert", `${debianDir}/mkcert/usr/bin/mkcert`, ["-ecdsa", "-cert-file", join(work, "cert.pem"), "-key-file", join(work, "key.pem"), "example.test"], {
      CAROOT: join(work, "ca"),
    }),
    p("gdu", "Debian trixie gdu", `${debianDir}/gdu/usr/bin/gdu`, ["-n", "-p", join(work, "tree")]),
    p("etcdctl", "Debian trixie etcd-client", `${debianDir}/etcd-client/usr/bin/etcdctl`, ["version"]),
    p("fastly", "npm @fastly/cli-linux-x64", `${npmDir}/@fastly/cli-linux-x64/fastly`, ["compute", "--help"]),
    p("caddy", "Debian trixie-backports caddy", `${debianDir}/caddy/usr/bin/caddy`, ["adapt", "--config", join(work, "Caddyfile")]),
    p("depot", "npm @depot/cli-linux-x64", `${npmDir}/@depot/cli-linux-x64/bin/depot`, ["--version"]),
    p("sst", "npm sst-linux-x64", `${npmDir}/sst-linux-x64/bin/sst`, ["version"], { SST_TELEMETRY_DISABLED: "1", SST_SKIP_DEPENDENCY_CHECK: "true" }),
  ];
}

const CADDYFILE = `example.test {
	respond "hello"
}

:8080 {
	encode gzip
	reverse_proxy 127.0.0.1:9000
	file_server browse
}
`;

/** Makes the scratch state of realPrograms(work); throws naming what is not installed. */
export function prepare(work: string): RealProgram[] {
  const programs = realPrograms(work);
  const missing = programs.filter((p) => !existsSync(p.binary)).map((p) => p.id);
  if (missing.length) throw new Error(`not installed: ${missing.join(", ")} (run scripts/install-bench-programs.sh)`);
  mkdirSync(join(work, "home"), { recursive: true });
  mkdirSync(join(work, "ca"), { recursive: true });
  writeFileSync(join(work, "Caddyfile"), CADDYFILE);
  // gdu's tree: 30 directories of 20 directories, a small file in each (as the Debian test walks).
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 20; j++) {
      const d = join(work, "tree", `d${i}`, `e${j}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "f"), "x".repeat(100 * (j + 1)));
    }
  }
  const mkcert = programs.find((p) => p.id === "mkcert")!;
  const ca = Bun.spawnSync([mkcert.binary, "-CAROOT"], { env: { ...process.env, ...mkcert.env } });
  if (ca.exitCode !== 0) throw new Error(`mkcert -CAROOT failed: ${ca.stderr}`);
  // The first real run makes the CA (rootCA.pem, rootCA-key.pem); every later one only a certificate.
  const first = Bun.spawnSync(mkcert.argv, { env: { ...process.env, ...mkcert.env }, stderr: "pipe" });
  if (first.exitCode !== 0) throw new Error(`mkcert failed: ${first.stderr}`);
  return programs;
}
