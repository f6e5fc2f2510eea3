// Which module a binary's functions and source files belong to, and which of them a policy
// confines: the tracer's view (src/tracer/images.ts, verdict.ts), for the analyzer.
import type { GoBinary } from "../gobin/binary.ts";
import { type ModuleRef, ModuleIndex, SourceFileIndex, sourceLayout } from "../gobin/modules.ts";
import { policyOf, type Profile } from "../policy/profile.ts";
import type { Attribution } from "../gobin/modules.ts";

/** Whether a module of the binary is confined under `profile` (as the tracer judges it). */
export function isConfined(profile: Profile | undefined, ref: ModuleRef): boolean {
  if (!profile || ref.kind === "main" || ref.kind === "std") return false;
  if (ref.kind === "unknown" && ref.path === "") return profile.defaultPolicy === "confined";
  return policyOf(profile, ref.path) === "confined";
}

/** The module and source-file attribution of a binary, as the tracer makes it. */
export function attributionOf(binary: GoBinary, profile: Profile | undefined): Attribution {
  const info = binary.buildInfo;
  const modules = new ModuleIndex(info?.main?.path ?? profile?.mainModule, [...(info?.deps.map((d) => d.path) ?? []), ...(profile?.modules.keys() ?? [])]);
  return { modules, files: new SourceFileIndex(modules, sourceLayout(info, mainFileOf(binary))) };
}

/** The source file of main.main (laid out last by the linker, so searched from the end). */
function mainFileOf(binary: GoBinary): string | undefined {
  const t = binary.pclntab;
  for (let fn = t.funcCount - 1; fn >= 0; fn--) {
    if (t.funcName(fn) === "main.main") return t.fileLine(fn, t.funcEntry(fn))?.file;
  }
  return undefined;
}
