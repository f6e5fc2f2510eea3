// The filter installed for real: a Go program installs the bytes buildFilter made for its pid
// and probes syscalls with no tracer, so every traced syscall fails with ENOSYS and every allowed
// one gets the kernel's own answer. This proves the kernel accepts the program and that the
// argument checks decide on live arguments. (Installing before execve, with the tracer, is the
// tracer's end-to-end tests' job.)
import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { arches } from "../../src/arch/arches.ts";
import { buildFilter } from "../../src/seccomp/filter.ts";
import { goCommand, goEnv, goToolchains, repoRoot } from "../helpers/gobuild.ts";

const ENOSYS = 38;
const ENOTTY = 25;
const probeDir = join(import.meta.dir, "probe");
const goarch = process.arch === "arm64" ? "arm64" : "amd64";

/** Builds the probe, cached by its sources (goBuild's cache key covers only test/fixtures and examples). */
function buildProbe(): string {
  const version = goToolchains().at(-1);
  if (!version) throw new Error("no Go toolchain installed (scripts/install-go.sh)");
  const h = createHash("sha256").update(`${version} ${goarch}`);
  for (const f of readdirSync(probeDir).sort()) h.update(f).update(readFileSync(join(probeDir, f)));
  const out = join(repoRoot, ".cache", "seccomp-probe", h.digest("hex").slice(0, 16), "probe");
  if (existsSync(out)) return out;
  mkdirSync(join(out, ".."), { recursive: true });
  const res = Bun.spawnSync([goCommand(version), "build", "-o", out, "."], { cwd: probeDir, env: goEnv(goarch, false), stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`building the seccomp probe failed:\n${res.stderr.toString()}`);
  return out;
}

test("a Go program under the installed filter gets ENOSYS exactly for the traced calls", async () => {
  const proc = Bun.spawn([buildProbe()], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  proc.stdin.write(buildFilter(arches[goarch], { ownPid: proc.pid }));
  await proc.stdin.end();
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(stderr).toBe("");
  expect(exitCode).toBe(0);
  const got = JSON.parse(stdout) as Record<string, number>;
  const want: Record<string, number> = {
    getpid: 0,
    openat: ENOSYS,
    "os.Open": ENOSYS,
    "ioctl TCGETS": ENOTTY, // allowed: the kernel says a pipe is not a terminal
    "ioctl TIOCSTI": ENOSYS,
    "tgkill own": 0,
    "tgkill other": ENOSYS,
    "kill own": 0,
    "kill other": ENOSYS,
    "kill group": ENOSYS,
    "fcntl F_GETFL": 0,
    "fcntl F_SETOWN": ENOSYS,
    "prlimit64 self": 0,
    "prlimit64 other": ENOSYS,
    "socketpair unix": 0,
    "socket inet": ENOSYS,
    "sendto no address": 0,
    "sendto address": ENOSYS,
    "mmap read-write": 0,
    "mmap exec": ENOSYS,
    "mprotect read": 0,
    "mprotect exec": ENOSYS,
    "clone fork": ENOSYS,
    clone3: ENOSYS,
    seccomp: ENOSYS,
    ...(goarch === "amd64" ? { "x32 getpid": ENOSYS } : {}),
    threads: 8, // thread clones are allowed: the runtime started a thread per locked goroutine
  };
  expect(got).toEqual(want);
});
