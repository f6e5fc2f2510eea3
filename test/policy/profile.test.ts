import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GoModError } from "../../src/policy/gomod.ts";
import {
  applyPolicyFlags,
  confinedModules,
  confinesAnyModule,
  loadProfile,
  type Policy,
  PolicyError,
  parseProfile,
  policyOf,
  type Profile,
} from "../../src/policy/profile.ts";

const repoRoot = join(import.meta.dir, "../..");

function policies(text: string): Record<string, Policy> {
  return Object.fromEntries(parseProfile(text, "go.mod").modules);
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("directive syntax", () => {
  test("without directives nothing is confined", () => {
    const profile = parseProfile("module example.com/app\n\nrequire example.com/a v1.0.0\n", "go.mod");
    expect(profile).toEqual({ mainModule: "example.com/app", modules: new Map([["example.com/a", "unconfined"]]), defaultPolicy: "unconfined" });
  });

  test("a comment line above the module line sets the default policy", () => {
    const profile = parseProfile("// gomodjail:confined\nmodule example.com/app\n\nrequire example.com/a v1.0.0\n", "go.mod");
    expect(profile.defaultPolicy).toBe("confined");
    expect(profile.modules.get("example.com/a")).toBe("confined");
  });

  test("the default-policy directive may share its comment block with other text", () => {
    const text = "// Profile for app.\n// gomodjail:confined\nmodule example.com/app\nrequire example.com/a v1.0.0\n";
    expect(parseProfile(text, "go.mod").defaultPolicy).toBe("confined");
  });

  test("a trailing comment on the module line sets the default policy too", () => {
    expect(parseProfile("module example.com/app // gomodjail:confined\n", "go.mod").defaultPolicy).toBe("confined");
  });

  test("a comment line above `require (` sets that block's default, and only that block's", () => {
    const text = `module example.com/app

// gomodjail:confined
require (
	example.com/a v1.0.0
	example.com/b v1.0.0
)

require (
	example.com/c v1.0.0
)
`;
    expect(policies(text)).toEqual({ "example.com/a": "confined", "example.com/b": "confined", "example.com/c": "unconfined" });
  });

  test("a trailing comment on `require (` sets the block's default", () => {
    expect(policies("module m.io/app\nrequire ( // gomodjail:confined\n\texample.com/a v1.0.0\n)\n")).toEqual({ "example.com/a": "confined" });
  });

  test("a trailing comment on a requirement sets that one", () => {
    const text = "module m.io/app\nrequire (\n\texample.com/a v1.0.0 // gomodjail:confined\n\texample.com/b v1.0.0\n)\n";
    expect(policies(text)).toEqual({ "example.com/a": "confined", "example.com/b": "unconfined" });
  });

  test("a comment line just above a requirement sets that one, and not the next", () => {
    const text = "module m.io/app\nrequire (\n\t// gomodjail:confined\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n";
    expect(policies(text)).toEqual({ "example.com/a": "confined", "example.com/b": "unconfined" });
  });

  test("in a block, a comment above a requirement applies across a blank line, as in the original", () => {
    const text = "module m.io/app\nrequire (\n\t// gomodjail:confined\n\n\texample.com/a v1.0.0\n)\n";
    expect(policies(text)).toEqual({ "example.com/a": "confined" });
  });

  test("single-line requirements take a trailing comment or a comment line above", () => {
    const text = "module m.io/app\nrequire example.com/a v1.0.0 // gomodjail:confined\n// gomodjail:confined\nrequire example.com/b v1.0.0\nrequire example.com/c v1.0.0\n";
    expect(policies(text)).toEqual({ "example.com/a": "confined", "example.com/b": "confined", "example.com/c": "unconfined" });
  });

  test("all the spellings: with and without a space, after `// indirect;` or `// indirect //`", () => {
    const text = `module m.io/app
require (
	example.com/a v1.0.0 //gomodjail:confined
	example.com/b v1.0.0 // gomodjail:confined
	example.com/c v1.0.0 // indirect; gomodjail:confined
	example.com/d v1.0.0 // indirect;gomodjail:confined
	example.com/e v1.0.0 // indirect // gomodjail:confined
	example.com/f v1.0.0 // indirect //gomodjail:confined
	example.com/g v1.0.0 // indirect
)
`;
    expect(policies(text)).toEqual({
      "example.com/a": "confined",
      "example.com/b": "confined",
      "example.com/c": "confined",
      "example.com/d": "confined",
      "example.com/e": "confined",
      "example.com/f": "confined",
      "example.com/g": "unconfined",
    });
  });

  test("a requirement's own directive beats its block's, which beats the module's", () => {
    const text = `// gomodjail:confined
module m.io/app

// gomodjail:unconfined
require (
	example.com/a v1.0.0 // gomodjail:confined
	example.com/b v1.0.0
)

require example.com/c v1.0.0
require example.com/d v1.0.0 // gomodjail:unconfined
`;
    expect(policies(text)).toEqual({
      "example.com/a": "confined",
      "example.com/b": "unconfined",
      "example.com/c": "confined",
      "example.com/d": "unconfined",
    });
  });

  test("versions are ignored: pseudo-versions, +incompatible and quoted paths make no difference", () => {
    const text = `module m.io/app
require (
	"example.com/a" v0.0.0-20191202100458-e7afc7fbc510 // gomodjail:confined
	\`example.com/b\` v26.1.3-0.20240515073302-8e96db1c328d+incompatible // gomodjail:confined
)
`;
    expect(policies(text)).toEqual({ "example.com/a": "confined", "example.com/b": "confined" });
  });

  test("CRLF line endings change nothing", () => {
    const text = "// gomodjail:confined\nmodule m.io/app\nrequire (\n\texample.com/a v1.0.0 // gomodjail:unconfined\n\texample.com/b v1.0.0\n)\n";
    expect(parseProfile(text.replaceAll("\n", "\r\n"), "go.mod")).toEqual(parseProfile(text, "go.mod"));
  });

  test("replaced, excluded and retracted modules are not listed: only requirements are modules of the build", () => {
    const text = "module m.io/app\nrequire example.com/a v1.0.0\nreplace example.com/a => ../a\nreplace example.com/a/sub => ../sub\nexclude example.com/x v1.0.0\n";
    expect(policies(text)).toEqual({ "example.com/a": "unconfined" });
  });

  test("the README's example: a, d and e are confined; b and c are not", () => {
    const text = `// gomodjail:confined
module example.com/app

require (
        example.com/a v1.0.0
        example.com/b v1.0.0 // gomodjail:unconfined
)

// gomodjail:unconfined
require (
        example.com/c v1.0.0
        // gomodjail:confined
        example.com/d v1.0.0 // indirect
        example.com/e v1.0.0 // indirect; gomodjail:confined
)
`;
    const profile = parseProfile(text, "go.mod");
    expect(confinedModules(profile)).toEqual(["example.com/a", "example.com/d", "example.com/e"]);
    expect(policyOf(profile, "example.com/b")).toBe("unconfined");
    expect(policyOf(profile, "example.com/c")).toBe("unconfined");
  });
});

describe("the Docker CLI profile (test/fixtures/profiles/docker-26.1.3.mod)", () => {
  const profile = loadProfile(join(repoRoot, "test/fixtures/profiles/docker-26.1.3.mod"));

  test("is confined by default and names the main module", () => {
    expect(profile.mainModule).toBe("github.com/docker/cli");
    expect(profile.defaultPolicy).toBe("confined");
    expect(profile.modules.size).toBe(87);
    expect(policyOf(profile, "github.com/docker/cli")).toBe("unconfined");
  });

  test("confines exactly these 71 modules", () => {
    expect(confinedModules(profile)).toEqual([
      "dario.cat/mergo",
      "github.com/Azure/go-ansiterm",
      "github.com/Microsoft/go-winio",
      "github.com/Microsoft/hcsshim",
      "github.com/beorn7/perks",
      "github.com/cenkalti/backoff/v4",
      "github.com/cespare/xxhash/v2",
      "github.com/containerd/containerd",
      "github.com/containerd/log",
      "github.com/creack/pty",
      "github.com/distribution/reference",
      "github.com/docker/distribution",
      "github.com/docker/docker-credential-helpers",
      "github.com/docker/go",
      "github.com/docker/go-events",
      "github.com/docker/go-metrics",
      "github.com/docker/go-units",
      "github.com/felixge/httpsnoop",
      "github.com/fvbommel/sortorder",
      "github.com/go-logr/logr",
      "github.com/go-logr/stdr",
      "github.com/google/go-cmp",
      "github.com/google/shlex",
      "github.com/gorilla/mux",
      "github.com/grpc-ecosystem/grpc-gateway/v2",
      "github.com/inconshreveable/mousetrap",
      "github.com/klauspost/compress",
      "github.com/mattn/go-runewidth",
      "github.com/matttproud/golang_protobuf_extensions",
      "github.com/miekg/pkcs11",
      "github.com/mitchellh/mapstructure",
      "github.com/moby/docker-image-spec",
      "github.com/moby/patternmatcher",
      "github.com/moby/swarmkit/v2",
      "github.com/moby/sys/sequential",
      "github.com/moby/sys/signal",
      "github.com/moby/sys/symlink",
      "github.com/moby/sys/user",
      "github.com/morikuni/aec",
      "github.com/opencontainers/go-digest",
      "github.com/opencontainers/image-spec",
      "github.com/pkg/errors",
      "github.com/prometheus/client_model",
      "github.com/prometheus/common",
      "github.com/prometheus/procfs",
      "github.com/rivo/uniseg",
      "github.com/sirupsen/logrus",
      "github.com/spf13/pflag",
      "github.com/theupdateframework/notary",
      "github.com/tonistiigi/go-rosetta",
      "github.com/xeipuuv/gojsonpointer",
      "github.com/xeipuuv/gojsonreference",
      "github.com/xeipuuv/gojsonschema",
      "go.etcd.io/etcd/raft/v3",
      "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
      "go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc",
      "go.opentelemetry.io/otel/exporters/otlp/otlptrace",
      "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc",
      "go.opentelemetry.io/otel/trace",
      "go.opentelemetry.io/proto/otlp",
      "golang.org/x/crypto",
      "golang.org/x/mod",
      "golang.org/x/term",
      "golang.org/x/text",
      "golang.org/x/time",
      "golang.org/x/tools",
      "google.golang.org/genproto/googleapis/api",
      "google.golang.org/genproto/googleapis/rpc",
      "gopkg.in/yaml.v2",
      "gotest.tools/v3",
      "tags.cncf.io/container-device-interface",
    ]);
  });

  test("leaves out exactly these 16 modules, marked on their line or on the line above", () => {
    const unconfined = [...profile.modules].filter(([, p]) => p === "unconfined").map(([m]) => m);
    expect(unconfined.sort()).toEqual([
      "github.com/docker/docker",
      "github.com/docker/go-connections",
      "github.com/gogo/protobuf",
      "github.com/golang/protobuf",
      "github.com/moby/term",
      "github.com/prometheus/client_golang",
      "github.com/spf13/cobra",
      "go.opentelemetry.io/otel",
      "go.opentelemetry.io/otel/metric",
      "go.opentelemetry.io/otel/sdk",
      "go.opentelemetry.io/otel/sdk/metric",
      "golang.org/x/net",
      "golang.org/x/sync",
      "golang.org/x/sys",
      "google.golang.org/grpc",
      "google.golang.org/protobuf",
    ]);
  });
});

describe("policies that cannot be honoured are PolicyErrors naming the file, the line and the module", () => {
  const cases: [string, string, string][] = [
    [
      "an unknown policy on a requirement",
      "module m.io/app\nrequire (\n\texample.com/a v1.0.0 // gomodjail:confinde\n)\n",
      'go.mod:3: unknown policy "confinde" for module example.com/a (known policies: confined, unconfined)',
    ],
    [
      "an unknown policy on the line above a requirement",
      "module m.io/app\nrequire (\n\t// gomodjail:jailed\n\texample.com/a v1.0.0\n)\n",
      'go.mod:3: unknown policy "jailed" for module example.com/a (known policies: confined, unconfined)',
    ],
    [
      "an empty policy",
      "module m.io/app\nrequire example.com/a v1.0.0 // indirect; gomodjail:\n",
      'go.mod:2: unknown policy "" for module example.com/a (known policies: confined, unconfined)',
    ],
    [
      "an unknown default policy",
      "// gomodjail:Confined\nmodule m.io/app\n",
      'go.mod:1: unknown policy "Confined" for the default policy (known policies: confined, unconfined)',
    ],
    [
      "an unknown block policy",
      "module m.io/app\n\n// gomodjail:confinde\nrequire (\n\texample.com/a v1.0.0\n)\n",
      'go.mod:3: unknown policy "confinde" for the require block at line 4 (known policies: confined, unconfined)',
    ],
    [
      "two policies for one requirement",
      "module m.io/app\nrequire (\n\t// gomodjail:confined\n\texample.com/a v1.0.0 // gomodjail:unconfined\n)\n",
      "go.mod:4: conflicting policies for module example.com/a: confined (line 3) and unconfined",
    ],
    [
      "one module required twice with different policies",
      "module m.io/app\nrequire example.com/a v1.0.0 // gomodjail:confined\nrequire example.com/a v1.1.0\n",
      "go.mod:3: conflicting policies for module example.com/a: confined (line 2) and unconfined",
    ],
    [
      "a policy separated from the module line by a blank line",
      "// gomodjail:confined\n\nmodule m.io/app\n",
      "go.mod:1: misplaced gomodjail:confined: a policy goes on a require line, above a require block, or above the module line",
    ],
    [
      "a policy on the go line",
      "module m.io/app\ngo 1.22 // gomodjail:confined\n",
      "go.mod:2: misplaced gomodjail:confined: a policy goes on a require line, above a require block, or above the module line",
    ],
    [
      "a policy on a replace line",
      "module m.io/app\nrequire example.com/a v1.0.0\nreplace (\n\texample.com/a => ../a // gomodjail:confined\n)\n",
      "go.mod:4: misplaced gomodjail:confined: a policy goes on a require line, above a require block, or above the module line",
    ],
    [
      "a policy above a closing paren",
      "module m.io/app\nrequire (\n\texample.com/a v1.0.0\n\t// gomodjail:confined\n)\n",
      "go.mod:4: misplaced gomodjail:confined: a policy goes on a require line, above a require block, or above the module line",
    ],
    [
      "a policy at the end of the file",
      "module m.io/app\nrequire example.com/a v1.0.0\n// gomodjail:confined\n",
      "go.mod:3: misplaced gomodjail:confined: a policy goes on a require line, above a require block, or above the module line",
    ],
    [
      "a confined main module",
      "module example.com/app\nrequire example.com/app v1.0.0 // gomodjail:confined\n",
      "go.mod:2: example.com/app is the main module, which is never confined",
    ],
    ["no module line", "require example.com/a v1.0.0 // gomodjail:confined\n", "go.mod: no module directive: the go.mod must name the main module"],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      const error = errorOf(() => parseProfile(text, "go.mod"));
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.message).toBe(message);
    });
  }

  test("syntax errors stay GoModErrors", () => {
    const error = errorOf(() => parseProfile("module m.io/app\nrequire example.com/a\n", "go.mod"));
    expect(error).toBeInstanceOf(GoModError);
    expect(error.message).toBe("go.mod:2: usage: require module/path v1.2.3");
  });

  test("a URL or prose mentioning gomodjail is not a directive", () => {
    const text = "// See https://github.com/AkihiroSuda/gomodjail:\n// gomodjail confines modules.\nmodule m.io/app\n";
    expect(parseProfile(text, "go.mod").defaultPolicy).toBe("unconfined");
  });
});

