// `gomodjail pack --go-mod=FILE [-o OUT] [--base FILE] PROG`: writes one executable that runs
// PROG under the go.mod's policy. Light to import: the packing code loads when the command runs.
import type { Logger } from "../log-format.ts";

interface PackCommandOptions {
  goMod: string;
  output?: string;
  base?: string;
  logger: Logger;
}

export const packDescription = "Write one executable that runs a Go program under a policy";

export const packHelp = `
The executable holds gomodjail, PROG and the policy. It runs PROG under the policy with the
arguments, standard input and output, environment and exit status of the caller, also when
copied to another machine (same architecture; nothing else to install). On first start it
unpacks PROG into $XDG_CACHE_HOME/gomodjail (or ~/.cache/gomodjail), once per content; the
directory must be yours alone. $DEBUG turns on gomodjail's debug log.

The executable starts with a gomodjail single-file binary: this one when gomodjail runs as
that binary (e.g. built by make); else, run from its sources (bun x gomodjail, a checkout),
gomodjail builds one with the running Bun (a few seconds), unless --base names one.

Examples:
  # Write ./esbuild.gomodjail, which runs esbuild with its dependencies confined
  gomodjail pack --go-mod=examples/profiles/esbuild.mod node_modules/@esbuild/linux-x64/bin/esbuild

  # Choose the output, start from a binary built by make
  gomodjail pack --go-mod=go.mod --base=_output/bin/gomodjail -o /usr/local/bin/myprog ./myprog

  # Run it like the program itself
  ./esbuild.gomodjail --version
`;

/** Packs PROG; resolves to the exit status. Errors are typed (PackError, PolicyError, ProgramError...). */
export async function packCommand(prog: string, opts: PackCommandOptions, stdout: (text: string) => void): Promise<number> {
  const { packProgram } = await import("../pack/write.ts");
  const r = packProgram({ prog, goMod: opts.goMod, output: opts.output, base: opts.base, logger: opts.logger });
  stdout(`${r.output}: ${prog} under the policy of ${opts.goMod} (${(r.size / (1 << 20)).toFixed(1)} MiB)\n`);
  return 0;
}
