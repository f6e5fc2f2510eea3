// Counts blocked (or, in audit mode, would-be-blocked) syscalls by module and syscall, keeping
// one example entry of each: what a user needs to decide what to confine, in bounded memory.
import type { BlockedSyscall } from "./tracer.ts";

export interface BlockSummary {
  module: string;
  syscall: string;
  count: number;
  /** FILE:LINE:FUNC of the first occurrence. */
  example: string;
}

export class BlockTally {
  private readonly byKey = new Map<string, BlockSummary>();

  add(event: BlockedSyscall): void {
    const key = `${event.module}\0${event.syscall}`;
    const entry = this.byKey.get(key);
    if (entry) entry.count++;
    else this.byKey.set(key, { module: event.module, syscall: event.syscall, count: 1, example: event.entry });
  }

  /** Sorted by module, then by count (highest first). */
  entries(): BlockSummary[] {
    return [...this.byKey.values()].sort((a, b) => a.module.localeCompare(b.module) || b.count - a.count || a.syscall.localeCompare(b.syscall));
  }
}

/** A plain-text table of a tally's entries, one row per module and syscall. */
export function formatBlockSummary(title: string, entries: readonly BlockSummary[]): string {
  const rows = entries.map((e) => [e.module, e.syscall, String(e.count), e.example]);
  const header = ["MODULE", "SYSCALL", "COUNT", "EXAMPLE ENTRY"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [title, line(header), ...rows.map(line)].join("\n") + "\n";
}
