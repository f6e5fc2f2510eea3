// What `gomodjail learn` tells on stderr once the policy is written: the modules confined with
// capability classes and the unconfined ones, each with how it took part, and notes for a reviewer.
import { evidenceBrief } from "./describe.ts";
import { type LearnedPolicy, type LearnOptions, learnedPolicy } from "./findings.ts";
import type { Learned } from "./learn.ts";

/** The summary of `learned`, from the run of `prog` (if any) and the reports read. */
export function learnSummary(learned: Learned, prog: string | undefined, options: LearnOptions): string {
  const modules = [...learned.findings.modules.values()].map((f) => ({ f, policy: learnedPolicy(f, options) }));
  const confined = modules.filter((m) => m.policy?.policy === "confined");
  const withClasses = confined.filter((m) => m.policy?.policy === "confined" && m.policy.allow.length > 0);
  const unconfined = modules.filter((m) => m.policy?.policy === "unconfined");
  const sources = [...(prog !== undefined ? [`the run of ${prog}`] : []), ...(learned.reports > 0 ? [`${learned.reports} report${learned.reports === 1 ? "" : "s"}`] : [])];
  const lines = [
    `gomodjail learn: from ${sources.join(" and ")}: ${confined.length} module(s) confined (${withClasses.length} with capability classes), ${unconfined.length} unconfined`,
  ];
  const listed = [...withClasses, ...unconfined].sort((a, b) => a.f.module.localeCompare(b.f.module));
  const written = (p: LearnedPolicy) => (p.policy === "confined" ? `allow=${p.allow.join(",")}` : "unconfined");
  const width = Math.max(0, ...listed.map((m) => m.f.module.length));
  const policyWidth = Math.max(0, ...listed.map((m) => written(m.policy!).length));
  for (const { f, policy } of listed) {
    lines.push(`  ${f.module.padEnd(width)}  ${written(policy!).padEnd(policyWidth)}  ${evidenceBrief(f)}`);
    if (policy!.policy === "unconfined") lines.push(`  ${"".padEnd(width)}  ${"".padEnd(policyWidth)}  (${policy!.because})`);
  }
  const run = learned.run;
  if (run && run.status !== 0) lines.push(`note: ${prog} exited with status ${run.status}; what it did until then was learned`);
  for (const note of learned.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}
