import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPABILITY_CLASSES, type CapabilityClass } from "../../src/policy/classes.ts";
import { type Comment, type GoMod, parseGoMod } from "../../src/policy/gomod.ts";
import {
  allowedClasses,
  allowsAnyClass,
  applyPolicyFlags,
  loadProfile,
  PolicyError,
  parseProfile,
  policyOf,
  type Profile,
} from "../../src/policy/profile.ts";
import { runCli } from "../helpers/cli.ts";

const knownClasses = `${CAPABILITY_CLASSES.map((c) => c.name).join(", ")}; FILES is FILES/READ and FILES/WRITE`;

function parse(text: string): Profile {
  return parseProfile(text, "go.mod");
}

/** Each module's classes, as sorted lists (empty for none). */
function classesOf(profile: Profile, modules: string[]): Record<string, string[]> {
  return Object.fromEntries(modules.map((m) => [m, [...allowedClasses(profile, m)].sort()]));
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

function warningsOf(text: string): string[] {
  const warnings: string[] = [];
  parseProfile(text, "go.mod", (msg) => warnings.push(msg));
  return warnings;
}

describe("allow= names the capability classes a confined module keeps", () => {
  test("the issue's example: on requirement lines, one class or several", () => {
    const profile = parse(`module example.com/app

require (
    example.com/config v1.2.0 // gomodjail:confined allow=FILES/READ
    example.com/client v0.9.0 // gomodjail:confined allow=NETWORK,FILES/READ
    example.com/pure   v1.0.0 // gomodjail:confined
)
`);
    expect(Object.fromEntries(profile.modules)).toEqual({ "example.com/config": "confined", "example.com/client": "confined", "example.com/pure": "confined" });
    expect(classesOf(profile, ["example.com/config", "example.com/client", "example.com/pure"])).toEqual({
      "example.com/config": ["FILES/READ"],
      "example.com/client": ["FILES/READ", "NETWORK"],
      "example.com/pure": [],
    });
    expect([...profile.allowed!.keys()]).toEqual(["example.com/config", "example.com/client"]);
    expect(profile.defaultAllowed).toBeUndefined();
    expect(allowsAnyClass(profile)).toBe(true);
  });

  test("every spelling a policy has: the line above, after // indirect; or // indirect //, without a blank after //", () => {
    const profile = parse(`module m.io/app
require (
	// gomodjail:confined allow=EXEC
	example.com/a v1.0.0
	example.com/b v1.0.0 // indirect; gomodjail:confined allow=NETWORK
	example.com/c v1.0.0 // indirect // gomodjail:confined allow=NETWORK
	example.com/d v1.0.0 //gomodjail:confined allow=NETWORK
)
require example.com/e v1.0.0 // gomodjail:confined allow=EXEC
`);
    expect(classesOf(profile, ["example.com/a", "example.com/b", "example.com/c", "example.com/d", "example.com/e"])).toEqual({
      "example.com/a": ["EXEC"],
      "example.com/b": ["NETWORK"],
      "example.com/c": ["NETWORK"],
      "example.com/d": ["NETWORK"],
      "example.com/e": ["EXEC"],
    });
  });

  test("FILES stands for FILES/READ and FILES/WRITE", () => {
    const profile = parse("module m.io/app\nrequire example.com/a v1.0.0 // gomodjail:confined allow=FILES,EXEC\n");
    expect(classesOf(profile, ["example.com/a"])).toEqual({ "example.com/a": ["EXEC", "FILES/READ", "FILES/WRITE"] });
  });

  test("every class of the table is accepted, static-only ones too", () => {
    const all = CAPABILITY_CLASSES.map((c) => c.name);
    const profile = parse(`module m.io/app\nrequire example.com/a v1.0.0 // gomodjail:confined allow=${all.join(",")}\n`);
    expect(allowedClasses(profile, "example.com/a")).toEqual(new Set<CapabilityClass>(all));
  });

  test("the same classes written twice for one module, in two comments or two requirements, are one", () => {
    const text = `module m.io/app
require (
	// gomodjail:confined allow=NETWORK
	example.com/a v1.0.0 // gomodjail:confined allow=NETWORK
)
require example.com/a v1.1.0 // gomodjail:confined allow=NETWORK
`;
    expect(classesOf(parse(text), ["example.com/a"])).toEqual({ "example.com/a": ["NETWORK"] });
  });

  test("CRLF line endings change nothing", () => {
    const text = "// gomodjail:confined allow=FILES/READ\nmodule m.io/app\nrequire (\n\texample.com/a v1.0.0 // gomodjail:confined allow=NETWORK\n)\n";
    expect(parseProfile(text.replaceAll("\n", "\r\n"), "go.mod")).toEqual(parse(text));
  });

  test("a profile without allow= has no class fields, and allows no class", () => {
    const profile = parse("// gomodjail:confined\nmodule m.io/app\nrequire example.com/a v1.0.0\n");
    expect(profile).toEqual({ mainModule: "m.io/app", modules: new Map([["example.com/a", "confined"]]), defaultPolicy: "confined" });
    expect(allowedClasses(profile, "example.com/a").size).toBe(0);
    expect(allowsAnyClass(profile)).toBe(false);
  });
});

describe("scoping: a module takes its classes from the comment that gives it its policy", () => {
  const text = `// gomodjail:confined allow=FILES/READ
module example.com/app

require (
	example.com/listed v1.0.0
	example.com/own v1.0.0 // gomodjail:confined allow=EXEC
)

// gomodjail:confined allow=NETWORK
require (
	example.com/block v1.0.0
	example.com/plain v1.0.0 // gomodjail:confined
	example.com/exec v1.0.0 // gomodjail:confined allow=EXEC
	example.com/free v1.0.0 // gomodjail:unconfined
)

// gomodjail:confined
require example.com/none v1.0.0

require example.com/app v1.0.0
`;
  const profile = parse(text);

  test("the default's classes go to modules without a policy of their own or of their block, listed or not", () => {
    expect(profile.defaultAllowed).toEqual(new Set(["FILES/READ"]));
    expect(classesOf(profile, ["example.com/listed", "example.com/unlisted"])).toEqual({
      "example.com/listed": ["FILES/READ"],
      "example.com/unlisted": ["FILES/READ"],
    });
  });

  test("a block's classes go to its modules without a policy of their own", () => {
    expect(classesOf(profile, ["example.com/block"])).toEqual({ "example.com/block": ["NETWORK"] });
  });

  test("classes are not inherited across levels: a policy of a module's own, or of its block, brings only its own classes", () => {
    expect(classesOf(profile, ["example.com/plain", "example.com/exec", "example.com/own", "example.com/none"])).toEqual({
      "example.com/plain": [],
      "example.com/exec": ["EXEC"],
      "example.com/own": ["EXEC"],
      "example.com/none": [],
    });
  });

  test("unconfined modules, the main module and the standard library have none", () => {
    expect(policyOf(profile, "example.com/free")).toBe("unconfined");
    expect(classesOf(profile, ["example.com/free", "example.com/app", "os", "internal/poll"])).toEqual({
      "example.com/free": [],
      "example.com/app": [],
      os: [],
      "internal/poll": [],
    });
  });
});

describe("classes that cannot be honoured are PolicyErrors naming the file and the line", () => {
  const require = (comment: string) => `module m.io/app\nrequire example.com/a v1.0.0 ${comment}\n`;
  const cases: [string, string, string][] = [
    [
      "an unknown class",
      require("// gomodjail:confined allow=FILE"),
      `go.mod:2: unknown capability class "FILE" in allow=FILE for module example.com/a (known classes: ${knownClasses})`,
    ],
    [
      "a class in lower case",
      require("// gomodjail:confined allow=NETWORK,exec"),
      `go.mod:2: unknown capability class "exec" in allow=NETWORK,exec for module example.com/a (known classes: ${knownClasses})`,
    ],
    ["a class twice", require("// gomodjail:confined allow=NETWORK,NETWORK"), "go.mod:2: NETWORK named twice in allow=NETWORK,NETWORK for module example.com/a"],
    [
      "FILES with FILES/READ",
      require("// gomodjail:confined allow=FILES,FILES/READ"),
      "go.mod:2: FILES/READ named twice in allow=FILES,FILES/READ for module example.com/a (FILES includes FILES/READ)",
    ],
    [
      "FILES/WRITE with FILES",
      require("// gomodjail:confined allow=FILES/WRITE,FILES"),
      "go.mod:2: FILES/WRITE named twice in allow=FILES/WRITE,FILES for module example.com/a (FILES includes FILES/WRITE)",
    ],
    ["FILES twice", require("// gomodjail:confined allow=FILES,FILES"), "go.mod:2: FILES named twice in allow=FILES,FILES for module example.com/a"],
    [
      "an empty allow=",
      require("// gomodjail:confined allow="),
      "go.mod:2: empty allow= for module example.com/a: name the classes it may use, e.g. allow=FILES/READ,NETWORK, or drop allow= to allow none",
    ],
    [
      "a trailing comma",
      require("// gomodjail:confined allow=NETWORK,"),
      'go.mod:2: empty class name in allow=NETWORK, for module example.com/a: separate classes with "," and no blanks',
    ],
    [
      "a blank after a comma",
      require("// gomodjail:confined allow=NETWORK, EXEC"),
      'go.mod:2: empty class name in allow=NETWORK, for module example.com/a: separate classes with "," and no blanks',
    ],
    [
      "allow= with unconfined",
      require("// gomodjail:unconfined allow=NETWORK"),
      "go.mod:2: allow=NETWORK with gomodjail:unconfined for module example.com/a: an unconfined module may already do everything; allow= goes after gomodjail:confined",
    ],
    ["allow= alone", require("// allow=NETWORK"), 'go.mod:2: allow=NETWORK without gomodjail:confined before it: write "// gomodjail:confined allow=NETWORK"'],
    [
      "allow= alone, after // indirect;",
      require("// indirect; allow=NETWORK"),
      'go.mod:2: allow=NETWORK without gomodjail:confined before it: write "// gomodjail:confined allow=NETWORK"',
    ],
    [
      "allow= before the policy",
      require("// allow=NETWORK gomodjail:confined"),
      'go.mod:2: allow=NETWORK without gomodjail:confined before it: write "// gomodjail:confined allow=NETWORK"',
    ],
    [
      "allow= not right after the policy",
      require("// gomodjail:confined reads its config allow=FILES/READ"),
      'go.mod:2: allow=FILES/READ without gomodjail:confined before it: write "// gomodjail:confined allow=FILES/READ"',
    ],
    [
      "two allow= fields",
      require("// gomodjail:confined allow=NETWORK allow=EXEC"),
      'go.mod:2: allow=EXEC without gomodjail:confined before it: write "// gomodjail:confined allow=EXEC"',
    ],
    [
      "allow= alone above the module line",
      "// allow=NETWORK\nmodule m.io/app\n",
      'go.mod:1: allow=NETWORK without gomodjail:confined before it: write "// gomodjail:confined allow=NETWORK"',
    ],
    [
      "an unknown class in the default policy",
      "// gomodjail:confined allow=NETWORKING\nmodule m.io/app\n",
      `go.mod:1: unknown capability class "NETWORKING" in allow=NETWORKING for the default policy (known classes: ${knownClasses})`,
    ],
    [
      "an unknown class in a block's default",
      "module m.io/app\n\n// gomodjail:confined allow=EXECUTE\nrequire (\n\texample.com/a v1.0.0\n)\n",
      `go.mod:3: unknown capability class "EXECUTE" in allow=EXECUTE for the require block at line 4 (known classes: ${knownClasses})`,
    ],
    [
      "an unknown policy with classes: the policy is named",
      require("// gomodjail:confinde allow=NETWORK"),
      'go.mod:2: unknown policy "confinde" for module example.com/a (known policies: confined, unconfined)',
    ],
    [
      "two comments giving one requirement different classes",
      "module m.io/app\nrequire (\n\t// gomodjail:confined allow=NETWORK\n\texample.com/a v1.0.0 // gomodjail:confined\n)\n",
      "go.mod:4: conflicting capability classes for module example.com/a: allow=NETWORK (line 3) and none",
    ],
    [
      "one module required twice with different classes",
      "module m.io/app\nrequire example.com/a v1.0.0 // gomodjail:confined allow=NETWORK\nrequire example.com/a v1.1.0 // gomodjail:confined allow=EXEC\n",
      "go.mod:3: conflicting capability classes for module example.com/a: allow=NETWORK (line 2) and allow=EXEC",
    ],
    [
      "allow= on the go line",
      "module m.io/app\ngo 1.22 // allow=NETWORK\n",
      "go.mod:2: misplaced allow=NETWORK: allow= goes after gomodjail:confined, where a policy may go",
    ],
    [
      "a policy with classes on a replace line",
      "module m.io/app\nreplace example.com/a => ../a // gomodjail:confined allow=NETWORK\n",
      "go.mod:2: misplaced gomodjail:confined: a policy goes on a require line, above a require block, or above the module line",
    ],
    [
      "classes for the main module",
      "module example.com/app\nrequire example.com/app v1.0.0 // gomodjail:confined allow=NETWORK\n",
      "go.mod:2: example.com/app is the main module, which is never confined",
    ],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      const error = errorOf(() => parse(text));
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.message).toBe(message);
    });
  }

  test("gomodjail run prints one line naming the go.mod and exits 1 without starting the program", async () => {
    const goMod = join(mkdtempSync(join(tmpdir(), "gomodjail-classes-")), "go.mod");
    writeFileSync(goMod, require("// gomodjail:confined allow=NETWORK,NETWORK"));
    const r = await runCli(["run", `--go-mod=${goMod}`, "./prog"]);
    expect(r).toMatchObject({ status: 1, stdout: "", runs: [] });
    expect(r.stderr).toBe(`gomodjail: ${goMod}:2: NETWORK named twice in allow=NETWORK,NETWORK for module example.com/a\n`);
  });
});

