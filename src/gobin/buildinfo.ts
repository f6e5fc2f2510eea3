// Reads the build information the Go linker embeds in an executable: the toolchain version and
// the module list (`go version -m` shows the same). gomodjail uses it to learn the main module and
// every dependency module path, which module attribution needs.
//
// Layout: a 32-byte header aligned to 16 bytes, at the start of section `.go.buildinfo` (without
// section headers: at the start of the writable data segment):
//   [0,14)  magic "\xff Go buildinf:"
//   14      pointer size
//   15      flags: bit 0 big-endian, bit 1 "strings follow inline" (Go >= 1.18)
//   inline format: from byte 32, two strings, each a uvarint length and the bytes
//   pointer format (Go 1.13-1.17): at 16 and 16+ptrSize, addresses of two Go string headers
// The two strings are the Go version and the module info text, which is framed by 16-byte
// sentinels and holds one record per line (`path`, `mod`, `dep`, `=>`, `build`).
import type { ElfFile } from "../elf/elf.ts";

export interface ModuleVersion {
  path: string;
  /** "(devel)" for the main module built from a source tree; "" for a directory replacement. */
  version: string;
  /** The go.sum hash ("h1:..."), when the module came from the module cache. */
  sum?: string;
  replace?: ModuleVersion;
}

export interface BuildInfo {
  /** As the toolchain reports it, e.g. "go1.21.13". */
  goVersion: string;
  /** The main package's import path; "" for a binary built outside module mode. */
  path: string;
  /** The main module; absent outside module mode. */
  main?: ModuleVersion;
  deps: ModuleVersion[];
  /** `build` lines in file order, e.g. "-buildmode" -> "pie", "CGO_ENABLED" -> "1". */
  settings: Map<string, string>;
}

