// cStringArray and environmentArray (src/libc/cstrings.ts) lay out argv and envp for libc: read
// back through the pointers they hand out, as execve would.
import { CString, read, type Pointer } from "bun:ffi";
import { expect, test } from "bun:test";
import { cStringArray, environmentArray } from "../../src/libc/cstrings.ts";

/** The strings a NULL-terminated array of pointers at `pointer` points to. */
function readBack(pointer: Pointer): string[] {
  const strings: string[] = [];
  for (let i = 0; ; i++) {
    const p = read.ptr(pointer, i * 8);
    if (p === 0) return strings;
    strings.push(new CString(p as Pointer).toString());
  }
}

test("each string arrives whole and NUL-terminated, UTF-8 and empty ones too, and the array ends with NULL, an empty one too", () => {
  const items = ["sh", "", "-c", "échec ✓ 🐹", "x".repeat(5000)];
  const array = cStringArray(items);
  expect(readBack(array.pointer)).toEqual(items);
  const empty = cStringArray([]);
  expect(readBack(empty.pointer)).toEqual([]);
});

test("the environment is NAME=VALUE for each name set, none for a name set to undefined or inherited", () => {
  const inherited = Object.create({ LD_PRELOAD: "/tmp/evil.so" }) as Record<string, string | undefined>;
  const env = Object.assign(inherited, { PATH: "/usr/bin:/bin", UNSET: undefined, EMPTY: "", GODEBUG: "a=1,b=2" });
  const envp = environmentArray(env);
  expect(readBack(envp.pointer)).toEqual(["PATH=/usr/bin:/bin", "EMPTY=", "GODEBUG=a=1,b=2"]);
});