describe("--policy MOD=confined:CLASS+CLASS", () => {
  const goMod = parse(`// gomodjail:confined allow=FILES/READ
module example.com/app
require (
	example.com/a v1.0.0 // gomodjail:confined allow=NETWORK
	example.com/b v1.0.0 // gomodjail:confined
	example.com/c v1.0.0 // gomodjail:unconfined
)
`);

  function apply(profile: Profile | undefined, flags: string[]) {
    const warnings: [string, object][] = [];
    const result = applyPolicyFlags(profile, flags, (msg, fields) => warnings.push([msg, fields]));
    return { result, warnings };
  }

  test("flags alone: classes joined by +, FILES for both FILES/ classes", () => {
    const { result, warnings } = apply(undefined, ["example.com/a=confined:FILES/READ+NETWORK,example.com/b=confined:FILES", "example.com/c=confined"]);
    expect(result).toEqual({
      mainModule: undefined,
      defaultPolicy: "unconfined",
      modules: new Map([
        ["example.com/a", "confined"],
        ["example.com/b", "confined"],
        ["example.com/c", "confined"],
      ]),
      allowed: new Map([
        ["example.com/a", new Set<CapabilityClass>(["FILES/READ", "NETWORK"])],
        ["example.com/b", new Set<CapabilityClass>(["FILES/READ", "FILES/WRITE"])],
      ]),
    });
    expect(warnings).toEqual([]);
  });

  test("a flag overrides the go.mod's classes, with a warning when they change", () => {
    const { result, warnings } = apply(goMod, ["example.com/a=confined", "example.com/b=confined:EXEC", "example.com/c=confined:NETWORK"]);
    expect(classesOf(result, ["example.com/a", "example.com/b", "example.com/c"])).toEqual({
      "example.com/a": [],
      "example.com/b": ["EXEC"],
      "example.com/c": ["NETWORK"],
    });
    expect(warnings).toEqual([
      ["--policy overrides the go.mod", { module: "example.com/a", goMod: "confined:NETWORK", policy: "confined" }],
      ["--policy overrides the go.mod", { module: "example.com/b", goMod: "confined", policy: "confined:EXEC" }],
      ["--policy overrides the go.mod", { module: "example.com/c", goMod: "unconfined", policy: "confined:NETWORK" }],
    ]);
  });

  test("unconfining a module drops its classes; the same classes say nothing; the default's classes stay", () => {
    const { result, warnings } = apply(goMod, ["example.com/a=unconfined", "example.com/b=confined"]);
    expect(classesOf(result, ["example.com/a", "example.com/unlisted"])).toEqual({ "example.com/a": [], "example.com/unlisted": ["FILES/READ"] });
    expect(result.allowed).toBeUndefined();
    expect(warnings).toEqual([["--policy overrides the go.mod", { module: "example.com/a", goMod: "confined:NETWORK", policy: "unconfined" }]]);
    expect(apply(goMod, ["example.com/a=confined:NETWORK"]).warnings).toEqual([]);
    expect(allowedClasses(goMod, "example.com/a")).toEqual(new Set(["NETWORK"]));
  });

  const bad: [string, string][] = [
    ["example.com/a=confined:", '--policy example.com/a=confined:: no class after "confined:": name them, e.g. confined:FILES/READ+NETWORK, or write confined to allow none'],
    ["example.com/a=unconfined:NETWORK", "--policy example.com/a=unconfined:NETWORK: classes are for confined modules: an unconfined module may already do everything"],
    ["example.com/a=confined:FILE", `--policy example.com/a=confined:FILE: unknown capability class "FILE" (known classes: ${knownClasses})`],
    ["example.com/a=confined:FILES+FILES/READ", "--policy example.com/a=confined:FILES+FILES/READ: FILES/READ named twice (FILES includes FILES/READ)"],
    ["example.com/a=confined:NETWORK+NETWORK", "--policy example.com/a=confined:NETWORK+NETWORK: NETWORK named twice"],
    ["example.com/a=confined:NETWORK+", '--policy example.com/a=confined:NETWORK+: empty class name: separate classes with "+" and no blanks'],
    ["example.com/a=confined:NETWORK,EXEC", '--policy "EXEC": expected MODULE=POLICY, e.g. example.com/module=confined'],
    ["example.com/a=confinde:NETWORK", '--policy example.com/a=confinde:NETWORK: unknown policy "confinde" (known policies: confined, unconfined)'],
    ["example.com/app=confined:NETWORK", "--policy example.com/app=confined:NETWORK: example.com/app is the main module, which is never confined"],
  ];
  for (const [flag, message] of bad) {
    test(`rejects --policy ${JSON.stringify(flag)}`, () => {
      const error = errorOf(() => apply(goMod, [flag]));
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.message).toBe(message);
    });
  }

  test("gomodjail run names the flag in its one line and exits 1", async () => {
    const r = await runCli(["run", "--policy=example.com/a=confined:FILE", "./prog"]);
    expect(r).toMatchObject({ status: 1, stdout: "", runs: [] });
    expect(r.stderr).toBe(`gomodjail: --policy example.com/a=confined:FILE: unknown capability class "FILE" (known classes: ${knownClasses})\n`);
  });
});

