// Where the learned go.mod goes: checked before the program runs, then written whole, keeping
// an existing file's mode, and written into a device (-o /dev/null) without replacing it.
import { expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkWritable, writeWhole } from "../../src/learn/output.ts";

const dir = () => mkdtempSync(join(tmpdir(), "gomodjail-output-"));

test("replaces an existing file whole, keeping its mode, and leaves no temporary file", () => {
  const d = dir();
  const file = join(d, "go.mod");
  writeFileSync(file, "old\n");
  chmodSync(file, 0o640);
  writeWhole(file, "new\n");
  expect(readFileSync(file, "utf8")).toBe("new\n");
  expect(statSync(file).mode & 0o777).toBe(0o640);
  expect(readdirSync(d)).toEqual(["go.mod"]);
});

test("writes into a device instead of replacing it", () => {
  writeWhole("/dev/null", "discarded\n");
  expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
});

test("refuses a directory and a file in a missing directory, naming the file", () => {
  const d = dir();
  expect(() => checkWritable(d)).toThrow(`${d}: cannot write: is a directory`);
  expect(() => checkWritable(join(d, "no", "go.mod"))).toThrow(`${join(d, "no", "go.mod")}: cannot write: no directory ${join(d, "no")}`);
  expect(() => checkWritable(join(d, "new.mod"))).not.toThrow();
});
