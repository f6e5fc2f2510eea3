// What a packed executable does when it starts: check its manifest, unpack the program into the
// cache (once per content), and run it under the packed policy with its own argv[0] (as if it
// were the program), every argument given, its stdio and environment; resolve to the program's
// exit status (128+N when signal N killed it).
// gomodjail's own errors print one line and give status 1, as `gomodjail run` does.
import { closeSync, openSync, readSync } from "node:fs";
import { createHash } from "node:crypto";
import { debugRequested, lineLogger } from "../log-format.ts";
import { failureText, writeFully } from "../output.ts";
import { runJail } from "../session/run.ts";
import { cacheRoot } from "../cache/root.ts";
import { openCacheDir, unpackProgram } from "./cache.ts";
import { PackError } from "./errors.ts";
import type { PackedLayout } from "./format.ts";
import { decodeManifest, type Manifest, profileOf } from "./manifest.ts";

export async function runPacked(layout: PackedLayout, argv0: string, args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const debug = debugRequested(env.DEBUG);
  const logger = lineLogger({ debug, format: "text", write: (line) => writeFully(2, line) });
  try {
    const manifest = readManifest(layout);
    const prog = unpackProgram(layout, manifest.name, openCacheDir(cacheRoot(env)));
    logger.debug({ prog, goMod: manifest.goMod, mainModule: manifest.profile.mainModule }, "packed program");
    const result = await runJail({ argv: [prog, ...args], argv0, profile: profileOf(manifest), logger, stderrLog: "text", debug });
    return result.status;
  } catch (e) {
    writeFully(2, failureText(e, debug));
    return 1;
  }
}

/** Reads the manifest and checks it against the trailer's hash. */
function readManifest(layout: PackedLayout): Manifest {
  const bytes = Buffer.alloc(layout.manifestSize);
  const fd = openSync(layout.file, "r");
  try {
    if (readSync(fd, bytes, 0, bytes.length, layout.manifestOffset) !== bytes.length) {
      throw new PackError(`${layout.name}: damaged packed executable (the manifest is cut short)`);
    }
  } finally {
    closeSync(fd);
  }
  if (createHash("sha256").update(bytes).digest("hex") !== layout.manifestSha256) {
    throw new PackError(`${layout.name}: damaged packed executable (the manifest's SHA-256 does not match the trailer)`);
  }
  return decodeManifest(bytes, layout.name);
}
