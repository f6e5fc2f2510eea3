// The standard library's function table (src/confinement/std-functions.ts) against real binaries:
// every lazy loader's initializer is named so in the binaries of the oldest, a middle and the
// newest toolchain (default and stripped builds); lazyLoaderAt recognises the loaders on the
// stacks the jail really judges; and the descriptor check allows a row's files and nothing else.
import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ElfFile } from "../../src/elf/elf.ts";
import { ModuleIndex } from "../../src/gobin/modules.ts";
import { Pclntab } from "../../src/gobin/pclntab.ts";
import { inGoRange, LAZY_LOADERS, lazyLoaderAt, loaderMayOpen, type LazyLoader, type OpenedFile } from "../../src/confinement/std-functions.ts";
import { goBuild, goToolchains, goTool, repoRoot, type GoVariant } from "../helpers/gobuild.ts";
import { runGomodjail } from "../helpers/gomodjail.ts";

const fixture = join(repoRoot, "test/fixtures/lazyloaders/app");
const goMod = join(fixture, "go.mod");
const versions = ["1.19", "1.21", "1.27"].filter((v) => goToolchains().includes(v));
const variants: GoVariant[] = ["default", "stripped"];
const row = (name: string): LazyLoader => LAZY_LOADERS.find((r) => r.name === name)!;

/** Each function of the binary's table, by name, with the file of its entry. */
function functionFiles(binary: string): Map<string, string> {
  const tab = Pclntab.fromElf(ElfFile.open(binary));
  const files = new Map<string, string>();
  for (let i = 0; i < tab.funcCount; i++) files.set(tab.funcName(i), tab.fileLine(i, tab.funcEntry(i))?.file ?? "?");
  return files;
}

