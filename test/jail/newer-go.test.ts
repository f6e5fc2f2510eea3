// A Go release newer than gomodjail knows is refused by name, never read by guesswork: binaries
// forged from a real one, with the build information's Go version or the function table's magic
// number moved past what gomodjail was written for.
import { describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { GoBinary } from "../../src/gobin/binary.ts";
import { isNewerGo, NEWEST_KNOWN_GO, NewerGoError } from "../../src/gobin/go-release.ts";
import { loadProfile } from "../../src/policy/profile.ts";
import { ImageCache } from "../../src/tracer/images.ts";
import { goBuild, goToolchains, repoRoot } from "../helpers/gobuild.ts";
import { runGomodjail, Watched } from "../helpers/gomodjail.ts";

const app = join(repoRoot, "test/fixtures/jail/app");
const goMod = join(app, "go.mod");
const newestGo = goToolchains().at(-1)!;
const scratch = mkdtempSync(join(tmpdir(), "gomodjail-newer-"));
const newer = `go1.${Number(NEWEST_KNOWN_GO.split(".")[1]) + 2}`;

/** A copy of the fixture with `edit` applied to its bytes. */
function forged(name: string, edit: (bytes: Buffer, elf: ElfFile) => void): string {
  const real = goBuild({ dir: app, go: newestGo });
  const bytes = readFileSync(real);
  edit(bytes, ElfFile.parse(new Uint8Array(bytes), real));
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  chmodSync(path, 0o755);
  return path;
}

/** The build information's version string, rewritten in place to one of the same length. */
function withGoVersion(bytes: Buffer, elf: ElfFile, version: string): void {
  const section = elf.section(".go.buildinfo")!;
  const at = bytes.indexOf(Buffer.from(`go${newestGo}.`), section.offset);
  expect(at).toBeGreaterThan(section.offset);
  expect(at).toBeLessThan(section.offset + section.size);
  const old = /^go[\d.]+/.exec(bytes.subarray(at, at + 16).toString("latin1"))![0];
  const next = version.padEnd(old.length, ".0").slice(0, old.length);
  bytes.write(next, at, "latin1");
}

const newerVersion = () => forged("newer-version", (b, elf) => withGoVersion(b, elf, `${newer}.0`));
const newerTable = () =>
  forged("newer-table", (b, elf) => {
    const section = elf.section(".gopclntab")!;
    expect(b.readUInt32LE(section.offset)).toBe(0xfffffff1);
    b.writeUInt32LE(0xfffffff2, section.offset);
  });

describe("a Go release newer than gomodjail knows", () => {
  test("version strings: newer minor releases, rc and devel builds are newer; known ones are not", () => {
    for (const v of [`${newer}.0`, `${newer}rc1`, `devel ${newer}-abcdef Mon Jan 1`, "go1.100.1"]) expect(isNewerGo(v)).toBe(true);
    for (const v of ["go1.19.8", `go${NEWEST_KNOWN_GO}.4`, `go${NEWEST_KNOWN_GO}rc1`, "go1.2", "devel +abcdef", undefined]) expect(isNewerGo(v)).toBe(false);
  });

  test("GoBinary.open names the version found and the newest known", () => {
    const path = newerVersion();
    expect(() => GoBinary.open(path)).toThrow(NewerGoError);
    expect(() => GoBinary.open(path)).toThrow(
      `${path}: built with ${newer}.0, newer than gomodjail knows (go${NEWEST_KNOWN_GO}); see README "Go versions"`,
    );
  });

  test("a function table of a later format is refused as newer, not as 'not a Go binary'", () => {
    const path = newerTable();
    expect(() => GoBinary.open(path)).toThrow(NewerGoError);
    expect(() => GoBinary.open(path)).toThrow(/newer than gomodjail knows/);
  });

  for (const [what, make] of [
    ["version", newerVersion],
    ["function table", newerTable],
  ] as const) {
    test(`run: one line, exit 1, and the program never starts (newer ${what})`, async () => {
      // Started, the program would print "main-open: ok".
      const r = await runGomodjail(["run", `--go-mod=${goMod}`, "--", make(), "main-open"]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toStartWith("gomodjail: ");
      expect(r.stderr).toContain(`newer than gomodjail knows (go${NEWEST_KNOWN_GO}); see README "Go versions"`);
    });

    test(`inspect: one line and exit 1 (newer ${what})`, async () => {
      const r = await runGomodjail(["inspect", make()]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("newer than gomodjail knows");
    });
  }

  test("a running process of the policy's program built by a newer Go is judged unreadable (its syscalls blocked)", async () => {
    const prog = join(scratch, "newer-running");
    copyFileSync(newerVersion(), prog);
    const watched = new Watched(Bun.spawn([prog, "sleep"], { stdout: "pipe" }));
    await watched.until("ready\n");
    try {
      const { image } = new ImageCache(loadProfile(goMod), () => {}).forProcess(watched.proc.pid);
      expect(image.kind).toBe("unreadable");
      if (image.kind === "unreadable") expect(image.reason).toContain(`built with ${newer}.0, newer than gomodjail knows`);
    } finally {
      watched.proc.kill();
    }
  });
});
