// Writes what was learned into a copy of the go.mod, keeping every byte of it but at the places
// it adds to: the evidence comments above a requirement, a policy (with the capability classes
// it allows) at the end of its line (or after its comment), the modules the file does not list (after the last block of indirect
// requirements, else in a block of their own at the end), and a default policy above the
// `module` line when the file sets none. learn's own earlier comments are replaced, not repeated.
import type { Directive, GoMod } from "../policy/gomod.ts";
import type { CapabilityClass } from "../policy/classes.ts";
import { allowedClasses, directivesIn, orderedClasses, type Policy, parseProfile, policyOf, type Profile } from "../policy/profile.ts";
import { evidenceBrief, evidenceComments, learnedCommentPrefix } from "./describe.ts";
import { type Findings, type LearnedPolicy, type LearnOptions, learnedPolicy, type ModuleFinding } from "./findings.ts";

interface Rewrite {
  text: string;
  /** What a reviewer should know: the go.mod's own policies that the evidence contradicts, modules nothing is known of. */
  notes: string[];
}

/** A policy as learn writes it: `confined` with the classes it allows, or `unconfined`. */
interface WrittenPolicy {
  policy: Policy;
  allow: readonly CapabilityClass[];
}

/** `profile` is the one `mod` sets, `file` names the go.mod in notes. */
export function rewriteGoMod(text: string, mod: GoMod, profile: Profile, findings: Findings, options: LearnOptions): Rewrite {
  const file = mod.file;
  const doc = new LineEdits(text);
  const notes: string[] = [];
  const intended = new Map<string, WrittenPolicy>();
  const main = findings.mainModule;

  const requirements = new Map<string, Directive[]>();
  for (const r of mod.require) if (r.path !== main) requirements.set(r.path, [...(requirements.get(r.path) ?? []), r.directive]);

  for (const [module, directives] of requirements) {
    const f = findings.modules.get(module)!;
    const learned = learnedPolicy(f, options);
    const own = directives.map(ownPolicy).find((p) => p !== undefined);
    const first = directives[0];
    doc.dropLearnedAbove(first.line);
    doc.insertAbove(first.line, evidenceComments(f, main, own === undefined ? learned : undefined));
    if (own !== undefined) {
      // The go.mod's own policy is kept, classes and all; where the evidence disagrees, a note says so.
      const kept = { policy: own, allow: orderedClasses(allowedClasses(profile, module)) };
      intended.set(module, kept);
      for (const d of directives) if (ownPolicy(d) === undefined) doc.appendToLine(d.line, directiveAfter(d, kept));
      const contradicted = learned && contradiction(`${file}:${first.line}`, f, own, allowedClasses(profile, module), learned);
      if (contradicted) notes.push(contradicted);
      continue;
    }
    if (learned === undefined) {
      // Kept as it was, written out: a default learn adds must not change it.
      const kept = { policy: policyOf(profile, module), allow: orderedClasses(allowedClasses(profile, module)) };
      const said = `no run learned from confined it, so what it does was not seen: left ${kept.policy}`;
      notes.push(`${module}: ${said}`);
      doc.insertAbove(first.line, [`${learnedCommentPrefix} ${said}`]);
      intended.set(module, kept);
      for (const d of directives) doc.appendToLine(d.line, directiveAfter(d, kept));
      continue;
    }
    const target = written(learned);
    intended.set(module, target);
    for (const d of directives) doc.appendToLine(d.line, directiveAfter(d, target));
  }

  const missing = [...findings.modules.values()].filter((f) => !requirements.has(f.module));
  const added: string[][] = [];
  for (const f of missing) {
    const learned = learnedPolicy(f, options);
    if (learned === undefined) {
      notes.push(`${f.module}: in the program but not in the go.mod, and no run learned from confined it: not added (the default policy applies)`);
      continue;
    }
    const target = written(learned);
    intended.set(f.module, target);
    const version = f.version !== undefined && isVersion(f.version) ? f.version : "v0.0.0";
    added.push([...evidenceComments(f, main, learned), `${f.module} ${version} // indirect; ${directiveText(target)}`]);
  }
  if (added.length > 0) {
    const indirect = new Set(mod.require.filter((r) => r.indirect).map((r) => r.directive));
    const indirectBlock = mod.statements.filter((s) => s.kind === "block" && s.verb === "require" && s.directives.length > 0 && s.directives.every((d) => indirect.has(d))).at(-1);
    if (indirectBlock?.kind === "block") {
      const last = indirectBlock.directives.at(-1)!;
      doc.insertBelow(last.line, added.flat(), doc.indentOf(last.line));
    } else {
      doc.appendAtEnd(["", `${learnedCommentPrefix} modules of the program that this go.mod does not list`, "require (", ...added.flat().map((l) => `\t${l}`), ")"]);
    }
  }

  if (!setsDefault(mod)) {
    const d = mod.module!.directive;
    doc.insertAbove(d.block?.line ?? d.line, [`${learnedCommentPrefix} modules this go.mod does not list (a later build's) are confined until reviewed`, "// gomodjail:confined"], "");
  }

  const out = doc.text();
  verify(out, file, intended);
  return { text: out, notes };
}

function written(learned: LearnedPolicy): WrittenPolicy {
  return learned.policy === "confined" ? learned : { policy: "unconfined", allow: [] };
}

/** The policy a requirement's own comments set, if they set one. */
function ownPolicy(d: Directive): Policy | undefined {
  for (const c of [...d.before, d.suffix]) {
    const found = c && directivesIn(c.text)[0];
    if (found) return found as Policy;
  }
  return undefined;
}

