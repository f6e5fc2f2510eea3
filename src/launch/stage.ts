// The pre-exec stage: the process that becomes the target. It waits until the tracer has seized
// it (a shell behind a gate, stage-gate.ts; else stopped by its own SIGSTOP), and then execs the
// target, whose seccomp filter the tracer installs at that exec (inject.ts). A POSIX shell does this in about a millisecond; where there is none
// (distroless and scratch images) this tool runs it itself, in its hidden child mode (child.ts),
// in about ten. Either one, resumed by anything but the tracer, exits 126 instead of exec'ing.
//
// The hidden child mode is marked by an environment variable, never argv (whose layout differs
// between running from source and a compiled binary). A process that has it never spawns another
// child, so a mistake here cannot become a fork bomb.
// Bun's URL helpers, not node:path and node:url: each node: module costs every thread's start-up.
import { existsSync } from "node:fs";

/** What the child stage (child.ts) is asked to exec. */
export interface ChildRequest {
  /** The program to exec: a path, already resolved by the parent. */
  path: string;
  argv: string[];
}

/** Its value is the JSON of a ChildRequest (child.ts). */
export const CHILD_ENV = "GOMODJAIL_INTERNAL_CHILD_REQUEST";

/**
 * True inside a `bun build --compile` binary: the bundle lives in Bun's embedded file system
 * and the executable is the tool itself. (import.meta.url cannot tell: with --bytecode it keeps
 * the source path of the build machine.)
 */
export const compiled = Bun.main.startsWith("/$bunfs/");

/** Forces the pre-exec stage to be this tool's child mode ("self"): how the fallback is tested. */
export const PRE_EXEC_STAGE_ENV = "GOMODJAIL_PRE_EXEC_STAGE";

const SHELL = "/bin/sh";
/**
 * Variables a shell sets or rewrites at start-up (dash: PWD, IFS, OPTIND, PPID; bash also SHLVL,
 * OLDPWD), put back as they were before the exec. `command` keeps a read-only one (bash's PPID)
 * from ending the shell.
 */
const SHELL_VARIABLES = ["PWD", "OLDPWD", "SHLVL", "IFS", "OPTIND", "PPID"];

export interface Command {
  path: string;
  argv: string[];
  env: Record<string, string | undefined>;
  /** The program the stage execs. */
  target: string;
  /** The descriptor a shell stage waits on, its gate (stage-gate.ts); unset, the stage stops itself. */
  gate?: number;
}

/**
 * The pre-exec stage that execs `target` with `env`: a shell where the system has one (waiting
 * behind descriptor `gate`, if given), else `self` (this tool) in its hidden child mode.
 */
export function preExecStage(target: ChildRequest, env: Record<string, string | undefined>, self: { path: string; argv: string[] }, gate?: number): Command {
  if (env[PRE_EXEC_STAGE_ENV] !== "self" && existsSync(SHELL) && shellExecsPath(target, env)) {
    // $0 is argv[0] as given: exec finds a bare name in PATH as the parent did (the tracer checks
    // at the exec that the file is the one it inspected), and the target sees the same argv.
    const restore = SHELL_VARIABLES.map((name) =>
      env[name] === undefined ? `command unset ${name} 2>/dev/null` : `command export ${name}=${shellQuote(env[name])} 2>/dev/null`,
    );
    const script = [
      // Read to the end: the tracer closes the other end once it has seized the shell.
      gate === undefined ? "kill -STOP $$" : `read -r g <&${gate}; exec ${gate}<&-`,
      // The user's IFS stays theirs; anything that does not read as a TracerPid leaves t empty.
      // The shell reads a byte per read(2): stop at the TracerPid line (the eighth), not the end.
      't=; while IFS=" \t" read -r k v; do case $k in TracerPid:) t=$v; break;; esac; done </proc/$$/status',
      'case $t in ""|0) echo "gomodjail: internal error: the pre-exec stage was resumed without a tracer" >&2; exit 126;; esac',
      ...restore,
      // Stopped here, the tracer steps the shell through its exec (seized-stage.ts).
      "kill -STOP $$",
      'exec "$0" "$@"',
    ].join("\n");
    return { path: SHELL, argv: ["sh", "-c", script, ...target.argv], env, target: target.path, gate };
  }
  return { path: self.path, argv: self.argv, env: { ...env, [CHILD_ENV]: JSON.stringify(target) }, target: target.path };
}

/**
 * Whether the shell's `exec "$0"` runs the target's file: not when argv[0] is another name for it
 * (a packed executable passes its own).
 */
function shellExecsPath(target: ChildRequest, env: Record<string, string | undefined>): boolean {
  const argv0 = target.argv[0] ?? "";
  return argv0.includes("/") ? argv0 === target.path : Bun.which(argv0, { PATH: env.PATH ?? "" }) === target.path;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * Set by the build of the npm package's bundle (`--define GOMODJAIL_BUNDLE=true`,
 * scripts/build-npm.ts): dist/main.js, which Bun runs as its main script (bin/gomodjail, where no
 * platform package is installed), and dist/session/worker.js hold the code. There, as in a
 * compiled binary, import.meta.url keeps the source path of the build.
 */
declare const GOMODJAIL_BUNDLE: boolean | undefined;
export const bundled = typeof GOMODJAIL_BUNDLE !== "undefined" && GOMODJAIL_BUNDLE;

/** The command that starts this tool again, for the child stage. */
export function selfCommand(): { path: string; argv: string[] } {
  if (compiled) return { path: process.execPath, argv: [process.execPath] };
  const main = bundled ? Bun.main : Bun.fileURLToPath(new URL("../main.ts", import.meta.url));
  // --no-env-file: the program gets this process's environment, not a .env of the working directory.
  return { path: process.execPath, argv: [process.execPath, "--no-env-file", main] };
}
