// What audited runs showed each module doing, counted by module, role, syscall and capability
// class with one example each, and the calls that no module could be named for: made from the tracer's
// BlockedSyscall events, written into reports, and merged from several by `gomodjail learn`.
import type { CapabilityClass } from "../policy/classes.ts";
import type { Role } from "../decision/involvement.ts";
import type { BlockedSyscall } from "../tracer/hooks.ts";

export interface InvolvementRow {
  module: string;
  role: Role;
  syscall: string;
  /**
   * The calls' capability class ("none": in no class). Absent where no class can let the module
   * take part (its C code judged without a goroutine), and in reports of older gomodjails.
   */
  class?: CapabilityClass | "none";
  /** Its own code made the syscall (the stack's leaf): it needs SYSTEM_CALLS too. */
  ownSyscall?: true;
  count: number;
  /** FILE:LINE:FUNC of the module's innermost frame at the first such call. */
  example: string;
  /** For all roles but "made": the module that made that first call... */
  madeBy?: string;
  /** ...and its frame. */
  madeAt?: string;
}

export interface UnseenRow {
  syscall: string;
  /** Why the call could not be attributed in full, goroutine numbers written as N. */
  reason: string;
  count: number;
  /** FILE:LINE:FUNC of the innermost frame outside the standard library at the first such call. */
  example: string;
}

export class EvidenceTally {
  private readonly rows = new Map<string, InvolvementRow>();
  private readonly unseenRows = new Map<string, UnseenRow>();

  add(event: BlockedSyscall): void {
    const inv = event.involvement;
    const modules = inv?.modules ?? [];
    const cls = event.class && { class: event.class.name as CapabilityClass | "none" };
    for (const m of modules) {
      const row: InvolvementRow = { module: m.module, role: m.role, syscall: event.syscall, ...cls, ...(m.ownSyscall ? { ownSyscall: true } : {}), count: 1, example: m.entry };
      if (m.role !== "made") Object.assign(row, { madeBy: inv!.maker, madeAt: inv!.makerEntry });
      this.addRow(row);
    }
    // The verdict's module took part even where the walk does not show it: C code judged by its
    // own rules, a function table that cannot be read. Those rules grant no class: the row has none.
    const known = modules.some((m) => m.module === event.module);
    if (event.module !== "unknown" && !known) this.addRow({ module: event.module, role: "made", syscall: event.syscall, count: 1, example: event.entry });
    if (inv?.unseen !== undefined) this.addUnseen({ syscall: event.syscall, reason: inv.unseen, count: 1, example: inv.makerEntry });
    else if (event.module === "unknown" && !known) this.addUnseen({ syscall: event.syscall, reason: event.reason, count: 1, example: event.entry });
  }

  /** Adds rows counted elsewhere (a report's). */
  addRow(row: InvolvementRow): void {
    const key = `${row.module}\0${row.role}\0${row.syscall}\0${row.class ?? ""}\0${row.ownSyscall ?? ""}`;
    const known = this.rows.get(key);
    if (known) known.count += row.count;
    else this.rows.set(key, { ...row });
  }

  addUnseen(row: UnseenRow): void {
    const reason = row.reason.replace(/goroutine \d+/g, "goroutine N");
    const key = `${row.syscall}\0${reason}`;
    const known = this.unseenRows.get(key);
    if (known) known.count += row.count;
    else this.unseenRows.set(key, { ...row, reason });
  }

  /** Sorted by module, role, then count (highest first). */
  involved(): InvolvementRow[] {
    const order: Record<Role, number> = { made: 0, calls: 1, callback: 2, creator: 3 };
    return [...this.rows.values()].sort(
      (a, b) =>
        a.module.localeCompare(b.module) || order[a.role] - order[b.role] || b.count - a.count || a.syscall.localeCompare(b.syscall) || (a.class ?? "").localeCompare(b.class ?? ""),
    );
  }

  unseen(): UnseenRow[] {
    return [...this.unseenRows.values()].sort((a, b) => b.count - a.count || a.syscall.localeCompare(b.syscall) || a.reason.localeCompare(b.reason));
  }
}