function setsDefault(mod: GoMod): boolean {
  const d = mod.module!.directive;
  const comments = [...(d.block ? [...d.block.before, d.block.suffix] : []), ...d.before, d.suffix];
  return comments.some((c) => c !== undefined && directivesIn(c.text).length > 0);
}

/** What to add at the end of a requirement's line: a comment, or a directive after its comment. */
function directiveAfter(d: Directive, target: WrittenPolicy): string {
  return d.suffix ? `; ${directiveText(target)}` : ` // ${directiveText(target)}`;
}

/** `gomodjail:confined allow=FILES/READ,NETWORK`, or a bare policy. */
function directiveText(target: WrittenPolicy): string {
  return target.allow.length > 0 ? `gomodjail:${target.policy} allow=${target.allow.join(",")}` : `gomodjail:${target.policy}`;
}

function isVersion(v: string): boolean {
  return /^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/.test(v);
}

/** What a reviewer should know where the go.mod's own policy and the evidence disagree; undefined where they agree. */
function contradiction(where: string, f: ModuleFinding, own: Policy, ownClasses: ReadonlySet<CapabilityClass>, learned: LearnedPolicy): string | undefined {
  const tookPart = Object.keys(f.roles).length > 0;
  if (own === "confined") {
    const refused = [...f.classes.keys()].filter((c) => !ownClasses.has(c as CapabilityClass));
    if (refused.length === 0) return undefined;
    if (ownClasses.size === 0) return `${where}: ${f.module} is marked confined, but it took part in trapped calls (${evidenceBrief(f)}): under this policy they are blocked`;
    const allow = orderedClasses(ownClasses).join(",");
    return `${where}: ${f.module} is marked confined allow=${allow}, but it took part in trapped calls that need ${refused.join(", ")} (${evidenceBrief(f)}): under this policy they are blocked`;
  }
  if (learned.policy === "unconfined") return undefined;
  if (!tookPart) return `${where}: ${f.module} is marked unconfined, but it took part in no trapped call in the runs learned from`;
  return `${where}: ${f.module} is marked unconfined, but it needed only ${learned.allow.join(", ")} in the runs learned from: gomodjail:confined allow=${learned.allow.join(",")} would hold it`;
}

/** The rewritten file must parse and give each module the policy and classes intended for it. */
function verify(text: string, file: string, intended: Map<string, WrittenPolicy>): void {
  let profile: Profile;
  try {
    profile = parseProfile(text, file);
  } catch (e) {
    throw new Error(`the learned go.mod does not parse: ${(e as Error).message}`);
  }
  for (const [module, want] of intended) {
    const got = { policy: policyOf(profile, module), allow: orderedClasses(allowedClasses(profile, module)) };
    if (got.policy !== want.policy || got.allow.join(",") !== want.allow.join(",")) {
      throw new Error(`the learned go.mod gives ${module} ${directiveText(got)}, not ${directiveText(want)}`);
    }
  }
}

/** Lines to insert, drop or extend, applied at once so that line numbers stay those of the original. */
class LineEdits {
  private readonly lines: string[];
  private readonly eol: string;
  private readonly above = new Map<number, string[]>();
  private readonly ends = new Map<number, string>();
  private readonly dropped = new Set<number>();
  private readonly trailer: string[] = [];

  constructor(text: string) {
    this.lines = text === "" ? [] : text.split(/(?<=\n)/);
    this.eol = this.lines[0]?.endsWith("\r\n") ? "\r\n" : "\n";
  }

  /** The leading blanks of a (1-based) line. */
  indentOf(line: number): string {
    return /^[ \t]*/.exec(this.lines[line - 1] ?? "")![0];
  }

  /** Inserts lines above `line`, indented like it unless `indent` is given. */
  insertAbove(line: number, texts: string[], indent = this.indentOf(line)): void {
    if (texts.length === 0) return;
    const list = this.above.get(line) ?? [];
    list.push(...texts.map((t) => (t === "" ? "" : indent + t)));
    this.above.set(line, list);
  }

  insertBelow(line: number, texts: string[], indent: string): void {
    this.insertAbove(line + 1, texts, indent);
  }

  /** Drops the lines learn wrote above `line` before. */
  dropLearnedAbove(line: number): void {
    for (let i = line - 1; i >= 1 && this.lines[i - 1]!.trimStart().startsWith(learnedCommentPrefix); i--) this.dropped.add(i);
  }

  appendToLine(line: number, text: string): void {
    this.ends.set(line, (this.ends.get(line) ?? "") + text);
  }

  appendAtEnd(texts: string[]): void {
    this.trailer.push(...texts);
  }

  text(): string {
    let out = "";
    this.lines.forEach((raw, i) => {
      const line = i + 1;
      const eol = /\r?\n$/.exec(raw)?.[0] ?? "";
      for (const t of this.above.get(line) ?? []) out += t + (eol || this.eol);
      if (this.dropped.has(line)) return;
      out += raw.slice(0, raw.length - eol.length) + (this.ends.get(line) ?? "") + eol;
    });
    for (const t of this.above.get(this.lines.length + 1) ?? []) out += t + this.eol;
    if (this.trailer.length > 0) {
      if (out !== "" && !out.endsWith("\n")) out += this.eol;
      out += this.trailer.map((t) => t + this.eol).join("");
    }
    return out;
  }
}
