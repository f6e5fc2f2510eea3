// errnoName (src/libc/libc.ts) names errors 1-34 from its own table, without loading node:os, and
// the rest through node:os: both must agree with what node:os says this kernel's numbers mean.
import { expect, test } from "bun:test";
import { constants } from "node:os";
import { errnoName } from "../../src/libc/libc.ts";

const byNumber = new Map<number, string[]>();
for (const [name, n] of Object.entries(constants.errno)) byNumber.set(n, [...(byNumber.get(n) ?? []), name]);

test("errors 1-34 have the names node:os gives their numbers (EAGAIN, not its alias EWOULDBLOCK), and 15 is ENOTBLK, which node:os may not know", () => {
  for (let n = 1; n <= 34; n++) if (byNumber.has(n)) expect(byNumber.get(n)).toContain(errnoName(n));
  expect(errnoName(11)).toBe("EAGAIN");
  expect(errnoName(15)).toBe("ENOTBLK");
});

test("other errors are named through node:os, and a number it does not know says so", () => {
  expect(errnoName(constants.errno.ENOSYS)).toBe("ENOSYS");
  expect(errnoName(constants.errno.ECONNREFUSED)).toBe("ECONNREFUSED");
  expect(errnoName(0)).toBe("errno 0");
  expect(errnoName(99999)).toBe("errno 99999");
});
