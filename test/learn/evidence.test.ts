// The evidence of blocked calls, counted by module, role and syscall: every module the tracer
// saw take part, the verdict's module where the walk does not show it, and the calls that no
// module could be named for.
import { expect, test } from "bun:test";
import { EvidenceTally } from "../../src/learn/evidence.ts";
import type { BlockedSyscall } from "../../src/tracer/hooks.ts";

const base = { pid: 1, exe: "/prog", audit: true, reason: "confined" };

test("counts each module once per call, with its role, the first example, and who made the call", () => {
  const tally = new EvidenceTally();
  const event = (syscall: string, entry: string): BlockedSyscall => ({
    ...base,
    syscall,
    entry,
    module: "example.com/cobra",
    involvement: {
      maker: "example.com/app",
      makerEntry: "/app/main.go:3:main.run",
      modules: [
        { module: "example.com/cobra", role: "callback", entry },
        { module: "example.com/errgroup", role: "creator", entry: "/errgroup.go:9:example.com/errgroup.(*Group).Go" },
      ],
    },
  });
  tally.add(event("openat", "/cobra.go:1:example.com/cobra.execute"));
  tally.add(event("openat", "/cobra.go:2:example.com/cobra.other"));
  tally.add(event("mkdirat", "/cobra.go:1:example.com/cobra.execute"));
  expect(tally.involved()).toEqual([
    { module: "example.com/cobra", role: "callback", syscall: "openat", count: 2, example: "/cobra.go:1:example.com/cobra.execute", madeBy: "example.com/app", madeAt: "/app/main.go:3:main.run" },
    { module: "example.com/cobra", role: "callback", syscall: "mkdirat", count: 1, example: "/cobra.go:1:example.com/cobra.execute", madeBy: "example.com/app", madeAt: "/app/main.go:3:main.run" },
    { module: "example.com/errgroup", role: "creator", syscall: "openat", count: 2, example: "/errgroup.go:9:example.com/errgroup.(*Group).Go", madeBy: "example.com/app", madeAt: "/app/main.go:3:main.run" },
    { module: "example.com/errgroup", role: "creator", syscall: "mkdirat", count: 1, example: "/errgroup.go:9:example.com/errgroup.(*Group).Go", madeBy: "example.com/app", madeAt: "/app/main.go:3:main.run" },
  ]);
  expect(tally.unseen()).toEqual([]);
});

test("the verdict's module made the call where the walk shows no module (C code, an unreadable table)", () => {
  const tally = new EvidenceTally();
  tally.add({ ...base, syscall: "socket", entry: "/c/lib.c:5:cfunc", module: "example.com/cgo", involvement: { maker: "std", makerEntry: "unknown", modules: [] } });
  tally.add({ ...base, syscall: "openat", entry: "unknown", module: "example.com/x" });
  expect(tally.involved().map((r) => [r.module, r.role, r.syscall, r.example])).toEqual([
    ["example.com/cgo", "made", "socket", "/c/lib.c:5:cfunc"],
    ["example.com/x", "made", "openat", "unknown"],
  ]);
});

test("calls no module could be named for are counted by reason, goroutine numbers aside", () => {
  const tally = new EvidenceTally();
  const truncated = (goid: number): BlockedSyscall => ({
    ...base,
    syscall: "newfstatat",
    entry: "unknown",
    module: "unknown",
    reason: `the ancestry of goroutine ${goid} was truncated by the runtime`,
    involvement: { maker: "example.com/app", makerEntry: "/app/main.go:3:main.walk", modules: [], unseen: `the ancestry of goroutine ${goid} was truncated by the runtime` },
  });
  tally.add(truncated(12));
  tally.add(truncated(40));
  tally.add({ ...base, syscall: "openat", entry: "unknown", module: "unknown", reason: "cannot read the program's function table: bad" });
  expect(tally.unseen()).toEqual([
    { syscall: "newfstatat", reason: "the ancestry of goroutine N was truncated by the runtime", count: 2, example: "/app/main.go:3:main.walk" },
    { syscall: "openat", reason: "cannot read the program's function table: bad", count: 1, example: "unknown" },
  ]);
  expect(tally.involved()).toEqual([]);
});

test("each call's class is kept per row: one syscall of two classes makes two rows; a module whose own code made it says so", () => {
  const tally = new EvidenceTally();
  const open = (cls: string, ownSyscall: boolean): BlockedSyscall => ({
    ...base,
    syscall: "openat",
    entry: "/a.go:1:example.com/a.F",
    module: "example.com/a",
    class: { name: cls },
    involvement: {
      maker: "example.com/a",
      makerEntry: "/a.go:1:example.com/a.F",
      modules: [{ module: "example.com/a", role: "made", entry: "/a.go:1:example.com/a.F", ...(ownSyscall ? { ownSyscall: true as const } : {}) }],
    },
  });
  tally.add(open("FILES/READ", false));
  tally.add(open("FILES/READ", false));
  tally.add(open("FILES/WRITE", false));
  tally.add(open("FILES/READ", true));
  expect(tally.involved().map((r) => [r.class, r.ownSyscall, r.count])).toEqual([
    ["FILES/READ", undefined, 2],
    ["FILES/READ", true, 1],
    ["FILES/WRITE", undefined, 1],
  ]);
});

test("the verdict's module where the walk shows none gets no class: no class lets its C code through", () => {
  const tally = new EvidenceTally();
  tally.add({ ...base, syscall: "socket", entry: "/c/lib.c:5:cfunc", module: "example.com/cgo", class: { name: "NETWORK" }, involvement: { maker: "std", makerEntry: "unknown", modules: [] } });
  expect(tally.involved()[0]!.class).toBeUndefined();
});