describe("applyPolicyFlags", () => {
  const goMod = parseProfile("module example.com/app\nrequire (\n\texample.com/a v1.0.0 // gomodjail:confined\n\texample.com/b v1.0.0\n)\n", "go.mod");

  function apply(profile: Profile | undefined, flags: string[]) {
    const warnings: [string, object][] = [];
    const result = applyPolicyFlags(profile, flags, (msg, fields) => warnings.push([msg, fields]));
    return { result, warnings };
  }

  test("flags override the go.mod, with a warning for each entry they change", () => {
    const { result, warnings } = apply(goMod, ["example.com/a=unconfined,example.com/b=confined", "example.com/new=confined"]);
    expect(Object.fromEntries(result.modules)).toEqual({
      "example.com/a": "unconfined",
      "example.com/b": "confined",
      "example.com/new": "confined",
    });
    expect(result.mainModule).toBe("example.com/app");
    expect(warnings).toEqual([
      ["--policy overrides the go.mod", { module: "example.com/a", goMod: "confined", policy: "unconfined" }],
      ["--policy overrides the go.mod", { module: "example.com/b", goMod: "unconfined", policy: "confined" }],
    ]);
  });

  test("a flag that agrees with the go.mod says nothing, and the go.mod profile is left as it was", () => {
    const { warnings } = apply(goMod, ["example.com/a=confined", "example.com/b=confined"]);
    expect(warnings).toEqual([["--policy overrides the go.mod", { module: "example.com/b", goMod: "unconfined", policy: "confined" }]]);
    expect(goMod.modules.get("example.com/b")).toBe("unconfined");
  });

  test("flags alone make a profile with no main module and an unconfined default", () => {
    const { result, warnings } = apply(undefined, ["example.com/a=confined"]);
    expect(result).toEqual({ mainModule: undefined, modules: new Map([["example.com/a", "confined"]]), defaultPolicy: "unconfined" });
    expect(warnings).toEqual([]);
  });

  test("the last flag for a module wins", () => {
    expect(apply(undefined, ["example.com/a=confined", "example.com/a=unconfined"]).result.modules.get("example.com/a")).toBe("unconfined");
  });

  test("unconfining the main module is a no-op", () => {
    expect(apply(goMod, ["example.com/app=unconfined"]).result.modules.has("example.com/app")).toBe(false);
  });

  const bad: [string, string][] = [
    ["example.com/a", '--policy "example.com/a": expected MODULE=POLICY, e.g. example.com/module=confined'],
    ["=confined", '--policy "=confined": expected MODULE=POLICY, e.g. example.com/module=confined'],
    ["", '--policy "": expected MODULE=POLICY, e.g. example.com/module=confined'],
    ["example.com/a=confinde", '--policy example.com/a=confinde: unknown policy "confinde" (known policies: confined, unconfined)'],
    ["example.com/a=confined,example.com/b", '--policy "example.com/b": expected MODULE=POLICY, e.g. example.com/module=confined'],
    ["example.com/app=confined", "--policy example.com/app=confined: example.com/app is the main module, which is never confined"],
  ];
  for (const [flag, message] of bad) {
    test(`rejects --policy ${JSON.stringify(flag)}`, () => {
      const error = errorOf(() => apply(goMod, [flag]));
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.message).toBe(message);
    });
  }
});

