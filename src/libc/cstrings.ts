// NUL-terminated strings and NULL-terminated pointer arrays for libc calls. The returned object
// keeps every buffer alive for as long as the caller holds it.
import { ptr, type Pointer } from "bun:ffi";

interface CStringArray {
  pointer: Pointer;
  keepAlive: unknown[];
}

export function cString(s: string): Buffer {
  return Buffer.from(`${s}\0`, "utf8");
}

export function cStringArray(items: readonly string[]): CStringArray {
  const strings = items.map(cString);
  const pointers = new BigUint64Array(items.length + 1);
  strings.forEach((b, i) => (pointers[i] = BigInt(ptr(b))));
  return { pointer: ptr(pointers), keepAlive: [strings, pointers] };
}

export function environmentArray(env: Record<string, string | undefined>): CStringArray {
  return cStringArray(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])));
}
