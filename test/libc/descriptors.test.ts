// inheritableDescriptors (src/libc/descriptors.ts) reads close-on-exec from /proc/self/fdinfo;
// fcntl(2) is the second, independent reading it is checked against.
import { closeSync, openSync, readlinkSync } from "node:fs";
import { expect, test } from "bun:test";
import { inheritableDescriptors, openDescriptors } from "../../src/libc/descriptors.ts";
import { inheritableByFcntl, openInheritable } from "../helpers/descriptors.ts";

test("a descriptor open without close-on-exec is inheritable, one with it is not", () => {
  const inherited = openInheritable();
  const closedAtExec = openSync("/dev/null", "r");
  try {
    const listed = inheritableDescriptors();
    expect(listed).toContain(inherited);
    expect(listed).not.toContain(closedAtExec);
  } finally {
    closeSync(inherited);
    closeSync(closedAtExec);
  }
});

test("the inheritable descriptors are those above stderr that fcntl says are not close-on-exec", () => {
  const inherited = openInheritable();
  try {
    // JavaScriptCore's threads open /proc/self/statm without close-on-exec for a moment now and
    // then: the two readings must agree in one of a few tries, as they cannot if one is wrong.
    const readings = Array.from({ length: 3 }, () => {
      const byFdinfo = inheritableDescriptors();
      const byFcntl = openDescriptors()
        .filter((fd) => fd > 2 && inheritableByFcntl(fd) && !ownProc(fd))
        .sort((a, b) => a - b);
      return [byFdinfo, byFcntl] as const;
    });
    expect(readings.some(([byFdinfo, byFcntl]) => Bun.deepEquals(byFdinfo, byFcntl))).toBe(true);
    expect(readings[0]![0]).toContain(inherited);
  } finally {
    closeSync(inherited);
  }
});

/** Whether `fd` is open on a file in this process's /proc directory. */
function ownProc(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`/proc/${process.pid}/`);
  } catch {
    return false;
  }
}

test("a descriptor into this process's /proc directory is never inheritable, close-on-exec or not", () => {
  const statm = openInheritable("/proc/self/statm");
  try {
    expect(ownProc(statm)).toBe(true);
    expect(inheritableDescriptors()).not.toContain(statm);
  } finally {
    closeSync(statm);
  }
});

test("a closed descriptor is not inheritable", () => {
  const fd = openInheritable();
  closeSync(fd);
  expect(inheritableDescriptors()).not.toContain(fd);
});
