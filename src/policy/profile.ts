// The gomodjail policy of a program: which modules are confined, read from `// gomodjail:POLICY`
// comments in a go.mod and from --policy flags.
import type { Block, Comment, Directive, GoMod } from "./gomod.ts";

/** The go.mod parser, loaded when a profile is read: the tracer thread only uses profiles. */
const gomod = () => require("./gomod.ts") as typeof import("./gomod.ts");

export type Policy = "confined" | "unconfined";
export const knownPolicies: readonly Policy[] = ["confined", "unconfined"];

/** A policy that cannot be honoured: an unknown or misplaced directive, a bad --policy flag. */
export class PolicyError extends Error {
  override name = "PolicyError";
}

export interface Profile {
  /** The go.mod's module path; undefined when the policy comes from --policy flags only. */
  mainModule: string | undefined;
  /** Every required module (and every --policy module) and its policy; never the main module. */
  modules: Map<string, Policy>;
  /** The policy of modules not listed: set by a directive above the `module` line, else unconfined. */
  defaultPolicy: Policy;
}

/** Reads the profile from a go.mod file; throws GoModError or PolicyError. */
export function loadProfile(goModPath: string): Profile {
  return profileFromGoMod(gomod().readGoMod(goModPath));
}

/** Reads the profile from go.mod text; `fileName` is used in error messages only. */
export function parseProfile(text: string, fileName: string): Profile {
  return profileFromGoMod(gomod().parseGoMod(text, fileName));
}

/**
 * Applies `--policy MOD=POLICY[,MOD=POLICY...]` flags on top of a profile (or of none). A flag
 * overrides the go.mod; `warn` is told each time it changes a go.mod entry's policy.
 */
export function applyPolicyFlags(
  profile: Profile | undefined,
  flags: string[],
  warn: (msg: string, fields: object) => void,
): Profile {
  const result: Profile = {
    mainModule: profile?.mainModule,
    modules: new Map(profile?.modules),
    defaultPolicy: profile?.defaultPolicy ?? "unconfined",
  };
  for (const flag of flags) {
    for (const entry of flag.split(",")) {
      const eq = entry.indexOf("=");
      const module = entry.slice(0, eq).trim();
      const policy = entry.slice(eq + 1).trim();
      if (eq < 0 || module === "") {
        throw new PolicyError(`--policy ${JSON.stringify(entry)}: expected MODULE=POLICY, e.g. example.com/module=confined`);
      }
      if (!isPolicy(policy)) {
        throw new PolicyError(`--policy ${entry}: unknown policy ${JSON.stringify(policy)} (known policies: ${knownPolicies.join(", ")})`);
      }
      if (module === result.mainModule) {
        if (policy === "confined") throw new PolicyError(`--policy ${entry}: ${module} is the main module, which is never confined`);
        continue;
      }
      const goModPolicy = profile?.modules.get(module);
      if (goModPolicy !== undefined && goModPolicy !== policy) {
        warn("--policy overrides the go.mod", { module, goMod: goModPolicy, policy });
      }
      result.modules.set(module, policy);
    }
  }
  return result;
}

/** The confined modules, sorted. */
export function confinedModules(profile: Profile): string[] {
  return [...profile.modules].filter(([, policy]) => policy === "confined").map(([module]) => module).sort();
}

/** Whether any module is confined: one listed as confined, or every unlisted one by default. */
export function confinesAnyModule(profile: Profile): boolean {
  return profile.defaultPolicy === "confined" || [...profile.modules.values()].includes("confined");
}

/**
 * The policy of the module with this path. The main module and the standard library (a path whose
 * first element has no dot, unless the profile lists it) are never confined; a module the profile
 * does not list gets the default policy.
 */
export function policyOf(profile: Profile, modulePath: string): Policy {
  if (modulePath === profile.mainModule) return "unconfined";
  const listed = profile.modules.get(modulePath);
  if (listed !== undefined) return listed;
  if (!modulePath.split("/")[0].includes(".")) return "unconfined";
  return profile.defaultPolicy;
}

function isPolicy(s: string): s is Policy {
  return (knownPolicies as readonly string[]).includes(s);
}

// ---- Directives in comments ----

