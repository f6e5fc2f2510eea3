// The binary cannot be swapped: gomodjail reads the file a process really executes
// (/proc/PID/exe), not the path it was started from, so replacing or deleting PROG on disk while
// it runs changes nothing.
import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, renameSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuild, goToolchains, type GoVariant, repoRoot } from "../helpers/gobuild.ts";
import { blockedLines, startGomodjail, Watched } from "../helpers/gomodjail.ts";
import { loadProfile } from "../../src/policy/profile.ts";
import { ImageCache } from "../../src/tracer/images.ts";
import { openAhead, openExecuted } from "../../src/launch/target.ts";

const goMod = join(repoRoot, "test/fixtures/jail/app/go.mod");

interface Build {
  go: string;
  variant: GoVariant;
}

async function runSwapped(build: Build, swap: (path: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "gomodjail-swap-"));
  const prog = join(dir, "prog");
  copyFileSync(goBuild({ dir: join(repoRoot, "test/fixtures/jail/app"), ...build }), prog);
  const watched = startGomodjail(["run", `--go-mod=${goMod}`, "--", prog, "reexec", "evil-open", "main-open"], { stdin: "pipe" });
  const proc = watched.proc as Bun.Subprocess<"pipe", "pipe", "pipe">;
  await watched.until("ready\n");
  swap(prog);
  proc.stdin.write("go\n");
  proc.stdin.end();
  const out = await watched.all();
  const stderr = await new Response(proc.stderr).text();
  return { out, stderr, exitCode: await proc.exited };
}

// Another Go program in PROG's place: had gomodjail read the path, the re-executed program's
// addresses would be looked up in this one's function table.
const impostor = (build: Build) => goBuild({ dir: join(repoRoot, "test/fixtures/corpus/app"), ...build });

for (const go of goToolchains()) {
  for (const variant of ["default", "pie", "stripped"] as const) {
    const build: Build = { go, variant };
    describe(`Go ${go} ${variant}`, () => {
      test("replacing PROG on disk while it runs changes nothing", async () => {
        const r = await runSwapped(build, (path) => {
          const next = `${path}.next`;
          copyFileSync(impostor(build), next);
          renameSync(next, path);
        });
        expect(r.out).toBe("ready\nevil-open: open /etc/hostname: operation not permitted\nmain-open: ok\n");
        expect(blockedLines(r.stderr).map((l) => l.module)).toEqual(["example.com/evil"]);
        expect(r.exitCode).toBe(0);
      });

      test("deleting PROG while it runs changes nothing", async () => {
        const r = await runSwapped(build, (path) => rmSync(path));
        expect(r.out).toBe("ready\nevil-open: open /etc/hostname: operation not permitted\nmain-open: ok\n");
        expect(blockedLines(r.stderr).map((l) => l.module)).toEqual(["example.com/evil"]);
        expect(r.exitCode).toBe(0);
      });

      test("the image of a process is the file it executes, even after its path names another", async () => {
        const dir = mkdtempSync(join(tmpdir(), "gomodjail-swap-"));
        const prog = join(dir, "prog");
        copyFileSync(goBuild({ dir: join(repoRoot, "test/fixtures/jail/app"), ...build }), prog);
        const watched = new Watched(Bun.spawn([prog, "sleep"], { stdout: "pipe" }));
        const proc = watched.proc;
        await watched.until("ready\n");
        const next = `${prog}.next`;
        copyFileSync(impostor(build), next);
        renameSync(next, prog);
        try {
          const profile = loadProfile(goMod);
          const { image } = new ImageCache(profile, () => {}).forProcess(proc.pid);
          expect(image.kind).toBe("policed");
          if (image.kind !== "policed") return;
          const names = new Set([...image.pclntab.funcs()].map((f) => f.name));
          expect(names.has("example.com/evil.Open")).toBe(true);
        } finally {
          proc.kill();
        }
      });
    });
  }
}

// The tracer thread reads the program while its stage runs to the exec (session/worker.ts); what
// it read counts only if the process then runs that very file, unchanged.
describe("the program read ahead of its exec", () => {
  const build: Build = { go: goToolchains().at(-1)!, variant: "default" };
  const functionNames = (binary: ReturnType<typeof openExecuted>) => new Set([...binary!.pclntab.funcs()].map((f) => f.name));

  async function running(prog: string, body: (pid: number) => void): Promise<void> {
    const watched = new Watched(Bun.spawn([prog, "sleep"], { stdout: "pipe" }));
    await watched.until("ready\n");
    try {
      body(watched.proc.pid);
    } finally {
      watched.proc.kill();
    }
  }

  test("is the tracer's when the process runs the file it read", async () => {
    const prog = goBuild({ dir: join(repoRoot, "test/fixtures/jail/app"), ...build });
    const ahead = openAhead(prog);
    expect(ahead).toBeDefined();
    await running(prog, (pid) => expect(openExecuted(pid, ahead)).toBe(ahead!.binary));
  });

  test("is dropped when the path named another file by the exec: the executed file is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gomodjail-ahead-"));
    const prog = join(dir, "prog");
    copyFileSync(impostor(build), prog);
    const ahead = openAhead(prog);
    expect(functionNames(ahead?.binary).has("example.com/evil.Open")).toBe(false);
    const next = `${prog}.next`;
    copyFileSync(goBuild({ dir: join(repoRoot, "test/fixtures/jail/app"), ...build }), next);
    renameSync(next, prog);
    await running(prog, (pid) => {
      const executed = openExecuted(pid, ahead);
      expect(executed).not.toBe(ahead!.binary);
      expect(functionNames(executed).has("example.com/evil.Open")).toBe(true);
    });
  });

  test("is dropped when the file changed after it was read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gomodjail-ahead-"));
    const prog = join(dir, "prog");
    copyFileSync(goBuild({ dir: join(repoRoot, "test/fixtures/jail/app"), ...build }), prog);
    const ahead = openAhead(prog);
    expect(ahead).toBeDefined();
    // Any change of the file moves its change time; setting its times is one.
    utimesSync(prog, new Date(0), new Date(0));
    await running(prog, (pid) => {
      const executed = openExecuted(pid, ahead);
      expect(executed).toBeDefined();
      expect(executed).not.toBe(ahead!.binary);
    });
  });
});

