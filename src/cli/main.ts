// The gomodjail command line: parses and validates the flags, builds the policy and hands the
// program to the jail. main() resolves to the exit status; it never throws and never exits.
import { writeFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { debugRequested, lineLogger, type LogFormat, type Logger, logFormats } from "../log-format.ts";
import { errorLine, failureText, oneLine, writeFully } from "../output.ts";
import { releaseJit } from "../jit-policy.ts";
import { mark } from "../timeline.ts";
import { applyPolicyFlags, confinedModules, confinesAnyModule, loadProfile, PolicyError, type Profile } from "../policy/profile.ts";
import type { RunRequest, RunResult } from "../session/run.ts";
import { formatBlockSummary, formatStdInitializationSummary } from "../session/tally.ts";
import { analyzeDescription, analyzeHelp } from "./analyze.ts";
import { fixDescription, fixHelp } from "./fix.ts";
import { versionLine } from "../version.ts";
import { CACHE_COMMAND } from "../session/cache-command.ts";
import { learnDescription, learnHelp } from "./learn.ts";
import { packCommand, packDescription, packHelp } from "./pack.ts";

export interface InspectOptions {
  goMod?: string;
  json?: boolean;
  logger: Logger;
}

/** What main() talks to; tests replace parts of it. */
export interface MainIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  runJail: (request: RunRequest) => Promise<RunResult>;
  inspectCommand: (prog: string, options: InspectOptions) => Promise<number>;
}

/** A command line that cannot be acted on; its message says what to change. */
class UsageError extends Error {
  override name = "UsageError";
}

const goModHelp = "go.mod file with comments like gomodjail:confined";
const noPolicyHint = "no policy: pass --go-mod=FILE or --policy=MOD=confined, or --no-policy to run without confinement";

/** The refusal of a policy that confines no module: what to add, by where the policy came from. */
function confinesNothingHint(goMod: string | undefined, withFlags: boolean): string {
  if (goMod === undefined) return "--policy confines no module: pass --policy=MOD=confined, or --no-policy to run without confinement";
  const source = withFlags ? `${goMod} with --policy` : goMod;
  return `${source} confines no module: add "// gomodjail:confined" to a module's require line, or pass --no-policy to run without confinement`;
}

const judgeMetadataHelp =
  "also stop on lstat, access, newfstatat, faccessat and faccessat2 and judge them as FILES/READ; by default they go through, so a confined module can learn whether a path exists and its metadata (not read it)";

const runExamples = `
Examples:
  # Confine the modules marked "// gomodjail:confined" in go.mod
  gomodjail run --go-mod=go.mod -- ./prog arg1 arg2

  # Confine one module without a go.mod (flags after PROG belong to PROG)
  gomodjail run --policy=example.com/module=confined ./prog --prog-flag

  # Use a go.mod, but let one of its confined modules out
  gomodjail run --go-mod=go.mod --policy=example.com/module=unconfined -- ./prog

  # Learn what a module needs before confining it: block nothing, report what would be
  gomodjail run --audit --report=audit.json --go-mod=go.mod -- ./prog

  # Also keep confined modules from learning whether paths exist (stat, access): slower
  gomodjail run --judge-metadata --go-mod=go.mod -- ./prog

  # The program sets LD_LIBRARY_PATH for the tools it runs, on purpose
  gomodjail run --go-mod=go.mod --allow-loader-env=LD_LIBRARY_PATH -- ./prog

Policies in go.mod (a comment on the line above, or at the end of the line):
  above the module line      the default policy of every module
  above "require ("          the default policy of the modules in that block
  on a requirement           the policy of that module, e.g.
                             example.com/m v1.0.0 // gomodjail:confined
  allow=CLASSES              the capability classes a confined module keeps, e.g.
                             example.com/m v1.0.0 // gomodjail:confined allow=FILES/READ,NETWORK
                             or --policy=example.com/m=confined:FILES/READ+NETWORK
`;

const inspectExamples = `
Examples:
  # What modules does the program hold, and how many functions of each?
  gomodjail inspect ./prog

  # Which policy would each module get under this go.mod?
  gomodjail inspect --go-mod=go.mod ./prog

  # The same as one JSON document, for scripts
  gomodjail inspect --go-mod=go.mod --json ./prog
`;

