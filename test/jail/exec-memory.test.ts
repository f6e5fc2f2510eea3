// Executable memory under the real kernel (test/fixtures/execmem): a confined module can neither
// make memory executable (mmap, mprotect with PROT_EXEC) nor run a syscall from executable memory
// the main module made and handed over, with the thread's g set to its M's g0 so that the call
// would pass for the runtime's own call into C. The main module maps executable memory freely, a
// cgo program's dynamic loader too; and the jailed program cannot open gomodjail's memory.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { goBuild, goToolchains, repoRoot, testGoArch, type GoVariant } from "../helpers/gobuild.ts";
import { blockedLines, gomodjailCommand, runGomodjail } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/execmem/app");
const goMod = join(app, "go.mod");
const confined = "example.com/codegen";

const prog = (go: string, variant: GoVariant) => goBuild({ dir: app, go, variant });
const run = (go: string, variant: GoVariant, ...cases: string[]) => runGomodjail(["run", `--go-mod=${goMod}`, "--", prog(go, variant), ...cases]);

const toolchains = ["1.21", "1.27"].filter((go) => goToolchains().includes(go));
// The escape's machine code is amd64's, and writes the TLS slot where internal linking puts g.
const variants: GoVariant[] = ["default", "stripped"];

for (const [go, variant] of toolchains.flatMap((go) => variants.map((variant) => [go, variant] as const))) {
  describe.skipIf(testGoArch !== "amd64")(`Go ${go} ${variant}`, () => {
    test("a confined module's mmap and mprotect with PROT_EXEC fail with EPERM and are logged", async () => {
      const r = await run(go, variant, "confined-mmap-exec", "confined-mprotect-exec");
      expect(r.stdout).toBe("confined-mmap-exec: operation not permitted\nconfined-mprotect-exec: operation not permitted\n");
      const lines = blockedLines(r.stderr);
      expect(lines.map((l) => [l.syscall, l.module])).toEqual([["mmap", confined], ["mprotect", confined]]);
      expect(lines[0]!.entry).toContain("example.com/codegen.MapExec");
      expect(lines[1]!.entry).toContain("example.com/codegen.ProtectExec");
      expect(r.exitCode).toBe(0);
    });

    test("the main module maps and protects executable memory without a Blocked line", async () => {
      const r = await run(go, variant, "main-mmap-exec");
      expect(r.stdout).toBe("main-mmap-exec: ok\n");
      expect(blockedLines(r.stderr)).toEqual([]);
      expect(r.exitCode).toBe(0);
    });

    test("a syscall from code the confined module wrote into the main module's executable memory is blocked as code of no file", async () => {
      const r = await run(go, variant, "escape");
      expect(r.stdout).toBe("escape: operation not permitted\n");
      const lines = blockedLines(r.stderr);
      expect(lines.map((l) => [l.syscall, l.module])).toEqual([["openat", "unknown"]]);
      // The reason names the pc and its anonymous mapping ("START-END rwxp 00000000 00:00 0").
      expect(lines[0]!.reason).toMatch(/^a syscall from pc 0x[0-9a-f]+, in code no file holds: [0-9a-f]+-[0-9a-f]+ rwxp 00000000 00:00 0$/);
      expect(r.exitCode).toBe(0);
    });
  });
}

describe.skipIf(toolchains.length === 0)("a cgo program", () => {
  const go = toolchains.at(-1)!;

  test("starts with its libraries mapped executable by the dynamic loader, without a Blocked line", async () => {
    const r = await run(go, "cgo", "main-mmap-exec");
    expect(r.stdout).toBe("main-mmap-exec: ok\n");
    expect(blockedLines(r.stderr)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  test("blocks a confined module's executable mapping", async () => {
    const r = await run(go, "cgo", "confined-mmap-exec");
    expect(r.stdout).toBe("confined-mmap-exec: operation not permitted\n");
    expect(blockedLines(r.stderr).map((l) => [l.syscall, l.module])).toEqual([["mmap", confined]]);
  });
});

test.skipIf(toolchains.length === 0)("the jailed program cannot open the memory of the gomodjail process, which runs as its user", async () => {
  // As root, the same user with every capability would be let in: run both as nobody.
  const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"] : [];
  const proc = Bun.spawn([...asUser, ...gomodjailCommand(["run", `--go-mod=${goMod}`, "--", prog(toolchains.at(-1)!, "default"), "tracer-mem"])], {
    cwd: "/",
    env: { ...process.env, HOME: "/tmp" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ stdout, stderr }).toEqual({ stdout: `tracer-mem: tracer ${proc.pid}: open /proc/${proc.pid}/mem: permission denied\n`, stderr: "" });
  expect(exitCode).toBe(0);
});
