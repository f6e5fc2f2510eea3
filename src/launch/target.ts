// Checks of the first target before it starts: it must be a Go binary, and of the policy's
// main module (docs/design.md #8: other main modules are not confined, so running one by mistake
// would confine nothing); and whether a confined module can have code in it (confined-code.ts
// checks that code).
import { ElfError } from "../elf/elf.ts";
import { GoBinary } from "../gobin/binary.ts";
import { NewerGoError } from "../gobin/go-release.ts";
import type { Profile } from "../policy/profile.ts";
import { ProgramError } from "./errors.ts";
import { type FileIdentity, identify, sameIdentity } from "./program.ts";

/**
 * Checks the program at `path` and returns it opened; throws ProgramError. `opened`: the same file,
 * already opened (the one a process executes, through /proc/PID/exe).
 */
export function checkFirstTarget(path: string, profile: Profile, opened?: GoBinary): GoBinary {
  let binary: GoBinary;
  try {
    binary = opened ?? GoBinary.open(path);
  } catch (e) {
    if (e instanceof NewerGoError) throw new ProgramError(e.message);
    const why = e instanceof ElfError ? e.reason : (e as Error).message;
    throw new ProgramError(`${path}: not a Go binary gomodjail can read (${why})`);
  }
  // Without module information the tracer warns, when it first reads the binary (images.ts).
  const main = binary.buildInfo?.main?.path;
  if (main && profile.mainModule !== undefined && main !== profile.mainModule) {
    throw new ProgramError(`${path}: its main module is ${main}, but the policy is for ${profile.mainModule}`);
  }
  return binary;
}

/** A program's file opened before it is executed, and who the file was while it was read. */
export interface OpenedAhead {
  binary: GoBinary;
  identity: FileIdentity;
}

/**
 * Opens the Go binary at `path` ahead of its exec (the tracer thread reads it while the stage
 * runs to the exec, instead of after); undefined where it cannot be read as one, or the file
 * changed while it was read.
 */
export function openAhead(path: string): OpenedAhead | undefined {
  try {
    const identity = identify(path);
    const binary = GoBinary.open(path);
    return sameIdentity(identify(path), identity) ? { binary, identity } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Go binary process `pid` executes, or undefined where it cannot be read as one (the checks
 * say why): `ahead` where the process runs that very file, unchanged since it was read, else the
 * file read now through /proc/PID/exe.
 */
export function openExecuted(pid: number, ahead?: OpenedAhead): GoBinary | undefined {
  const exe = `/proc/${pid}/exe`;
  try {
    if (ahead && sameIdentity(identify(exe), ahead.identity)) return ahead.binary;
    return GoBinary.open(exe);
  } catch {
    return undefined;
  }
}

/**
 * Whether a confined module can have code in the binary: one its build information lists, or one
 * whose path nests with a listed one's (functions are attributed by path prefix). Without module
 * information, or where unlisted modules are confined by default, any can.
 */
export function mayHoldConfinedCode(binary: GoBinary, profile: Profile): boolean {
  const info = binary.buildInfo;
  if (!info?.main || profile.defaultPolicy === "confined") return true;
  const linked = [info.main.path, ...info.deps.map((d) => d.path)];
  const nested = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  return [...profile.modules].some(([module, policy]) => policy === "confined" && linked.some((l) => nested(l, module)));
}
