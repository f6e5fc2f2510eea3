// `gomodjail learn` on the command line, in-process with a recording jail: what it asks the jail
// for (audit mode, every module confined), how it learns from the events the jail reports, and
// the usage errors, each one line and exit status 1.
import { expect, test } from "bun:test";
import { join } from "node:path";
import type { BlockedSyscall } from "../../src/tracer/hooks.ts";
import { runCli } from "../helpers/cli.ts";
import { goBuild, repoRoot } from "../helpers/gobuild.ts";

const goMod = join(repoRoot, "test/fixtures/learn/app/go.mod");

function cli(args: string[], events: BlockedSyscall[] = []) {
  return runCli(args, { events, jailStatus: 0 });
}

const readerCall: BlockedSyscall = {
  pid: 1,
  exe: "/prog",
  syscall: "openat",
  entry: "/src/reader.go:12:example.com/reader.FirstLine",
  module: "example.com/reader",
  reason: "confined",
  class: { name: "FILES/READ" },
  audit: true,
  involvement: {
    maker: "example.com/reader",
    makerEntry: "/src/reader.go:12:example.com/reader.FirstLine",
    modules: [
      { module: "example.com/reader", role: "made", entry: "/src/reader.go:12:example.com/reader.FirstLine" },
      { module: "example.com/config", role: "calls", entry: "/src/config.go:9:example.com/config.Hostname" },
    ],
  },
};

test("the run is in audit mode with every module of the go.mod and of the build information confined, and learns from its events", async () => {
  const prog = goBuild({ dir: join(repoRoot, "test/fixtures/learn/app") });
  const r = await cli(["learn", `--go-mod=${goMod}`, "--", prog, "read"], [readerCall]);
  expect(r.status).toBe(0);
  expect(r.runs.length).toBe(1);
  const [run] = r.runs;
  expect(run).toMatchObject({ argv: [prog, "read"], audit: true });
  expect(run!.profile).toEqual({
    mainModule: "example.com/learnapp",
    defaultPolicy: "confined",
    modules: new Map(["config", "framework", "inlined", "pure", "reader", "spawner", "deep"].map((m) => [`example.com/${m}`, "confined"])),
  });
  expect(r.stdout).toContain(
    "\t// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /src/reader.go:12:example.com/reader.FirstLine\n" +
      "\t// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /src/reader.go:12:example.com/reader.FirstLine\n" +
      "\texample.com/reader v1.0.0 // gomodjail:confined allow=FILES/READ\n",
  );
  expect(r.stdout).toContain(
    "\t// gomodjail learn: called another module that made 1 trapped syscall (it uses a library that does; not its own calls): openat 1; e.g. openat made by example.com/reader at /src/reader.go:12:example.com/reader.FirstLine, called from /src/config.go:9:example.com/config.Hostname\n" +
      "\t// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat made by example.com/reader at /src/reader.go:12:example.com/reader.FirstLine, under /src/config.go:9:example.com/config.Hostname\n" +
      "\texample.com/config v1.0.0 // gomodjail:confined allow=FILES/READ\n",
  );
  expect(r.stdout).toContain("\texample.com/pure v1.0.0 // gomodjail:confined\n");
  expect(r.stderr).toBe(
    `gomodjail learn: from the run of ${prog}: 7 module(s) confined (2 with capability classes), 0 unconfined\n` +
      "  example.com/config  allow=FILES/READ  called a module that made: openat 1\n" +
      "  example.com/reader  allow=FILES/READ  made: openat 1\n",
  );
});

const spawnerCall: BlockedSyscall = {
  ...readerCall,
  syscall: "execve",
  entry: "/src/spawner.go:7:example.com/spawner.Run",
  module: "example.com/spawner",
  class: { name: "EXEC" },
  involvement: { maker: "example.com/spawner", makerEntry: "/src/spawner.go:7:example.com/spawner.Run", modules: [{ module: "example.com/spawner", role: "made", entry: "/src/spawner.go:7:example.com/spawner.Run" }] },
};

test("a module that needed EXEC is left unconfined, saying why; --allow-all-classes confines it with EXEC", async () => {
  const prog = goBuild({ dir: join(repoRoot, "test/fixtures/learn/app") });
  const r = await cli(["learn", `--go-mod=${goMod}`, "--", prog, "spawn"], [spawnerCall]);
  expect(r.stdout).toContain("\texample.com/spawner v1.0.0 // gomodjail:unconfined\n");
  expect(r.stderr).toBe(
    `gomodjail learn: from the run of ${prog}: 6 module(s) confined (0 with capability classes), 1 unconfined\n` +
      "  example.com/spawner  unconfined  made: execve 1\n" +
      "                                   (it needed EXEC (nothing confines the programs it runs, a shell among them), which can reach every other class: learn --allow-all-classes would confine it with EXEC)\n",
  );
  const all = await cli(["learn", `--go-mod=${goMod}`, "--allow-all-classes", "--", prog, "spawn"], [spawnerCall]);
  expect(all.stdout).toContain("\texample.com/spawner v1.0.0 // gomodjail:confined allow=EXEC\n");
  expect(all.stderr).toStartWith(`gomodjail learn: from the run of ${prog}: 7 module(s) confined (1 with capability classes), 0 unconfined\n`);
});

test.each([
  [["learn"], "gomodjail: learn: --go-mod=FILE is required (see 'gomodjail learn --help')"],
  [["learn", `--go-mod=${goMod}`], "gomodjail: learn: give a program to run (-- PROG [ARGS]...) or --from=REPORT (see 'gomodjail learn --help')"],
  [["learn", `--go-mod=${goMod}`, "--from=r.json", "--report=x.json"], "gomodjail: learn: --report saves the evidence of a run: give a program to run (see 'gomodjail learn --help')"],
  [["learn", `--go-mod=${goMod}`, "-o", "", "--", "prog"], "gomodjail: --output: empty file name (see 'gomodjail learn --help')"],
  [["learn", `--go-mod=${join(repoRoot, "test/fixtures/learn/app/main.go")}`, "--", "prog"], expect.stringMatching(/^gomodjail: \S+main\.go:\d+: /)],
])("usage error %p: one line, exit status 1", async (args, message) => {
  const r = await cli(args as string[]);
  expect({ status: r.status, stdout: r.stdout, runs: r.runs.length }).toEqual({ status: 1, stdout: "", runs: 0 });
  expect(r.stderr.split("\n")).toEqual([message, ""]);
});

test("learn --help shows the usage, the flags and examples", async () => {
  const r = await cli(["learn", "--help"]);
  expect(r.status).toBe(0);
  expect(r.stdout).toStartWith("Usage: gomodjail learn --go-mod=FILE [-o OUT] [--from REPORT.json]... [--report FILE] [--allow-all-classes] [-- PROG [ARGS]...]\n");
  for (const flag of ["--go-mod <FILE>", "-o, --output <FILE>", "--from <REPORT>", "--report <FILE>", "--allow-all-classes"]) expect(r.stdout).toContain(flag);
  expect(r.stdout).toContain("gomodjail learn --go-mod=go.mod --from=build.json --from=serve.json -o policy.mod");
});
