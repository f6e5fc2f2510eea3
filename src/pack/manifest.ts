// The manifest of a packed executable: what the program is called and the policy it runs under,
// as JSON. The profile is stored resolved, so a packed executable needs no go.mod at run time.
import { basename } from "node:path";
import type { Policy, Profile } from "../policy/profile.ts";
import { PackError } from "./errors.ts";

export interface Manifest {
  /** The program's file name: the cache entry gets this name, so /proc/PID/exe still names it. */
  name: string;
  /** The file name of the go.mod the policy came from (for debug messages only). */
  goMod: string;
  profile: { mainModule: string; defaultPolicy: Policy; modules: [string, Policy][] };
}

/** A file name that is safe as the last element of a cache path. */
const safeName = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,127}$/;

/** The name the unpacked program gets: its own when it is a plain file name, else "prog". */
function programName(fileName: string): string {
  return safeName.test(fileName) ? fileName : "prog";
}

export function encodeManifest(name: string, goMod: string, profile: Profile): Buffer {
  if (profile.mainModule === undefined) throw new PackError(`${goMod}: the policy names no main module`);
  const manifest: Manifest = {
    name: programName(name),
    goMod: basename(goMod),
    profile: { mainModule: profile.mainModule, defaultPolicy: profile.defaultPolicy, modules: [...profile.modules].sort() },
  };
  return Buffer.from(JSON.stringify(manifest));
}

/** Parses a manifest whose hash was checked; `file` names the packed executable in errors. */
export function decodeManifest(bytes: Uint8Array, file: string): Manifest {
  const damaged = (why: string) => new PackError(`${file}: damaged packed executable (manifest: ${why})`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw damaged("not JSON");
  }
  const m = value as Partial<Manifest> | null;
  if (typeof m !== "object" || m === null) throw damaged("not an object");
  if (typeof m.name !== "string" || programName(m.name) !== m.name) throw damaged("bad program name");
  if (typeof m.goMod !== "string") throw damaged("bad go.mod name");
  const p = m.profile;
  if (typeof p !== "object" || p === null || typeof p.mainModule !== "string" || !isPolicy(p.defaultPolicy) || !Array.isArray(p.modules)) {
    throw damaged("bad profile");
  }
  for (const entry of p.modules as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string" || !isPolicy(entry[1])) throw damaged("bad module entry");
  }
  return { name: m.name, goMod: m.goMod, profile: { mainModule: p.mainModule, defaultPolicy: p.defaultPolicy, modules: p.modules } };
}

export function profileOf(m: Manifest): Profile {
  return { mainModule: m.profile.mainModule, defaultPolicy: m.profile.defaultPolicy, modules: new Map(m.profile.modules) };
}

function isPolicy(v: unknown): v is Policy {
  return v === "confined" || v === "unconfined";
}