describe("every initializer is in the binaries of its releases", () => {
  for (const go of versions) {
    for (const variant of variants) {
      test(`Go ${go} ${variant}`, () => {
        const binary = goBuild({ dir: fixture, go, variant });
        const files = functionFiles(binary);
        const symbols = variant === "default" ? new Set(goTool(go, ["tool", "nm", binary]).split("\n").map((l) => l.trim().split(/\s+/).slice(2).join(" "))) : undefined;
        for (const r of LAZY_LOADERS) {
          for (const init of r.initializers.filter((i) => inGoRange(i.go, `go${go}`))) {
            // crypto/internal/sysrand appears once crypto/rand has it (1.24), the fixture's main uses crypto/rand.
            expect({ row: r.name, func: init.func, file: files.get(init.func)?.replace(/.*\/src\//, "") }).toEqual({ row: r.name, func: init.func, file: init.source });
            if (symbols) expect(symbols.has(init.func)).toBe(true);
          }
        }
      });
    }
  }
});

interface Frame {
  func: string;
  file: string;
}

/** The stacks of a run's blocked openat calls, from its --debug records (innermost frame first). */
async function blockedOpenStacks(go: string, args: string[]): Promise<Frame[][]> {
  const binary = goBuild({ dir: fixture, go });
  const r = await runGomodjail(["run", "--debug", "--log-format=json", `--go-mod=${goMod}`, "--", binary, ...args], { env: { TZ: "Europe/Paris" } });
  expect(r.exitCode).toBe(0);
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { msg: string; syscall?: string; stack?: string })
    .filter((rec) => rec.msg === "block" && rec.syscall === "openat")
    .map((rec) =>
      rec.stack!.split(" <- ").map((s) => {
        // "FUNC FILE:LINE": a function's name may hold spaces (instantiations), its file does not.
        const at = s.lastIndexOf(" ");
        return { func: s.slice(0, at), file: s.slice(at + 1).replace(/:\d+$/, "") };
      }),
    );
}

const modules = new ModuleIndex("example.com/lazyapp", ["example.com/first"]);
const isStd = (f: Frame) => modules.moduleOf(f.func).kind === "std";

/** The loaders the confined module touches, and the rows whose opens the jail blocks today. */
const touched: Record<string, (go: string) => string[]> = {
  time: () => ["time"],
  x509: () => ["crypto/x509"],
  mime: () => ["mime"],
  user: () => ["os/user"],
  lookup: (go) => (go === "1.19" ? ["net/conf"] : ["net/resolv.conf", "net/nsswitch.conf"]),
  // Go 1.19 asks the resolver's configuration whether cgo may look the port up.
  services: (go) => (go === "1.19" ? ["net/services", "net/conf"] : ["net/services"]),
  protocols: () => ["net/protocols"],
};

describe("lazyLoaderAt on the stacks the jail judges", () => {
  for (const go of versions) {
    for (const [loader, rows] of Object.entries(touched)) {
      test(`Go ${go}: ${loader}`, async () => {
        const stacks = await blockedOpenStacks(go, ["touch", loader]);
        const found = new Set(stacks.map((s) => lazyLoaderAt(s, isStd, `go${go}`)?.name).filter((n) => n !== undefined));
        expect([...found].sort()).toEqual(rows(go).sort());
        // What is not a loader has no Once to run in: x509's retry outside it, the hosts file.
        for (const s of stacks) if (!lazyLoaderAt(s, isStd, `go${go}`)) expect(s.some((f) => f.func === "sync.(*Once).doSlow")).toBe(false);
      });
    }
    test(`Go ${go}: the confined module's own open is no loader's`, async () => {
      const stacks = await blockedOpenStacks(go, ["open-passwd"]);
      expect(stacks.length).toBe(1);
      expect(lazyLoaderAt(stacks[0]!, isStd, `go${go}`)).toBeUndefined();
    });
  }
});

describe("lazyLoaderAt", () => {
  const leaf = [
    { func: "syscall.openat", file: "/usr/lib/go/src/syscall/zsyscall_linux_amd64.go" },
    { func: "net.open", file: "/usr/lib/go/src/net/parse.go" },
  ];
  const doSlow = { func: "sync.(*Once).doSlow", file: "/usr/lib/go/src/sync/once.go" };
  const caller = { func: "example.com/first.Touch", file: "/src/first/first.go" };
  const stdOnly = (f: Frame) => !f.func.startsWith("example.com/");

  test("takes the function the Once runs, and needs a release for names that changed", () => {
    const stack = [...leaf, { func: "net.readServices", file: "net/port_unix.go" }, doSlow, caller];
    expect(lazyLoaderAt(stack, stdOnly, "go1.27.4")?.name).toBe("net/services");
    expect(lazyLoaderAt(stack, stdOnly, undefined)?.name).toBe("net/services");
    const protocols = [...leaf, { func: "net.readProtocols", file: "net/lookup_unix.go" }, doSlow, caller];
    expect(lazyLoaderAt(protocols, stdOnly, "go1.24.4")?.name).toBe("net/protocols");
    expect(lazyLoaderAt(protocols, stdOnly, "go1.25.0")).toBeUndefined();
    expect(lazyLoaderAt(protocols, stdOnly, undefined)).toBeUndefined();
  });

  test("looks past sync.OnceFunc's closures, whatever inlining named them", () => {
    for (const wrapper of ["sync.OnceFunc.func1.1", "net.init.OnceFunc.func7.1"]) {
      const stack = [...leaf, { func: "net.init.func6", file: "/usr/lib/go/src/net/lookup_unix.go" }, { func: wrapper, file: "/usr/lib/go/src/sync/oncefunc.go" }, doSlow, caller];
      expect(lazyLoaderAt(stack, stdOnly, "go1.26.1")?.name).toBe("net/protocols");
    }
  });

  test("refuses a stack with code outside the standard library inside the Once", () => {
    const callback = [...leaf, caller, { func: "time.initLocal", file: "time/zoneinfo_unix.go" }, doSlow, caller];
    expect(lazyLoaderAt(callback, stdOnly, "go1.27")).toBeUndefined();
    const ownOnce = [...leaf, { func: "example.com/first.init.func1", file: "/src/first/first.go" }, doSlow, caller];
    expect(lazyLoaderAt(ownOnce, stdOnly, "go1.27")).toBeUndefined();
    expect(lazyLoaderAt([...leaf, caller], stdOnly, "go1.27")).toBeUndefined();
    expect(lazyLoaderAt([doSlow, caller], stdOnly, "go1.27")).toBeUndefined();
  });
});

/** What /proc/PID/fd/N would report for a descriptor open on `path`. */
function opened(path: string): OpenedFile {
  const real = realpathSync(path);
  const st = statSync(real);
  return { path: real, dev: st.dev, ino: st.ino };
}

describe("the files a loader may open", () => {
  const noEnv = {};
  const go = "go1.27.4";

  test("time: /etc/localtime where it leads, and the zone directories", () => {
    expect(loaderMayOpen(row("time"), opened("/etc/localtime"), noEnv, go)).toBe(true);
    expect(loaderMayOpen(row("time"), opened("/usr/share/zoneinfo/Europe/Paris"), noEnv, go)).toBe(true);
    expect(loaderMayOpen(row("time"), opened("/etc/passwd"), noEnv, go)).toBe(false);
    // TZ="../../../etc/passwd" under a zone directory: the kernel's path is /etc/passwd.
    expect(loaderMayOpen(row("time"), opened("/usr/share/zoneinfo/../../../etc/passwd"), noEnv, go)).toBe(false);
  });

  test("crypto/x509: the bundle, the certificate directory and where its links lead", () => {
    const x509 = row("crypto/x509");
    expect(loaderMayOpen(x509, opened("/etc/ssl/certs/ca-certificates.crt"), noEnv, go)).toBe(true);
    expect(loaderMayOpen(x509, opened("/etc/ssl/certs"), noEnv, go)).toBe(true);
    const linked = readdirSync("/etc/ssl/certs").find((n) => n.endsWith(".pem") && readlinkSync(`/etc/ssl/certs/${n}`).startsWith("/"));
    expect(linked).toBeDefined();
    const target = opened(`/etc/ssl/certs/${linked}`);
    expect(target.path.startsWith("/etc/ssl/certs/")).toBe(false);
    expect(loaderMayOpen(x509, target, noEnv, go)).toBe(true);
    expect(loaderMayOpen(x509, opened("/etc/passwd"), noEnv, go)).toBe(false);
    expect(loaderMayOpen(x509, opened("/etc/ssl"), noEnv, go)).toBe(false);
  });

  test("mime, os/user and net: their files only", () => {
    expect(loaderMayOpen(row("mime"), opened("/etc/mime.types"), noEnv, go)).toBe(true);
    expect(loaderMayOpen(row("mime"), opened("/etc/passwd"), noEnv, go)).toBe(false);
    expect(loaderMayOpen(row("os/user"), opened("/etc/passwd"), noEnv, go)).toBe(true);
    expect(loaderMayOpen(row("os/user"), opened("/etc/hostname"), noEnv, go)).toBe(false);
    expect(loaderMayOpen(row("net/services"), opened("/etc/services"), noEnv, go)).toBe(true);
    expect(loaderMayOpen(row("net/services"), opened("/etc/protocols"), noEnv, go)).toBe(false);
  });

  test("the steering variables count as gomodjail found them, not as the program set them", () => {
    const dir = mkdtempSync(join(tmpdir(), "gomodjail-loaders-"));
    try {
      const zone = join(dir, "zone");
      copyFileSync("/usr/share/zoneinfo/Asia/Tokyo", zone);
      const bundle = join(dir, "bundle.pem");
      copyFileSync("/etc/ssl/certs/ca-certificates.crt", bundle);
      const certs = join(dir, "certs");
      symlinkSync("/etc/hostname", certs);
      expect(loaderMayOpen(row("time"), opened(zone), noEnv, go)).toBe(false);
      expect(loaderMayOpen(row("time"), opened(zone), { TZ: `:${zone}` }, go)).toBe(true);
      expect(loaderMayOpen(row("time"), opened(zone), { TZ: zone }, go)).toBe(true);
      expect(loaderMayOpen(row("time"), opened(zone), { TZ: "Asia/Tokyo" }, go)).toBe(false);
      expect(loaderMayOpen(row("crypto/x509"), opened(bundle), noEnv, go)).toBe(false);
      expect(loaderMayOpen(row("crypto/x509"), opened(bundle), { SSL_CERT_FILE: bundle }, go)).toBe(true);
      expect(loaderMayOpen(row("crypto/x509"), opened(bundle), { SSL_CERT_DIR: `/nonexistent:${dir}` }, go)).toBe(true);
      expect(loaderMayOpen(row("crypto/x509"), opened(dir), { SSL_CERT_DIR: dir }, go)).toBe(true);
      expect(loaderMayOpen(row("crypto/x509"), opened("/etc/hostname"), { SSL_CERT_DIR: dir }, go)).toBe(true);
      expect(loaderMayOpen(row("crypto/x509"), opened("/etc/hostname"), noEnv, go)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
