// What the learned go.mod and the summary say of a module's evidence: for each role, how many
// trapped calls, which syscalls, and one example, worded so that a reviewer tells a library
// that does I/O itself from a framework that calls back into code that does; then for each
// capability class, what it was needed for.
import type { Role } from "../decision/involvement.ts";
import type { ClassEvidence, LearnedPolicy, ModuleFinding, NeededClass, RoleEvidence } from "./findings.ts";

/** Every line learn writes into a go.mod starts so; learn replaces its own earlier lines. */
export const learnedCommentPrefix = "// gomodjail learn:";

const roleOrder: Role[] = ["made", "calls", "callback", "creator"];

/**
 * The comment lines (without indentation) that say what the module did, one per role, then what
 * each class was needed for, then why it stays unconfined, when it does.
 */
export function evidenceComments(f: ModuleFinding, mainModule: string, learned: LearnedPolicy | undefined): string[] {
  const lines = roleOrder.flatMap((role) => {
    const e = f.roles[role];
    return e ? [`${learnedCommentPrefix} ${roleSentence(role, e, mainModule)}`] : [];
  });
  for (const [c, e] of f.classes) lines.push(`${learnedCommentPrefix} ${classSentence(c, e, mainModule)}`);
  if (learned?.policy === "unconfined") lines.push(`${learnedCommentPrefix} left unconfined: ${learned.because}`);
  if (f.unlisted && lines.length > 0) {
    lines.push(`${learnedCommentPrefix} not a module path: the program has no build information, so this names the package (and those under it); write its module's path`);
  }
  return lines;
}

function roleSentence(role: Role, e: RoleEvidence, mainModule: string): string {
  const calls = `${e.total} trapped syscall${e.total === 1 ? "" : "s"}`;
  const counts = e.bySyscall.map(([syscall, n]) => `${syscall} ${n}`).join(", ");
  const row = e.first;
  const madeBy = `${row.syscall} made by ${row.madeBy === mainModule ? "the main module" : row.madeBy} at ${row.madeAt}`;
  switch (role) {
    case "made":
      return `made ${calls} itself: ${counts}; e.g. ${row.syscall} at ${row.example}`;
    case "calls":
      return `called another module that made ${calls} (it uses a library that does; not its own calls): ${counts}; e.g. ${madeBy}, called from ${row.example}`;
    case "callback":
      return `called back into the program's code, which made ${calls} (as a framework does; not its own calls): ${counts}; e.g. ${madeBy}, called back from ${row.example}`;
    case "creator":
      return `started the goroutines on which other code made ${calls} (as errgroup does; not its own calls): ${counts}; e.g. ${madeBy}, on a goroutine started under ${row.example}`;
  }
}

function classSentence(c: NeededClass, e: ClassEvidence, mainModule: string): string {
  const calls = `${e.total} trapped syscall${e.total === 1 ? "" : "s"}`;
  const counts = e.bySyscall.map(([syscall, n]) => `${syscall} ${n}`).join(", ");
  const row = e.first;
  // Where another module made the call, its frame says what the call was.
  const maker = row.madeBy === mainModule ? "the main module" : row.madeBy;
  const example = row.madeAt === undefined ? `e.g. ${row.syscall} at ${row.example}` : `e.g. ${row.syscall} made by ${maker} at ${row.madeAt}, under ${row.example}`;
  switch (c) {
    case "none":
      return `in no capability class: ${calls}: ${counts}; ${example}`;
    case "unrecorded":
      return `of no recorded class: ${calls}: ${counts}; ${example}`;
    default: {
      const own = e.ownSyscall ? " (its own code made the syscall, with no standard library function between)" : "";
      return `needs ${c} for ${calls}${own}: ${counts}; ${example}`;
    }
  }
}

/** How a module took part, in a few words for the summary: "made openat 3" or "called back: openat 800". */
export function evidenceBrief(f: ModuleFinding): string {
  const words: Record<Role, string> = { made: "made", calls: "called a module that made", callback: "called back into the program", creator: "started goroutines" };
  return roleOrder
    .flatMap((role) => {
      const e = f.roles[role];
      return e ? [`${words[role]}: ${e.bySyscall.map(([s, n]) => `${s} ${n}`).join(", ")}`] : [];
    })
    .join("; ");
}