/** The file has build information, but it cannot be decoded. */
export class BuildInfoError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: corrupt Go build information: ${reason}`);
    this.name = "BuildInfoError";
  }
}

const MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]; // "\xff Go buildinf:"
const HEADER_SIZE = 32;
const HEADER_ALIGN = 16;
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE_STRINGS = 2;
const SENTINEL_SIZE = 16;

const PF_X = 1;
const PF_W = 2;

/**
 * The build information of a Go executable, or undefined when it has none (not a Go program,
 * or one whose build information is not in the file). Throws BuildInfoError when it is present
 * but cannot be decoded.
 */
export function readBuildInfo(elf: ElfFile): BuildInfo | undefined {
  const header = findBuildInfo(elf);
  if (!header) return undefined;
  const fail = (reason: string): never => {
    throw new BuildInfoError(elf.path, reason);
  };
  if (header.length < HEADER_SIZE) fail("header is truncated");
  const ptrSize = header[14];
  const flags = header[15];
  if (flags & FLAG_BIG_ENDIAN) fail("header says big-endian in a little-endian file");

  let version: Uint8Array;
  let modinfo: Uint8Array;
  if (flags & FLAG_INLINE_STRINGS) {
    const first = readInlineString(header, HEADER_SIZE) ?? fail("Go version string runs past its region");
    const second = readInlineString(header, first.end) ?? fail("module information runs past its region");
    version = first.bytes;
    modinfo = second.bytes;
  } else {
    if (ptrSize !== 8) fail(`pointer size ${ptrSize} in a 64-bit file`);
    const view = new DataView(header.buffer, header.byteOffset, HEADER_SIZE);
    const versionAt = view.getBigUint64(16, true);
    const modinfoAt = view.getBigUint64(24, true);
    // Old position-independent binaries leave these pointers to dynamic relocations, so the
    // file holds zeros: the information exists only in a running process.
    if (versionAt === 0n && modinfoAt === 0n) return undefined;
    version = readGoString(elf, versionAt) ?? fail("the Go version pointer does not point into the file");
    modinfo = readGoString(elf, modinfoAt) ?? fail("the module information pointer does not point into the file");
  }

  const goVersion = decodeUtf8(version);
  if (goVersion === "") fail("empty Go version");
  return { goVersion, ...parseModInfo(unframe(modinfo), elf.path) };
}

/**
 * The bytes that hold the header, from its offset: the dedicated section, else the first
 * writable data segment that has it (the linker puts it first in the data segment; in PIE
 * binaries a relocation-read-only segment comes before that one).
 */
function findBuildInfo(elf: ElfFile): Uint8Array | undefined {
  const section = elf.section(".go.buildinfo");
  if (section) {
    const data = elf.sectionData(section);
    const at = findMagic(data);
    return at < 0 ? undefined : data.subarray(at);
  }
  for (const segment of elf.segments) {
    if (segment.type !== "load" || (segment.flags & (PF_X | PF_W)) !== PF_W) continue;
    const data = elf.bytes.subarray(segment.offset, segment.offset + segment.filesz);
    const at = findMagic(data);
    if (at >= 0) return data.subarray(at);
  }
  return undefined;
}

/** Offset of the first 16-byte aligned magic in region, or -1. */
function findMagic(region: Uint8Array): number {
  outer: for (let at = 0; at + MAGIC.length <= region.length; at += HEADER_ALIGN) {
    for (let i = 0; i < MAGIC.length; i++) if (region[at + i] !== MAGIC[i]) continue outer;
    return at;
  }
  return -1;
}

function readInlineString(data: Uint8Array, at: number): { bytes: Uint8Array; end: number } | undefined {
  let length = 0;
  let shift = 1;
  for (let i = 0; ; i++) {
    if (at >= data.length || i === 10) return undefined;
    const b = data[at++];
    length += (b & 0x7f) * shift;
    shift *= 128;
    if (b < 0x80) break;
  }
  if (length > data.length - at) return undefined;
  return { bytes: data.subarray(at, at + length), end: at + length };
}

/** The bytes of the Go string whose header (data pointer, length) is at `addr`. */
function readGoString(elf: ElfFile, addr: bigint): Uint8Array | undefined {
  const header = elf.readAt(Number(addr), 16);
  if (!header) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, 16);
  const data = view.getBigUint64(0, true);
  const length = view.getBigUint64(8, true);
  if (length === 0n) return new Uint8Array(0);
  if (length > BigInt(elf.bytes.length)) return undefined;
  return elf.readAt(Number(data), Number(length));
}

/** The module information without its sentinels; "" when it is not framed (no modules). */
function unframe(modinfo: Uint8Array): string {
  const n = modinfo.length;
  if (n < 2 * SENTINEL_SIZE + 1 || modinfo[n - SENTINEL_SIZE - 1] !== 0x0a) return "";
  return decodeUtf8(modinfo.subarray(SENTINEL_SIZE, n - SENTINEL_SIZE));
}

const utf8 = new TextDecoder("utf-8");
function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/**
 * Parses the module information text (without sentinels). Exported for tests; `file` names the
 * binary in errors. Unknown record kinds are skipped, as the Go toolchain does, so newer
 * toolchains' additions do not break older readers.
 */
export function parseModInfo(text: string, file: string): Omit<BuildInfo, "goVersion"> {
  const info: Omit<BuildInfo, "goVersion"> = { path: "", deps: [], settings: new Map() };
  // The module that a following `=>` line replaces.
  let replaceable: ModuleVersion | undefined;
  const lines = text.split("\n");
  // Only newline-terminated lines count; the text normally ends with one.
  lines.pop();
  lines.forEach((line, index) => {
    const fail = (reason: string): never => {
      throw new BuildInfoError(file, `module information line ${index + 1}: ${reason}`);
    };
    const tab = line.indexOf("\t");
    const kind = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? "" : line.slice(tab + 1);
    switch (kind) {
      case "path":
        info.path = rest;
        break;
      case "mod":
        info.main = replaceable = moduleFields(rest, fail);
        break;
      case "dep":
        replaceable = moduleFields(rest, fail);
        info.deps.push(replaceable);
        break;
      case "=>": {
        const fields = rest.split("\t");
        if (fields.length !== 3) fail(`a replacement needs 3 fields, found ${fields.length}`);
        if (!replaceable) fail("a replacement that follows no module");
        replaceable!.replace = moduleVersion(fields[0], fields[1], fields[2]);
        replaceable = undefined;
        break;
      }
      case "build": {
        const [key, value] = parseSetting(rest) ?? fail(`malformed build setting ${JSON.stringify(rest)}`);
        info.settings.set(key, value);
        break;
      }
    }
  });
  return info;
}

function moduleFields(rest: string, fail: (reason: string) => never): ModuleVersion {
  const fields = rest.split("\t");
  if (fields.length !== 2 && fields.length !== 3) fail(`a module needs 2 or 3 fields, found ${fields.length}`);
  return moduleVersion(fields[0], fields[1], fields[2] ?? "");
}

function moduleVersion(path: string, version: string, sum: string): ModuleVersion {
  return sum === "" ? { path, version } : { path, version, sum };
}

/** `KEY=VALUE`, where either side may be a Go quoted string; undefined when malformed. */
function parseSetting(kv: string): [string, string] | undefined {
  let key: string;
  let rawValue: string;
  if (kv.startsWith('"') || kv.startsWith("`")) {
    const end = quotedEnd(kv);
    if (end < 0 || kv[end] !== "=") return undefined;
    const unquoted = unquoteGo(kv.slice(0, end));
    if (unquoted === undefined) return undefined;
    key = unquoted;
    rawValue = kv.slice(end + 1);
  } else {
    const eq = kv.indexOf("=");
    if (eq <= 0) return undefined;
    key = kv.slice(0, eq);
    rawValue = kv.slice(eq + 1);
  }
  if (!rawValue.startsWith('"') && !rawValue.startsWith("`")) return [key, rawValue];
  const value = unquoteGo(rawValue);
  return value === undefined ? undefined : [key, value];
}

/** Index just past the quoted string at the start of s, or -1 if it is not closed. */
function quotedEnd(s: string): number {
  const quote = s[0];
  for (let i = 1; i < s.length; i++) {
    if (s[i] === quote) return i + 1;
    if (quote === '"' && s[i] === "\\") i++;
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34 };
const HEX_ESCAPES: Record<string, RegExp> = { x: /^[0-9a-fA-F]{2}$/, u: /^[0-9a-fA-F]{4}$/, U: /^[0-9a-fA-F]{8}$/ };

/**
 * The value of a whole Go string literal (double-quoted with escapes, or back-quoted raw), or
 * undefined if s is not exactly one literal. Byte escapes may spell UTF-8, so this builds bytes.
 */
export function unquoteGo(s: string): string | undefined {
  if (s.length < 2 || s[s.length - 1] !== s[0]) return undefined;
  const body = s.slice(1, -1);
  if (s[0] === "`") return body.includes("`") ? undefined : body.replaceAll("\r", "");
  if (s[0] !== '"') return undefined;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '"' || c === "\n") return undefined;
    if (c !== "\\") {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]);
      i += 2;
    } else if (e in HEX_ESCAPES) {
      const digits = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + digits);
      if (!HEX_ESCAPES[e].test(hex)) return undefined;
      const n = parseInt(hex, 16);
      if (e === "x") bytes.push(n);
      else if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) return undefined;
      else bytes.push(...encoder.encode(String.fromCodePoint(n)));
      i += 2 + digits;
    } else if (e >= "0" && e <= "7") {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return undefined;
      bytes.push(parseInt(oct, 8));
      i += 4;
    } else {
      return undefined;
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}
