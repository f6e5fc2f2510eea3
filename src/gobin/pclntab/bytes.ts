// Bounds-checked little-endian reads over a Go binary's tables. Every read that would leave the
// range, or that finds a value no valid table holds, becomes a PclntabError: a corrupted binary
// must never surface as a RangeError or as a silently wrong answer.

/** The Go symbol table of a file is missing or unreadable; the message names the file and the fault. */
export class PclntabError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    /** The table looks like one of a Go release newer than this reader knows, not a damaged one. */
    readonly newerFormat = false,
  ) {
    super(`${file}: pclntab: ${reason}`);
    this.name = "PclntabError";
  }
}

const TWO_32 = 2 ** 32;
const utf8 = new TextDecoder("utf-8");

export class TableBytes {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(reason: string): never {
    throw new PclntabError(this.file, reason);
  }

  private check(off: number, size: number, what: string): void {
    if (!(off >= 0 && off + size <= this.bytes.length)) {
      this.fail(`${what} at offset ${off} lies outside the table (${this.bytes.length} bytes)`);
    }
  }

  u8(off: number, what: string): number {
    this.check(off, 1, what);
    return this.bytes[off];
  }

  i16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.view.getInt16(off, true);
  }

  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, true);
  }

  i32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getInt32(off, true);
  }

  /** A 64-bit word; addresses and sizes in a valid table stay far below 2^53. */
  u64(off: number, what: string): number {
    this.check(off, 8, what);
    const hi = this.view.getUint32(off + 4, true);
    if (hi >= 0x200000) this.fail(`${what} at offset ${off} is implausibly large`);
    return hi * TWO_32 + this.view.getUint32(off, true);
  }

  /** A NUL-terminated UTF-8 string starting at `off`. */
  cstring(off: number, what: string): string {
    this.check(off, 1, what);
    const end = this.bytes.indexOf(0, off);
    if (end < 0) this.fail(`${what} at offset ${off} is not terminated`);
    return utf8.decode(this.bytes.subarray(off, end));
  }
}
