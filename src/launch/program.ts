// The program a run starts: found like a shell finds it, and the environment it gets. Light on
// purpose: the command line starts the program's stage before it reads the policy (session/early-stage.ts).
import { accessSync, constants, statSync } from "node:fs";
import { withTracebackAncestors } from "../confinement/godebug.ts";
import { ProgramError } from "./errors.ts";
import { inheritableDescriptors } from "../libc/descriptors.ts";

/** Finds PROG like a shell does: a name without a slash is looked up in PATH. */
export function resolveProgram(prog: string): string {
  const path = prog.includes("/") ? prog : Bun.which(prog);
  if (!path) throw new ProgramError(`${prog}: not found in PATH`);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ProgramError(`${prog}: no such file`);
  }
  if (!st.isFile()) throw new ProgramError(`${prog}: not a regular file`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ProgramError(`${prog}: permission denied (not executable)`);
  }
  return path;
}

/** Who a file is, as the kernel says: stat's fields that any rewrite of the file changes. */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

export function identify(path: string): FileIdentity {
  const st = statSync(path, { bigint: true });
  return { dev: String(st.dev), ino: String(st.ino), size: String(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs) };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Whether two paths name the same file (device and inode); false where either cannot be stat'ed. */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The program's environment: gomodjail's own, with goroutine ancestry on when a policy is judged. */
export function programEnvironment(policed: boolean, env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  return policed ? { ...env, GODEBUG: withTracebackAncestors(env.GODEBUG) } : { ...env };
}

let given: number[] | undefined;

/**
 * The descriptors above stderr that the program inherits: those this process held without
 * close-on-exec when first asked, before it started a thread of its own (session/thread.ts). Taken
 * later, one that another thread had open for a moment would be among them (libc/spawn.ts).
 */
export function programDescriptors(): number[] {
  return (given ??= inheritableDescriptors());
}
