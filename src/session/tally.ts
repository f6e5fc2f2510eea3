// Counts blocked (or, in audit mode, would-be-blocked) syscalls by module, syscall and class, keeping
// one example entry of each: what a user needs to decide what to confine, in bounded memory. The
// opens of the standard library's lazy loaders that went through for a confined module (std
// initialization, std-initialization.ts) are counted apart: they were not blocked.
import type { StdInitializationEvent } from "../tracer/hooks.ts";
import type { BlockedSyscall } from "../tracer/hooks.ts";

export interface BlockSummary {
  module: string;
  syscall: string;
  /** The calls' capability class ("none": in no class); absent where none was worked out (a loader variable at an exec) and in older reports. */
  class?: string;
  count: number;
  /** FILE:LINE:FUNC of the first occurrence. */
  example: string;
}

export class BlockTally {
  private readonly byKey = new Map<string, BlockSummary>();

  add(event: BlockedSyscall): void {
    // One syscall can be of two classes (openat to read, openat to write): a row each.
    const cls = event.class?.name;
    const key = `${event.module}\0${event.syscall}\0${cls ?? ""}`;
    const entry = this.byKey.get(key);
    if (entry) entry.count++;
    else this.byKey.set(key, { module: event.module, syscall: event.syscall, ...(cls !== undefined ? { class: cls } : {}), count: 1, example: event.entry });
  }

  /** Sorted by module, then by count (highest first). */
  entries(): BlockSummary[] {
    return [...this.byKey.values()].sort((a, b) => a.module.localeCompare(b.module) || b.count - a.count || a.syscall.localeCompare(b.syscall));
  }
}

/** Opens of one lazy loader that went through, checked, for one confined module that asked first. */
export interface StdInitializationSummary {
  /** The loader's row in src/confinement/std-functions.ts. */
  loader: string;
  module: string;
  count: number;
  /** The first file opened. */
  example: string;
}

export class StdInitializationTally {
  private readonly byKey = new Map<string, StdInitializationSummary>();

  add(event: StdInitializationEvent): void {
    const key = `${event.loader}\0${event.module}`;
    const entry = this.byKey.get(key);
    if (entry) entry.count++;
    else this.byKey.set(key, { loader: event.loader, module: event.module, count: 1, example: event.file });
  }

  /** Sorted by loader, then by module. */
  entries(): StdInitializationSummary[] {
    return [...this.byKey.values()].sort((a, b) => a.loader.localeCompare(b.loader) || a.module.localeCompare(b.module));
  }
}

/** A plain-text table of a tally's entries, one row per module, syscall and class. */
export function formatBlockSummary(title: string, entries: readonly BlockSummary[]): string {
  return table(title, ["MODULE", "SYSCALL", "CLASS", "COUNT", "EXAMPLE ENTRY"], entries.map((e) => [e.module, e.syscall, e.class ?? "-", String(e.count), e.example]));
}

/** A plain-text table of the std initialization opens, one row per loader and module. */
export function formatStdInitializationSummary(title: string, entries: readonly StdInitializationSummary[]): string {
  return table(title, ["LOADER", "FOR MODULE", "COUNT", "EXAMPLE FILE"], entries.map((e) => [e.loader, e.module, String(e.count), e.example]));
}

function table(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [title, line(header), ...rows.map(line)].join("\n") + "\n";
}
