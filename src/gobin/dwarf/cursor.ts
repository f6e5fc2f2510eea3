// A bounds-checked little-endian reader over DWARF section bytes. Every read past the end, and
// every value no sane producer writes, becomes a DwarfError: damaged debug information must never
// surface as a RangeError or as a silently wrong offset.

/** The file's DWARF debug information is unreadable; the message names the file and the fault. */
export class DwarfError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: DWARF: ${reason}`);
    this.name = "DwarfError";
  }
}

const TWO_32 = 2 ** 32;
const utf8 = new TextDecoder("utf-8");

export class Cursor {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Names the section in error messages, e.g. "example: .debug_info". */
    readonly where: string,
    readonly file: string,
    public pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: string): never {
    throw new DwarfError(this.file, `${this.where}: ${reason}`);
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  private take(size: number, what: string): number {
    const at = this.pos;
    if (!(size >= 0 && at + size <= this.bytes.length)) {
      this.fail(`${what} at offset ${at} runs past the end (${this.bytes.length} bytes)`);
    }
    this.pos = at + size;
    return at;
  }

  skip(size: number, what: string): void {
    this.take(size, what);
  }

  u8(what: string): number {
    return this.bytes[this.take(1, what)];
  }

  u16(what: string): number {
    return this.view.getUint16(this.take(2, what), true);
  }

  u24(what: string): number {
    const at = this.take(3, what);
    return this.bytes[at] | (this.bytes[at + 1] << 8) | (this.bytes[at + 2] << 16);
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  /** A 64-bit value; offsets and sizes in real debug information stay far below 2^53. */
  u64(what: string): number {
    const at = this.take(8, what);
    const hi = this.view.getUint32(at + 4, true);
    if (hi >= 0x200000) this.fail(`${what} at offset ${at} is implausibly large`);
    return hi * TWO_32 + this.view.getUint32(at, true);
  }

  /** An unsigned LEB128 number; one that does not fit in 2^53 is refused. */
  uleb(what: string): number {
    const at = this.pos;
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8(what);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 128;
      if (scale > 2 ** 49) this.fail(`${what} at offset ${at} is too long`);
    }
    return result;
  }

  /** A signed LEB128 number within ±2^49. */
  sleb(what: string): number {
    const at = this.pos;
    let result = 0;
    let scale = 1;
    let b: number;
    do {
      b = this.u8(what);
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 56) this.fail(`${what} at offset ${at} is too long`);
    } while (b & 0x80);
    if (b & 0x40) result -= scale;
    return result;
  }

  /** Steps over a LEB128 number of any length. */
  skipLeb(what: string): void {
    while (this.u8(what) & 0x80);
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(what: string): string {
    const at = this.pos;
    const end = this.bytes.indexOf(0, at);
    if (end < 0) this.fail(`${what} at offset ${at} is not terminated`);
    this.pos = end + 1;
    return utf8.decode(this.bytes.subarray(at, end));
  }

  /** A 4- or 8-byte section offset, as the unit's DWARF format says. */
  offset(size: 4 | 8, what: string): number {
    return size === 4 ? this.u32(what) : this.u64(what);
  }
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Uint8Array, offset: number, where: string, file: string): string {
  return new Cursor(section, where, file, checkedOffset(section, offset, where, file)).cstring("string");
}

function checkedOffset(section: Uint8Array, offset: number, where: string, file: string): number {
  if (!(offset >= 0 && offset < section.length)) {
    throw new DwarfError(file, `${where}: string offset ${offset} lies outside the section (${section.length} bytes)`);
  }
  return offset;
}