// ---- Compatibility with the original gomodjail's reading of the same comments ----

/**
 * The original's reading of one comment: its first whitespace-separated field (after `//` is
 * trimmed from the comment and from the field) that starts with `gomodjail:`; "" when none.
 */
function originalPolicyOfComment(c: Comment): string {
  for (const field of c.text.replace(/^\/\//, "").split(/\s+/)) {
    const f = field.replace(/^\/\//, "");
    if (f.startsWith("gomodjail:")) return f.slice("gomodjail:".length);
  }
  return "";
}

/**
 * The original's policy of every requirement: the module line's last comment sets the default
 * (a comment without a directive resets it), a block's first directive its block's, and a
 * requirement's last directive its own. Versions and errors aside, this is all it reads.
 */
function originalPolicies(mod: GoMod): { defaultPolicy: string; modules: Map<string, string> } {
  const moduleLine = mod.module!.directive;
  let defaultPolicy = "";
  for (const c of [...moduleLine.before, moduleLine.suffix]) if (c) defaultPolicy = originalPolicyOfComment(c);
  const modules = new Map<string, string>();
  for (const { path, directive } of mod.require) {
    let policy = defaultPolicy;
    const block = directive.block;
    const blockPolicy = block && [...block.before, block.suffix].map((c) => (c ? originalPolicyOfComment(c) : "")).find((p) => p !== "");
    if (blockPolicy) policy = blockPolicy;
    for (const c of [...directive.before, directive.suffix]) if (c && originalPolicyOfComment(c) !== "") policy = originalPolicyOfComment(c);
    modules.set(path, policy === "confined" ? "confined" : "unconfined");
  }
  return { defaultPolicy: defaultPolicy === "confined" ? "confined" : "unconfined", modules };
}

/** The value of every quoted or template literal without substitutions in TypeScript source. */
function stringLiterals(source: string): string[] {
  const found: string[] = [];
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0" };
  const cook = (body: string) =>
    body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[^])/g, (_, e: string) =>
      e.length > 1 ? String.fromCodePoint(parseInt(e.replace(/^[ux]\{?|\}$/g, ""), 16)) : (escapes[e] ?? e),
    );
  for (let i = 0; i < source.length; i++) {
    if (source.startsWith("//", i)) {
      i = source.indexOf("\n", i);
      if (i < 0) break;
    } else if (source[i] === '"' || source[i] === "'" || source[i] === "`") {
      let j = i + 1;
      while (source[j] !== source[i]) j += source[j] === "\\" ? 2 : 1;
      const body = source.slice(i + 1, j);
      if (source[i] !== "`" || !body.includes("${")) found.push(cook(body));
      i = j;
    }
  }
  return found;
}

