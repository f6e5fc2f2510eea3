// posixSpawn (src/libc/spawn.ts) gives a child the descriptors it is asked to and no other, even
// one this process holds without close-on-exec: JavaScriptCore's threads open such a descriptor
// (/proc/self/statm) at any moment, and one open at a stage's spawn would reach the program.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { waitpid } from "../../src/libc/libc.ts";
import { posixSpawn } from "../../src/libc/spawn.ts";
import { openInheritable } from "../helpers/descriptors.ts";

/** The descriptors of a child spawned with `keep` and `dup2`, as its `ls /proc/self/fd` lists them (less ls's own). */
function childDescriptors(keep: number[], dup2: [number, number][] = []): number[] {
  const out = join(mkdtempSync(join(tmpdir(), "gomodjail-spawn-")), "fds");
  const pid = posixSpawn("/bin/sh", ["sh", "-c", `exec ls /proc/self/fd >'${out}'`], { PATH: "/usr/bin:/bin" }, { keep, dup2 });
  const status = new Int32Array(1);
  expect(waitpid(pid, status, 0)).toBe(pid);
  expect(status[0]).toBe(0);
  const fds = readFileSync(out, "utf8").split("\n").filter(Boolean).map(Number);
  // ls's own, for the directory it lists: the lowest number free in it.
  const own = fds.find((fd) => fd > 2 && !keep.includes(fd) && !dup2.some(([, to]) => to === fd));
  return fds.filter((fd) => fd !== own).sort((a, b) => a - b);
}

test("a descriptor open without close-on-exec reaches a child only if it is given", () => {
  const given = openInheritable();
  const other = openInheritable();
  try {
    expect(childDescriptors([given])).toEqual([0, 1, 2, given]);
    expect(childDescriptors([])).toEqual([0, 1, 2]);
  } finally {
    closeSync(given);
    closeSync(other);
  }
});

test("a descriptor handed to a child under another number arrives there, and under its own number only if given", () => {
  const from = openInheritable();
  // Above any this process has open: not `from`.
  const to = Math.max(...readdirSync("/proc/self/fd").map(Number)) + 1;
  try {
    expect(childDescriptors([], [[from, to]])).toEqual([0, 1, 2, to]);
    expect(childDescriptors([from], [[from, to]])).toEqual([0, 1, 2, from, to]);
  } finally {
    closeSync(from);
  }
});

test("a descriptor given that is close-on-exec is closed at the child's exec, as always", () => {
  const fd = openSync("/dev/null", "r");
  try {
    expect(childDescriptors([fd])).toEqual([0, 1, 2]);
  } finally {
    closeSync(fd);
  }
});