describe("confinesAnyModule: a policy that confines nothing is no policy", () => {
  const cases: [string, string, boolean][] = [
    ["a go.mod without gomodjail comments", "module example.com/app\nrequire example.com/a v1.0.0\n", false],
    ["a go.mod without requirements", "module example.com/app\n", false],
    ["a go.mod whose comments only unconfine", "// gomodjail:unconfined\nmodule example.com/app\nrequire example.com/a v1.0.0 // gomodjail:unconfined\n", false],
    ["a require block that is unconfined by default", "module example.com/app\n// gomodjail:unconfined\nrequire (\n\texample.com/a v1.0.0\n)\n", false],
    ["one confined requirement", "module example.com/app\nrequire example.com/a v1.0.0 // gomodjail:confined\n", true],
    ["a confined require block", "module example.com/app\n// gomodjail:confined\nrequire (\n\texample.com/a v1.0.0\n)\n", true],
    ["a confined default and no requirements (every module the binary holds is confined)", "// gomodjail:confined\nmodule example.com/app\n", true],
  ];
  for (const [name, text, confines] of cases) {
    test(`${name}: ${confines ? "confines" : "confines nothing"}`, () => {
      expect(confinesAnyModule(parseProfile(text, "go.mod"))).toBe(confines);
    });
  }

  test("--policy flags that unconfine the only confined module leave nothing confined", () => {
    const profile = parseProfile("module example.com/app\nrequire example.com/a v1.0.0 // gomodjail:confined\n", "go.mod");
    expect(confinesAnyModule(applyPolicyFlags(profile, ["example.com/a=unconfined"], () => {}))).toBe(false);
    expect(confinesAnyModule(applyPolicyFlags(undefined, ["example.com/b=confined"], () => {}))).toBe(true);
  });
});

describe("policyOf", () => {
  const profile = parseProfile(
    "// gomodjail:confined\nmodule example.com/app\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0 // gomodjail:unconfined\n\tlocallib v0.0.0 // gomodjail:confined\n)\nreplace locallib => ../locallib\n",
    "go.mod",
  );

  test("the main module is never confined, even under a confined default", () => {
    expect(policyOf(profile, "example.com/app")).toBe("unconfined");
  });

  test("a listed module gets its policy", () => {
    expect(policyOf(profile, "example.com/a")).toBe("confined");
    expect(policyOf(profile, "example.com/b")).toBe("unconfined");
    expect(policyOf(profile, "locallib")).toBe("confined");
  });

  test("a module the go.mod does not list gets the default policy", () => {
    expect(policyOf(profile, "example.com/unlisted")).toBe("confined");
    expect(policyOf(parseProfile("module example.com/app\n", "go.mod"), "example.com/unlisted")).toBe("unconfined");
  });

  test("the standard library is never confined", () => {
    for (const std of ["os", "internal/poll", "vendor/golang.org/x/net/dns/dnsmessage", "syscall"]) {
      expect(policyOf(profile, std)).toBe("unconfined");
    }
  });
});
