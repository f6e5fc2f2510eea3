// The gomodjail policy of a program: which modules are confined, and which capability classes a
// confined module is still allowed, read from `// gomodjail:POLICY [allow=CLASSES]` comments in a
// go.mod and from --policy flags.
import { CAPABILITY_CLASSES, type CapabilityClass, expandClass } from "../confinement/classes.ts";
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
  /**
   * The capability classes (`allow=`) of the listed confined modules that have some. Absent when
   * none has, as in a profile written by hand: read it through allowedClasses().
   */
  allowed?: Map<string, ReadonlySet<CapabilityClass>>;
  /** The classes of confined modules not listed, from the default policy's `allow=`; absent when none. */
  defaultAllowed?: ReadonlySet<CapabilityClass>;
}

/** A Profile as plain data (for a thread, a process or a cache key): maps and sets as sorted arrays. */
export interface ProfileData {
  mainModule: string | undefined;
  defaultPolicy: Policy;
  modules: [string, Policy][];
  allowed: [string, CapabilityClass[]][];
  defaultAllowed: CapabilityClass[];
}

export function profileData(p: Profile): ProfileData {
  return {
    mainModule: p.mainModule,
    defaultPolicy: p.defaultPolicy,
    modules: [...p.modules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    allowed: [...(p.allowed ?? [])].map(([module, classes]): [string, CapabilityClass[]] => [module, orderedClasses(classes)]).sort(([a], [b]) => (a < b ? -1 : 1)),
    defaultAllowed: orderedClasses(p.defaultAllowed ?? new Set()),
  };
}

export function profileFromData(d: ProfileData): Profile {
  return {
    mainModule: d.mainModule,
    defaultPolicy: d.defaultPolicy,
    modules: new Map(d.modules),
    allowed: new Map(d.allowed.map(([module, classes]) => [module, new Set(classes)])),
    defaultAllowed: new Set(d.defaultAllowed),
  };
}

/** Told about a go.mod line that the original gomodjail reads differently; the message names the line. */
export type ProfileWarn = (msg: string) => void;

/** Reads the profile from a go.mod file; throws GoModError or PolicyError. */
export function loadProfile(goModPath: string, warn: ProfileWarn = () => {}): Profile {
  return profileFromGoMod(gomod().readGoMod(goModPath), warn);
}

/** Reads the profile from go.mod text; `fileName` is used in messages only. */
export function parseProfile(text: string, fileName: string, warn: ProfileWarn = () => {}): Profile {
  return profileFromGoMod(gomod().parseGoMod(text, fileName), warn);
}

/**
 * Applies `--policy MOD=POLICY[,MOD=POLICY...]` flags on top of a profile (or of none); a confined
 * module's POLICY may name its classes, `confined:FILES/READ+NETWORK`. A flag overrides the go.mod,
 * classes included; `warn` is told each time it changes a go.mod entry's policy or classes.
 */
export function applyPolicyFlags(
  profile: Profile | undefined,
  flags: string[],
  warn: (msg: string, fields: object) => void,
): Profile {
  const modules = new Map(profile?.modules);
  const allowed = new Map(profile?.allowed);
  const mainModule = profile?.mainModule;
  for (const flag of flags) {
    for (const entry of flag.split(",")) {
      const eq = entry.indexOf("=");
      const module = entry.slice(0, eq).trim();
      const value = entry.slice(eq + 1).trim();
      if (eq < 0 || module === "") {
        throw new PolicyError(`--policy ${JSON.stringify(entry)}: expected MODULE=POLICY, e.g. example.com/module=confined`);
      }
      const colon = value.indexOf(":");
      const policy = colon < 0 ? value : value.slice(0, colon);
      if (!isPolicy(policy)) {
        throw new PolicyError(`--policy ${entry}: unknown policy ${JSON.stringify(policy)} (known policies: ${knownPolicies.join(", ")})`);
      }
      const fail = (reason: string): never => {
        throw new PolicyError(`--policy ${entry}: ${reason}`);
      };
      let classes = noClasses;
      if (colon >= 0) {
        const list = value.slice(colon + 1);
        if (policy === "unconfined") fail(`classes are for confined modules: an unconfined module may already do everything`);
        if (list === "") fail(`no class after "confined:": name them, e.g. confined:FILES/READ+NETWORK, or write confined to allow none`);
        classes = classesIn(list, "+", "", fail);
      }
      if (module === mainModule) {
        if (policy === "confined") fail(`${module} is the main module, which is never confined`);
        continue;
      }
      const goModPolicy = profile?.modules.get(module);
      if (goModPolicy !== undefined) {
        const goModClasses = profile?.allowed?.get(module) ?? noClasses;
        if (goModPolicy !== policy || !sameClasses(goModClasses, classes)) {
          warn("--policy overrides the go.mod", { module, goMod: flagSpelling(goModPolicy, goModClasses), policy: flagSpelling(policy, classes) });
        }
      }
      modules.set(module, policy);
      if (classes.size > 0) allowed.set(module, classes);
      else allowed.delete(module);
    }
  }
  const result: Profile = { mainModule, modules, defaultPolicy: profile?.defaultPolicy ?? "unconfined" };
  return withClasses(result, allowed, profile?.defaultAllowed ?? noClasses);
}

/** The confined modules, sorted. */
export function confinedModules(profile: Profile): string[] {
  return [...profile.modules].filter(([, policy]) => policy === "confined").map(([module]) => module).sort();
}

/** Whether any module is confined: one listed as confined, or every unlisted one by default. */
export function confinesAnyModule(profile: Profile): boolean {
  return profile.defaultPolicy === "confined" || [...profile.modules.values()].includes("confined");
}

/** Whether any confined module is allowed a capability class: only then does a call's class matter. */
export function allowsAnyClass(profile: Profile): boolean {
  return (profile.defaultAllowed?.size ?? 0) > 0 || (profile.allowed?.size ?? 0) > 0;
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

/**
 * The capability classes a confined module is allowed: those of the comment (or flag) that gives
 * it its policy. None for an unconfined module, the main module and the standard library.
 */
export function allowedClasses(profile: Profile, modulePath: string): ReadonlySet<CapabilityClass> {
  if (policyOf(profile, modulePath) !== "confined") return noClasses;
  if (profile.modules.has(modulePath)) return profile.allowed?.get(modulePath) ?? noClasses;
  return profile.defaultAllowed ?? noClasses;
}

/** The classes in the class table's order, for lists people read. */
export function orderedClasses(classes: ReadonlySet<CapabilityClass>): CapabilityClass[] {
  return CAPABILITY_CLASSES.map((c) => c.name).filter((name) => classes.has(name));
}

/** Classes as `allow=` writes them, in the class table's order: "FILES/READ,NETWORK". */
function formatClasses(classes: ReadonlySet<CapabilityClass>, separator = ","): string {
  return orderedClasses(classes).join(separator);
}

function isPolicy(s: string): s is Policy {
  return (knownPolicies as readonly string[]).includes(s);
}

// ---- Capability classes ----

const noClasses: ReadonlySet<CapabilityClass> = new Set();

/**
 * The classes a list names ("FILES/READ,NETWORK"; FILES stands for both FILES/ classes). `fail`
 * gets why it cannot be honoured; `where` (" in allow=... for module m") is put in that reason.
 */
function classesIn(list: string, separator: string, where: string, fail: (reason: string) => never): ReadonlySet<CapabilityClass> {
  /** Each class and the name that brought it in. */
  const namedBy = new Map<CapabilityClass, string>();
  for (const name of list.split(separator)) {
    if (name === "") fail(`empty class name${where}: separate classes with "${separator}" and no blanks`);
    const classes = expandClass(name) ?? fail(`unknown capability class ${JSON.stringify(name)}${where} (known classes: ${knownClassNames()})`);
    for (const c of classes) {
      const earlier = namedBy.get(c);
      if (earlier === name) fail(`${name} named twice${where}`);
      if (earlier !== undefined) fail(`${c} named twice${where} (${earlier === c ? name : earlier} includes ${c})`);
      namedBy.set(c, name);
    }
  }
  return new Set(namedBy.keys());
}

function knownClassNames(): string {
  return `${CAPABILITY_CLASSES.map((c) => c.name).join(", ")}; FILES is FILES/READ and FILES/WRITE`;
}

function sameClasses(a: ReadonlySet<CapabilityClass>, b: ReadonlySet<CapabilityClass>): boolean {
  return a.size === b.size && [...a].every((c) => b.has(c));
}

/** A policy and its classes as a --policy flag writes them: "confined:FILES/READ+NETWORK". */
function flagSpelling(policy: Policy, classes: ReadonlySet<CapabilityClass>): string {
  return classes.size > 0 ? `${policy}:${formatClasses(classes, "+")}` : policy;
}

/** The profile with its classes; the fields are left out when empty, as in a profile written by hand. */
function withClasses(profile: Profile, allowed: Map<string, ReadonlySet<CapabilityClass>>, defaultAllowed: ReadonlySet<CapabilityClass>): Profile {
  return { ...profile, ...(allowed.size > 0 ? { allowed } : {}), ...(defaultAllowed.size > 0 ? { defaultAllowed } : {}) };
}

// ---- Directives in comments ----

/** `gomodjail:POLICY` at the start of a comment, after a blank or `;`, optionally right after `//`. */
const directivePattern = /(?:^|[\s;])(?:\/\/)?gomodjail:([^\s;]*)/g;
/** A directive or an `allow=CLASSES` field, placed as a directive may be; group 1 is the character before it. */
const fieldPattern = /(^|[\s;])(?:\/\/)?(?:gomodjail:([^\s;]*)|allow=(\S*))/g;

/** The policies that `gomodjail:POLICY` directives in a comment's text name, known or not. */
export function directivesIn(text: string): string[] {
  return [...text.matchAll(directivePattern)].map((m) => m[1]);
}

/** A `gomodjail:POLICY [allow=CLASSES]` directive as one comment writes it. */
interface Written {
  policy: string;
  /** The text after `allow=`, when the directive has one (the next field after it). */
  allow: string | undefined;
  /** Written right after a `;`, where the original gomodjail does not see it. */
  afterSemicolon: boolean;
}

/** The directives in a comment's text; `stray` gets an `allow=` that is not the field right after one. */
function writtenIn(text: string, stray: (allow: string) => never): Written[] {
  const written: Written[] = [];
  let directiveEnd = -1;
  for (const m of text.matchAll(fieldPattern)) {
    const [field, before, policy, allow] = m;
    if (policy !== undefined) {
      written.push({ policy, allow: undefined, afterSemicolon: before === ";" });
      directiveEnd = m.index + field.length;
      continue;
    }
    const last = written.at(-1);
    if (!last || m.index !== directiveEnd || !/\s/.test(before)) stray(allow);
    last.allow = allow;
    directiveEnd = -1;
  }
  return written;
}

interface Found {
  policy: Policy;
  classes: ReadonlySet<CapabilityClass>;
  line: number;
}

function profileFromGoMod(mod: GoMod, warn: ProfileWarn): Profile {
  const file = mod.file;
  if (!mod.module) throw new PolicyError(`${file}: no module directive: the go.mod must name the main module`);
  const mainModule = mod.module.path;

  /** The single policy, with its classes, that the comments set for `subject`, if any. */
  const policyIn = (comments: (Comment | undefined)[], subject: string): Found | undefined => {
    let found: Found | undefined;
    for (const c of comments) {
      if (!c) continue;
      const at = `${file}:${c.line}`;
      const fail = (reason: string): never => {
        throw new PolicyError(`${at}: ${reason}`);
      };
      const written = writtenIn(c.text, (allow) => fail(`allow=${allow} without gomodjail:confined before it: write "// gomodjail:confined allow=${allow}"`));
      // Differences from the original gomodjail, which reads the first field starting with `gomodjail:`.
      if (written.length > 1) warn(`${at}: ${written.length} gomodjail: directives in one comment: the original gomodjail reads only the first; keep one`);
      for (const w of written) {
        if (w.afterSemicolon) warn(`${at}: the original gomodjail does not see gomodjail:${w.policy} right after ";": put a blank after the ";"`);
        const policy = isPolicy(w.policy)
          ? w.policy
          : fail(`unknown policy ${JSON.stringify(w.policy)} for ${subject} (known policies: ${knownPolicies.join(", ")})`);
        const classes = w.allow === undefined ? noClasses : allowList(w.allow, policy, subject, fail);
        if (found && found.policy !== policy) fail(`conflicting policies for ${subject}: ${found.policy} (line ${found.line}) and ${policy}`);
        if (found && !sameClasses(found.classes, classes)) {
          fail(`conflicting capability classes for ${subject}: ${allowSpelling(found.classes)} (line ${found.line}) and ${allowSpelling(classes)}`);
        }
        found = { policy, classes, line: c.line };
      }
    }
    return found;
  };
  const ownComments = (d: Directive) => [...d.before, d.suffix];
  const refuseDirectives = (comments: (Comment | undefined)[]) => {
    for (const c of comments) {
      if (!c) continue;
      const m = c.text.match(new RegExp(fieldPattern.source));
      if (m?.[2] !== undefined) {
        throw new PolicyError(
          `${file}:${c.line}: misplaced gomodjail:${m[2]}: a policy goes on a require line, above a require block, or above the module line`,
        );
      }
      if (m) throw new PolicyError(`${file}:${c.line}: misplaced allow=${m[3]}: allow= goes after gomodjail:confined, where a policy may go`);
    }
  };

  // The default policy comes first: the module line may follow the requirements.
  const moduleDirective = mod.module.directive;
  const moduleBlock = moduleDirective.block;
  const defaultFound = policyIn(
    [...(moduleBlock ? [...moduleBlock.before, moduleBlock.suffix] : []), ...ownComments(moduleDirective)],
    "the default policy",
  );
  // The original gomodjail takes the default from the module line's last comment, even one without a directive.
  const lastModuleComment = [...moduleDirective.before, moduleDirective.suffix].filter((c) => c !== undefined).at(-1);
  if (defaultFound && lastModuleComment && directivesIn(lastModuleComment.text).length === 0) {
    warn(
      `${file}:${lastModuleComment.line}: the original gomodjail reads no default policy when a comment without one comes after it, as this one does: make the gomodjail: comment the module line's last`,
    );
  }

  const blockDefaults = new Map<Block, Found | undefined>();
  const blockDefault = (block: Block) => {
    if (!blockDefaults.has(block)) blockDefaults.set(block, policyIn([...block.before, block.suffix], `the require block at line ${block.line}`));
    return blockDefaults.get(block);
  };
  const modules = new Map<string, Policy>();
  const allowed = new Map<string, ReadonlySet<CapabilityClass>>();
  const earlierLine = new Map<string, number>();
  for (const { path: module, directive: d } of mod.require) {
    const own = policyIn(ownComments(d), `module ${module}`);
    // Classes come with the policy from the same comment: they are not inherited across levels.
    const source = own ?? (d.block && blockDefault(d.block)) ?? defaultFound;
    const policy = source?.policy ?? "unconfined";
    const classes = source?.classes ?? noClasses;
    if (module === mainModule) {
      if (own?.policy === "confined") throw new PolicyError(`${file}:${d.line}: ${module} is the main module, which is never confined`);
      continue;
    }
    const earlier = modules.get(module);
    if (earlier !== undefined && earlier !== policy) {
      throw new PolicyError(`${file}:${d.line}: conflicting policies for module ${module}: ${earlier} (line ${earlierLine.get(module)}) and ${policy}`);
    }
    const earlierClasses = allowed.get(module) ?? noClasses;
    if (earlier !== undefined && !sameClasses(earlierClasses, classes)) {
      throw new PolicyError(
        `${file}:${d.line}: conflicting capability classes for module ${module}: ${allowSpelling(earlierClasses)} (line ${earlierLine.get(module)}) and ${allowSpelling(classes)}`,
      );
    }
    modules.set(module, policy);
    if (classes.size > 0) allowed.set(module, classes);
    earlierLine.set(module, d.line);
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
  return withClasses({ mainModule, modules, defaultPolicy: defaultFound?.policy ?? "unconfined" }, allowed, defaultFound?.classes ?? noClasses);
}

/** The classes of a directive's `allow=`; only a confined module has any. */
function allowList(list: string, policy: Policy, subject: string, fail: (reason: string) => never): ReadonlySet<CapabilityClass> {
  if (policy === "unconfined") {
    fail(`allow=${list} with gomodjail:unconfined for ${subject}: an unconfined module may already do everything; allow= goes after gomodjail:confined`);
  }
  if (list === "") fail(`empty allow= for ${subject}: name the classes it may use, e.g. allow=FILES/READ,NETWORK, or drop allow= to allow none`);
  return classesIn(list, ",", ` in allow=${list} for ${subject}`, fail);
}

/** Classes as a conflict names them: "allow=FILES/READ", or "none". */
function allowSpelling(classes: ReadonlySet<CapabilityClass>): string {
  return classes.size > 0 ? `allow=${formatClasses(classes)}` : "none";
}