describe("compatibility with the original gomodjail's parser", () => {
  const testFiles = readdirSync(import.meta.dir).filter((f) => f.endsWith(".test.ts"));
  const forms = [...new Set(testFiles.flatMap((f) => stringLiterals(readFileSync(join(import.meta.dir, f), "utf8"))))].filter((s) =>
    /^module /m.test(s),
  );

  test("every go.mod form in test/policy that we accept is read alike, or we warn about the line", () => {
    let compared = 0;
    let differing = 0;
    for (const text of forms) {
      let ours: Profile;
      const warnings: string[] = [];
      try {
        ours = parseProfile(text, "go.mod", (msg) => warnings.push(msg));
      } catch {
        continue; // We refuse it; the original reads it somehow.
      }
      compared++;
      const original = originalPolicies(parseGoMod(text, "go.mod"));
      const oursByModule = new Map([...original.modules.keys()].filter((m) => m !== ours.mainModule).map((m) => [m, policyOf(ours, m)]));
      const theirs = new Map([...original.modules].filter(([m]) => m !== ours.mainModule));
      const same = ours.defaultPolicy === original.defaultPolicy && [...theirs].every(([m, p]) => oursByModule.get(m) === p);
      if (!same) {
        differing++;
        expect({ text, warned: warnings.length > 0 }).toEqual({ text, warned: true });
      }
    }
    // The scan found the tests' go.mod texts, and some of them are read differently.
    expect(compared).toBeGreaterThan(40);
    expect(differing).toBeGreaterThan(0);
  });

  test("allow= is a field the original ignores: it confines the module wholly, which is stricter", () => {
    const text = "module m.io/app\nrequire example.com/a v1.0.0 // indirect; gomodjail:confined allow=NETWORK,FILES/READ\n";
    expect(originalPolicies(parseGoMod(text, "go.mod")).modules.get("example.com/a")).toBe("confined");
    expect(policyOf(parse(text), "example.com/a")).toBe("confined");
    expect(warningsOf(text)).toEqual([]);
  });

  test("a directive right after ';' without a blank: the original does not see it, and we warn", () => {
    const text = "module m.io/app\nrequire (\n\texample.com/a v1.0.0 // indirect;gomodjail:confined\n)\n";
    expect(originalPolicies(parseGoMod(text, "go.mod")).modules.get("example.com/a")).toBe("unconfined");
    expect(policyOf(parse(text), "example.com/a")).toBe("confined");
    expect(warningsOf(text)).toEqual(['go.mod:3: the original gomodjail does not see gomodjail:confined right after ";": put a blank after the ";"']);
  });

  test("several directives in one comment: the original reads only the first, and we warn", () => {
    const text = "// gomodjail:confined //gomodjail:confined\nmodule m.io/app\n";
    expect(warningsOf(text)).toEqual(["go.mod:1: 2 gomodjail: directives in one comment: the original gomodjail reads only the first; keep one"]);
  });

  test("a module line whose directive another comment follows: the original then reads no default, and we warn", () => {
    const text = "// gomodjail:confined\nmodule m.io/app // the app\nrequire example.com/a v1.0.0\n";
    expect(originalPolicies(parseGoMod(text, "go.mod")).defaultPolicy).toBe("unconfined");
    expect(parse(text).defaultPolicy).toBe("confined");
    expect(warningsOf(text)).toEqual(["go.mod:2: the original gomodjail reads no default policy when a comment without one comes after it, as this one does: make the gomodjail: comment the module line's last"]);
  });

  test("the usual forms warn of nothing", () => {
    const text = "// gomodjail:confined\nmodule m.io/app\nrequire (\n\texample.com/a v1.0.0 // indirect; gomodjail:unconfined\n\t// gomodjail:confined allow=EXEC\n\texample.com/b v1.0.0\n)\n";
    expect(warningsOf(text)).toEqual([]);
  });

  test("loadProfile warns too, naming the file, and gomodjail run prints the warning as a log line", async () => {
    const goMod = join(mkdtempSync(join(tmpdir(), "gomodjail-classes-")), "go.mod");
    writeFileSync(goMod, "module m.io/app\nrequire example.com/a v1.0.0 // indirect;gomodjail:confined\n");
    const warnings: string[] = [];
    loadProfile(goMod, (msg) => warnings.push(msg));
    const expected = `${goMod}:2: the original gomodjail does not see gomodjail:confined right after ";": put a blank after the ";"`;
    expect(warnings).toEqual([expected]);
    const r = await runCli(["run", `--go-mod=${goMod}`, "./prog"]);
    expect(r.stderr).toBe(`level=WARN msg=${JSON.stringify(expected)}\n`);
    expect(r.runs.length).toBe(1);
  });
});