/** What the commands share: where they write, what tests replace, the debug switch and the exit status. */
interface Cli {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  io: Partial<MainIO>;
  /** --debug anywhere on the command line, or $DEBUG. */
  debug: boolean;
  status: number;
}

/**
 * The commands, in the order `gomodjail --help` lists them: each adds itself to the program, with
 * its flags and its action, and returns itself.
 */
const COMMANDS: readonly ((program: Command, cli: Cli) => Command)[] = [
  runCommandLine,
  inspectCommandLine,
  analyzeCommandLine,
  fixCommandLine,
  cacheFillCommandLine,
  packCommandLine,
  learnCommandLine,
];

/**
 * Whether the command line is a run with nothing before it but --debug: nothing it can ask for
 * lists the other commands, which are then not built (they cost a run's start-up about a
 * millisecond, on its critical path).
 */
function namesRunOnly(argv: readonly string[]): boolean {
  return argv[argv[0] === "--debug" ? 1 : 0] === "run";
}

/** Runs gomodjail with the user's arguments (without the runtime and script path). */
export async function main(argv: string[], io: Partial<MainIO> = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cli: Cli = {
    stdout: io.stdout ?? ((text: string) => writeFully(1, text)),
    stderr: io.stderr ?? ((text: string) => writeFully(2, text)),
    io,
    debug: debugRequested(env.DEBUG),
    status: 0,
  };
  const program = new Command("gomodjail")
    .description("Run Go programs with syscall restrictions on chosen modules")
    .enablePositionalOptions()
    .exitOverride()
    .version(versionLine, "-v, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addHelpCommand(false)
    .option("--debug", "debug mode [$DEBUG]")
    .action((_opts, cmd: Command) => {
      if (cmd.args.length > 0) throw usage(program, `unknown command '${cmd.args[0]}'`);
      throw usage(program, "missing command: run, inspect, analyze, fix, learn or pack");
    });
  program.hook("preAction", (_program, action) => {
    cli.debug ||= Boolean(program.opts().debug || action.opts().debug);
  });
  const commands = (namesRunOnly(argv) ? [runCommandLine] : COMMANDS).map((add) => add(program, cli));
  // Only now: subcommands inherit this setting when they are created. The program's action
  // reports the unknown command itself.
  program.allowExcessArguments();

  for (const cmd of [program, ...commands]) {
    cmd.configureOutput({
      writeOut: cli.stdout,
      writeErr: cli.stderr,
      outputError: (text) => cli.stderr(errorLine(`${oneLine(text.replace(/^error: /, ""))} ${seeHelp(cmd)}`)),
    });
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return cli.status;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    cli.stderr(failureText(e, cli.debug));
    return 1;
  }
}

const debugOption = () => new Option("--debug", "debug mode [$DEBUG]").helpGroup("Global Options:");

/** `gomodjail run`: the policy from the go.mod and the flags, then the jail. */
function runCommandLine(program: Command, cli: Cli): Command {
  const policyFlags: string[] = [];
  const allowLoaderEnvFlags: string[] = [];
  let allowNoPolicy = false;
  const run = program
    .command("run")
    .description("Run a Go program with confinement")
    .usage("[options] [--] PROG [ARGS]...")
    .argument("[PROG...]")
    .passThroughOptions()
    .helpOption("-h, --help", "show help for run")
    .addOption(new Option("--go-mod <FILE>", goModHelp))
    .addOption(
      new Option("--policy <MOD=POLICY,...>", "e.g. example.com/module=confined, or confined:FILES/READ+NETWORK to allow classes (repeatable)").argParser((value: string) => {
        policyFlags.push(value);
        return policyFlags;
      }),
    )
    .addOption(new Option("--no-policy", "allow running without any policy (for debugging)"))
    .addOption(new Option("--log-format <FORMAT>", "text (default) or json").argParser(parseLogFormat))
    .addOption(new Option("--audit", "block nothing: log ***Would block*** lines and print a summary at exit"))
    .addOption(
      new Option("--strict", "refuse to run where goroutine ancestry cannot be checked, a confined module has code the jail cannot hold, or its code reaches a class it is not allowed (instead of warning)"),
    )
    .addOption(new Option("--report <FILE>", "write the blocked (or, with --audit, would-be-blocked) syscalls as JSON"))
    .addOption(new Option("--judge-metadata", judgeMetadataHelp))
    .addOption(
      new Option(
        "--allow-loader-env <NAME,...>",
        "let the program pass this loader variable (LD_PRELOAD, LD_LIBRARY_PATH...), set or changed, to the programs it runs (repeatable)",
      ).argParser((value: string) => {
        allowLoaderEnvFlags.push(value);
        return allowLoaderEnvFlags;
      }),
    )
    .addOption(debugOption())
    .addHelpText("after", runExamples)
    .action(async (progAndArgs: string[], opts: { goMod?: string; logFormat?: LogFormat; audit?: boolean; strict?: boolean; report?: string; judgeMetadata?: boolean }) => {
      if (progAndArgs.length === 0) throw usage(run, "run: no program given");
      if (opts.goMod === "") throw usage(run, "--go-mod: empty file name");
      if (opts.report === "") throw usage(run, "--report: empty file name");
      const policed = opts.goMod !== undefined || policyFlags.length > 0;
      if (!policed && !allowNoPolicy) throw new UsageError(noPolicyHint);
      // The program's stage starts now and execs while the policy is read (session/early-stage.ts).
      (await import("../session/early-stage.ts")).startEarlyStage(progAndArgs, policed, opts.judgeMetadata ?? false);
      const logger = lineLogger({ debug: cli.debug, format: opts.logFormat ?? "text", write: cli.stderr });
      let profile: Profile | undefined = opts.goMod === undefined ? undefined : loadProfile(opts.goMod, (msg) => logger.warn(msg));
      if (policyFlags.length > 0) {
        profile = applyPolicyFlags(profile, policyFlags, (msg, fields) => logger.warn(fields, msg));
      }
      if (profile) {
        const confined = confinedModules(profile);
        logger.debug({ mainModule: profile.mainModule, defaultPolicy: profile.defaultPolicy, confined: confined.join(",") }, "policy");
        // A policy that confines nothing is no policy (also for --audit, which would find nothing).
        if (!confinesAnyModule(profile) && !allowNoPolicy) throw new PolicyError(confinesNothingHint(opts.goMod, policyFlags.length > 0));
      }
      const allowLoaderEnv = allowLoaderEnvFlags.flatMap((v) => v.split(","));
      if (allowLoaderEnv.length > 0) {
        const mistake = (await import("../tracer/loader-env.ts")).allowanceMistake(allowLoaderEnv);
        if (mistake) throw usage(run, `--allow-loader-env: ${mistake}`);
      }
      mark("policy_loaded");
      const runJail = cli.io.runJail ?? (await import("../session/run.ts")).runJail;
      // This thread's start-up is over; the tracer thread's goes on (jit-policy.ts).
      releaseJit();
      const audit = opts.audit ?? false;
      // A report names the program's build and holds what each module did, for `gomodjail learn`.
      const reporting = opts.report ? await import("../learn/report.ts") : undefined;
      const recorder = reporting && new reporting.ReportRecorder(reporting.identifyProgram(progAndArgs[0]!));
      const result = await runJail({
        argv: progAndArgs,
        profile,
        logger,
        stderrLog: opts.logFormat ?? "text",
        debug: cli.debug,
        audit,
        strict: opts.strict,
        allowLoaderEnv,
        judgeMetadata: opts.judgeMetadata,
        onBlocked: recorder?.onBlocked,
        exitWithProgram: !audit && !recorder,
      });
      if (audit) {
        const total = result.blocked.reduce((n, e) => n + e.count, 0);
        cli.stderr(formatBlockSummary(`gomodjail audit: ${total} syscall(s) would have been blocked`, result.blocked));
        const loaded = result.stdInitialization ?? [];
        const opens = loaded.reduce((n, e) => n + e.count, 0);
        if (opens > 0) cli.stderr(formatStdInitializationSummary(`gomodjail audit: ${opens} open(s) by the standard library's lazy loaders went through, checked (std initialization)`, loaded));
      }
      if (opts.report) {
        writeFileSync(opts.report, `${JSON.stringify(recorder!.report(result, audit, profile), null, 2)}\n`);
      }
      cli.status = result.status;
    });
  run.on("option:no-policy", () => {
    allowNoPolicy = true;
  });
  return run;
}

/** `gomodjail inspect`. */
function inspectCommandLine(program: Command, cli: Cli): Command {
  const inspect = program
    .command("inspect")
    .description("Show the modules of a Go program and their policies")
    .argument("<PROG>", "the Go program")
    .helpOption("-h, --help", "show help for inspect")
    .option("--go-mod <FILE>", goModHelp)
    .option("--json", "print JSON")
    .addOption(debugOption())
    .addHelpText("after", inspectExamples)
    .action(async (prog: string, opts: { goMod?: string; json?: boolean }) => {
      const logger = lineLogger({ debug: cli.debug, format: "text", write: cli.stderr });
      const inspectCommand = cli.io.inspectCommand ?? (await import("./inspect.ts")).inspectCommand;
      cli.status = await inspectCommand(prog, { goMod: opts.goMod, json: opts.json, logger });
    });
  return inspect;
}

/** `gomodjail analyze`. */
function analyzeCommandLine(program: Command, cli: Cli): Command {
  const analyze = program
    .command("analyze")
    .description(analyzeDescription)
    .argument("<PROG>", "the Go program")
    .helpOption("-h, --help", "show help for analyze")
    .option("--go-mod <FILE>", goModHelp)
    .addOption(new Option("--format <FORMAT>", "text (default), json or sarif").choices(["text", "json", "sarif"]))
    .option("--json", "print JSON (the same as --format=json)")
    .option("--strict", "a confined module with warnings (caveat classes) fails too")
    .option("--explain", "print the witness paths of warnings too, and every module's findings")
    .addOption(debugOption())
    .addHelpText("after", analyzeHelp)
    .action(async (prog: string, opts: { goMod?: string; json?: boolean; format?: "text" | "json" | "sarif"; strict?: boolean; explain?: boolean }) => {
      const logger = lineLogger({ debug: cli.debug, format: "text", write: cli.stderr });
      const format = opts.format ?? (opts.json ? "json" : "text");
      if (format === "sarif" && opts.goMod === undefined) throw usage(analyze, "--format=sarif: needs --go-mod (its results are at the confined modules' require lines)");
      cli.status = await (await import("./analyze.ts")).analyzeCommand(
        prog,
        { goMod: opts.goMod, format, strict: opts.strict ?? false, explain: opts.explain ?? false, logger },
        cli.stdout,
      );
    });
  return analyze;
}

/** `gomodjail fix`. */
function fixCommandLine(program: Command, cli: Cli): Command {
  const fix = program
    .command("fix")
    .description(fixDescription)
    .argument("<PROG>", "the Go program")
    .helpOption("-h, --help", "show help for fix")
    .requiredOption("--go-mod <FILE>", "the go.mod to fix (required)")
    .option("--unconfine", "write gomodjail:unconfined for the failing modules instead of the classes they need")
    .option("--strict", "fix modules with warnings too (their caveat classes)")
    .option("--dry-run", "print the change without writing the go.mod")
    .addOption(debugOption())
    .addHelpText("after", fixHelp)
    .action(async (prog: string, opts: { goMod: string; unconfine?: boolean; strict?: boolean; dryRun?: boolean }) => {
      if (opts.goMod === "") throw usage(fix, "--go-mod: empty file name");
      cli.status = await (await import("./fix.ts")).fixCommand(
        prog,
        { goMod: opts.goMod, unconfine: opts.unconfine ?? false, strict: opts.strict ?? false, dryRun: opts.dryRun ?? false },
        cli.stdout,
      );
    });
  return fix;
}

/** Started by a run, at the lowest priority, to fill the binary cache (src/session/confined-code.ts); hidden from --help. */
function cacheFillCommandLine(program: Command): Command {
  return program
    .command(CACHE_COMMAND, { hidden: true })
    .argument("<PROG>")
    .argument("<ENTRY>")
    .action(async (prog: string, entry: string) => {
      (await import("../session/confined-code.ts")).fillRunWarnings(prog, entry);
    });
}

/** `gomodjail pack`. */
function packCommandLine(program: Command, cli: Cli): Command {
  const pack = program
    .command("pack")
    .description(packDescription)
    .usage("--go-mod=FILE [-o OUT] [--base FILE] PROG")
    .argument("<PROG>", "the Go program's file")
    .helpOption("-h, --help", "show help for pack")
    .option("--go-mod <FILE>", `${goModHelp} (required)`)
    .option("-o, --output <FILE>", "the executable to write (default: ./PROG.gomodjail)")
    .option("--base <FILE>", "the gomodjail single-file binary to start from")
    .addOption(debugOption())
    .addHelpText("after", packHelp)
    .action(async (prog: string, opts: { goMod?: string; output?: string; base?: string }) => {
      if (!opts.goMod) throw usage(pack, "pack: --go-mod=FILE is required");
      if (opts.output === "") throw usage(pack, "--output: empty file name");
      if (opts.base === "") throw usage(pack, "--base: empty file name");
      const logger = lineLogger({ debug: cli.debug, format: "text", write: cli.stderr });
      cli.status = await packCommand(prog, { goMod: opts.goMod, output: opts.output, base: opts.base, logger }, cli.stdout);
    });
  return pack;
}

/** `gomodjail learn`. */
function learnCommandLine(program: Command, cli: Cli): Command {
  const learnFrom: string[] = [];
  const learn = program
    .command("learn")
    .description(learnDescription)
    .usage("--go-mod=FILE [-o OUT] [--from REPORT.json]... [--report FILE] [--allow-all-classes] [-- PROG [ARGS]...]")
    .argument("[PROG...]")
    .passThroughOptions()
    .helpOption("-h, --help", "show help for learn")
    .option("--go-mod <FILE>", "the program's go.mod, to learn a policy for (required)")
    .option("-o, --output <FILE>", "write the learned go.mod to FILE (default: stdout)")
    .addOption(
      new Option("--from <REPORT>", "also learn from a report of gomodjail run --audit --report (repeatable)").argParser((value: string) => {
        learnFrom.push(value);
        return learnFrom;
      }),
    )
    .option("--report <FILE>", "also write the run's evidence as a report, to learn from later with --from")
    .option("--allow-all-classes", "confine with classes also a module that needed EXEC, SYSTEM_CALLS or FILES/WRITE (each reaches every other class)")
    .option("--judge-metadata", "learn for a run with --judge-metadata: stop on lstat, access, newfstatat, faccessat and faccessat2 too")
    .addOption(debugOption())
    .addHelpText("after", learnHelp)
    .action(async (progAndArgs: string[], opts: { goMod?: string; output?: string; report?: string; allowAllClasses?: boolean; judgeMetadata?: boolean }) => {
      if (!opts.goMod) throw usage(learn, "learn: --go-mod=FILE is required");
      for (const [flag, value] of [["--output", opts.output], ["--report", opts.report], ...learnFrom.map((f) => ["--from", f])]) {
        if (value === "") throw usage(learn, `${flag}: empty file name`);
      }
      if (progAndArgs.length === 0 && learnFrom.length === 0) throw usage(learn, "learn: give a program to run (-- PROG [ARGS]...) or --from=REPORT");
      if (opts.report !== undefined && progAndArgs.length === 0) throw usage(learn, "learn: --report saves the evidence of a run: give a program to run");
      const { learnCommand } = await import("./learn.ts");
      const allowAllClasses = opts.allowAllClasses ?? false;
      const judgeMetadata = opts.judgeMetadata ?? false;
      cli.status = await learnCommand(progAndArgs, { goMod: opts.goMod, output: opts.output, from: learnFrom, report: opts.report, allowAllClasses, judgeMetadata, debug: cli.debug, stdout: cli.stdout, stderr: cli.stderr, runJail: cli.io.runJail });
    });
  return learn;
}

function parseLogFormat(value: string): LogFormat {
  if (!(logFormats as readonly string[]).includes(value)) throw new InvalidArgumentError(`Choose ${logFormats.join(" or ")}.`);
  return value as LogFormat;
}

function usage(cmd: Command, message: string): UsageError {
  return new UsageError(`${message} ${seeHelp(cmd)}`);
}

function seeHelp(cmd: Command): string {
  const name = cmd.parent ? `gomodjail ${cmd.name()}` : "gomodjail";
  return `(see '${name} --help')`;
}
