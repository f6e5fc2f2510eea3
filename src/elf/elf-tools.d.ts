// Types for the parts of elf-tools that gomodjail uses (the package ships none).
declare module "elf-tools" {
  interface ElfToolsHeader {
    entry: number;
    type: string;
    machine: string;
  }
  interface ElfToolsProgram {
    header: { type: string | number; offset: number; vaddr: number; filesz: number; memsz: number };
  }
  interface ElfToolsSection {
    header: { name: string; type: string | number; addr: number; offset: number; size: number };
  }
  export function parse(image: Buffer): {
    header: ElfToolsHeader;
    programs: ElfToolsProgram[];
    sections: ElfToolsSection[];
  };
}
