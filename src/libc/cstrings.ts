// NUL-terminated strings and NULL-terminated pointer arrays for libc calls. The returned object
// keeps every buffer alive for as long as the caller holds it. Plain loops: the first call of a
// builtin written in JavaScript (map, flatMap, forEach) compiles it, half a millisecond of the
// stage's spawn on the command line's start-up.
import { ptr, type Pointer } from "bun:ffi";

interface CStringArray {
  pointer: Pointer;
  keepAlive: unknown[];
}

const encoder = new TextEncoder();

export function cString(s: string): Uint8Array {
  return encoder.encode(`${s}\0`);
}

/** The strings, each NUL-terminated, in one buffer, and a NULL-terminated array of pointers into it. */
export function cStringArray(items: readonly string[]): CStringArray {
  // UTF-8 takes at most three bytes for each UTF-16 unit. One more: ptr() has no address for an empty array.
  let size = 1;
  for (const s of items) size += s.length * 3 + 1;
  const bytes = new Uint8Array(size);
  const offsets: number[] = [];
  let at = 0;
  for (const s of items) {
    offsets.push(at);
    at += encoder.encodeInto(s, bytes.subarray(at)).written + 1;
  }
  // Only now: a small array's bytes move when a view of them is first taken (subarray).
  const base = BigInt(ptr(bytes));
  const pointers = new BigUint64Array(items.length + 1);
  for (let i = 0; i < offsets.length; i++) pointers[i] = base + BigInt(offsets[i]!);
  return { pointer: ptr(pointers), keepAlive: [bytes, pointers] };
}

/** `env` as the NAME=VALUE strings of an envp, without the names set to undefined. */
export function environmentArray(env: Record<string, string | undefined>): CStringArray {
  const entries: string[] = [];
  // Its own names only (for-in would take inherited ones too).
  for (const name of Object.keys(env)) {
    const value = env[name];
    if (value !== undefined) entries.push(`${name}=${value}`);
  }
  return cStringArray(entries);
}
