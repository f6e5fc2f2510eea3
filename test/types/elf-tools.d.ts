// The part of elf-tools (npm, MIT; it ships no types) that the tests use: its reader and its
// builder. Type names it has no entry for (AArch64's e_machine, newer GNU types) read as undefined.
declare module "elf-tools" {
  interface ElfToolsSectionHeader {
    name: string;
    type: string | undefined;
    addr: number;
    offset: number;
    size: number;
  }
  interface ElfToolsProgramHeader {
    type: string | undefined;
    /** p_flags as names joined by "|", lowest bit first: "execute|read". */
    flags: string;
    offset: number;
    vaddr: number;
    filesz: number;
    memsz: number;
  }
  interface ElfToolsImage {
    header: { machine: string | undefined; type: string | undefined; entry: number };
    programs: { header: ElfToolsProgramHeader; data: Buffer }[];
    sections: { header: ElfToolsSectionHeader; data: Buffer }[];
  }
  /** Parses an ELF image; it reverses the image's 8-byte fields in place, so give it a copy. */
  export function parse(image: Buffer): ElfToolsImage;
  /** An executable of `code` (and optional data) loaded at 0x400000, with an amd64 header. */
  export function build(opts: { code: Buffer }): Buffer;
}