/** `gomodjail:POLICY` at the start of a comment, after a blank or `;`, optionally right after `//`. */
const directivePattern = /(?:^|[\s;])(?:\/\/)?gomodjail:([^\s;]*)/g;

/** The policies that `gomodjail:POLICY` directives in a comment's text name, known or not. */
export function directivesIn(text: string): string[] {
  return [...text.matchAll(directivePattern)].map((m) => m[1]);
}

interface Found {
  policy: Policy;
  line: number;
}

function profileFromGoMod(mod: GoMod): Profile {
  const file = mod.file;
  if (!mod.module) throw new PolicyError(`${file}: no module directive: the go.mod must name the main module`);
  const mainModule = mod.module.path;

  /** The single policy the comments set for `subject`, if any. */
  const policyIn = (comments: (Comment | undefined)[], subject: string): Found | undefined => {
    let found: Found | undefined;
    for (const c of comments) {
      if (!c) continue;
      for (const m of c.text.matchAll(directivePattern)) {
        const policy = m[1];
        if (!isPolicy(policy)) {
          throw new PolicyError(`${file}:${c.line}: unknown policy ${JSON.stringify(policy)} for ${subject} (known policies: ${knownPolicies.join(", ")})`);
        }
        if (found && found.policy !== policy) {
          throw new PolicyError(`${file}:${c.line}: conflicting policies for ${subject}: ${found.policy} (line ${found.line}) and ${policy}`);
        }
        found = { policy, line: c.line };
      }
    }
    return found;
  };
  const ownComments = (d: Directive) => [...d.before, d.suffix];
  const refuseDirectives = (comments: (Comment | undefined)[]) => {
    for (const c of comments) {
      if (!c) continue;
      const m = c.text.match(new RegExp(directivePattern.source));
      if (m) {
        throw new PolicyError(
          `${file}:${c.line}: misplaced gomodjail:${m[1]}: a policy goes on a require line, above a require block, or above the module line`,
        );
      }
    }
  };

  // The default policy comes first: the module line may follow the requirements.
  const moduleDirective = mod.module.directive;
  const moduleBlock = moduleDirective.block;
  const defaultFound = policyIn(
    [...(moduleBlock ? [...moduleBlock.before, moduleBlock.suffix] : []), ...ownComments(moduleDirective)],
    "the default policy",
  );
  const defaultPolicy = defaultFound?.policy ?? "unconfined";

  const blockDefaults = new Map<Block, Policy | undefined>();
  const blockDefault = (block: Block) => {
    if (!blockDefaults.has(block)) {
      blockDefaults.set(block, policyIn([...block.before, block.suffix], `the require block at line ${block.line}`)?.policy);
    }
    return blockDefaults.get(block);
  };
  const modules = new Map<string, Policy>();
  const lineOf = new Map<string, number>();
  for (const { path: module, directive: d } of mod.require) {
    const own = policyIn(ownComments(d), `module ${module}`);
    const policy = own?.policy ?? (d.block && blockDefault(d.block)) ?? defaultPolicy;
    if (module === mainModule) {
      if (own?.policy === "confined") throw new PolicyError(`${file}:${d.line}: ${module} is the main module, which is never confined`);
      continue;
    }
    const earlier = modules.get(module);
    if (earlier !== undefined && earlier !== policy) {
      throw new PolicyError(`${file}:${d.line}: conflicting policies for module ${module}: ${earlier} (line ${lineOf.get(module)}) and ${policy}`);
    }
    modules.set(module, policy);
    lineOf.set(module, d.line);
  }

  // A directive anywhere else would silently apply to nothing.
  for (const s of mod.statements) {
    if (s.kind === "comments") {
      refuseDirectives(s.comments);
    } else if (s.kind === "directive") {
      if (s.verb !== "require" && s.verb !== "module") refuseDirectives(ownComments(s));
    } else {
      if (s.verb !== "require" && s.verb !== "module") {
        refuseDirectives([...s.before, s.suffix]);
        for (const d of s.directives) refuseDirectives(ownComments(d));
      }
      refuseDirectives(s.closing);
    }
  }
  return { mainModule, modules, defaultPolicy };
}
