// The file-backed bytes of an ELF executable's loadable segments, addressed by link-time
// virtual address: how the tables that pclntab points to (moduledata, inline trees) are read.
import type { ElfFile } from "../../elf/elf.ts";
import { TableBytes } from "./bytes.ts";

interface Segment {
  vaddr: number;
  bytes: TableBytes;
}

export class SegmentMemory {
  readonly segments: readonly Segment[];

  constructor(elf: ElfFile) {
    this.segments = elf.segments
      .filter((s) => s.type === "load" && s.filesz > 0)
      .map((s) => ({ vaddr: s.vaddr, bytes: new TableBytes(elf.bytes.subarray(s.offset, s.offset + s.filesz), elf.path) }));
  }

  /** The segment holding `length` bytes at `vaddr` and the offset of `vaddr` in it, if the file holds them. */
  find(vaddr: number, length: number): { bytes: TableBytes; off: number } | undefined {
    for (const s of this.segments) {
      const off = vaddr - s.vaddr;
      if (off >= 0 && off + length <= s.bytes.length) return { bytes: s.bytes, off };
    }
    return undefined;
  }

  /**
   * The segment's bytes from its first 8-aligned address on, as 32-bit words for fast native
   * searches (indexOf); `vaddr` is the address of word 0.
   */
  words(s: Segment): { words: Uint32Array; vaddr: number } {
    const skip = (8 - (s.vaddr % 8)) % 8;
    let bytes = s.bytes.bytes.subarray(skip);
    bytes = bytes.subarray(0, bytes.length - (bytes.length % 4));
    // A mapped file is page-aligned, so this copies only for bytes that came from elsewhere.
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
    return { words: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), vaddr: s.vaddr + skip };
  }

  /** The 64-bit word at `vaddr`, or undefined when the file does not hold it. */
  word(vaddr: number): number | undefined {
    const at = this.find(vaddr, 8);
    return at && at.bytes.u64(at.off, `word at ${hex(vaddr)}`);
  }
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
