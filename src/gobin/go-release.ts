// Which Go releases gomodjail was written and tested for. A binary from a newer release may lay
// out its tables or its runtime differently in ways no check can see, so it is refused by name
// rather than read by guesswork (README "Go versions").

/** The newest Go release whose binaries the whole test suite has run on. */
export const NEWEST_KNOWN_GO = "1.27";

/** The binary was built by a Go release newer than gomodjail knows. */
export class NewerGoError extends Error {
  override name = "NewerGoError";
  constructor(
    readonly file: string,
    /** What was found: the build information's Go version, or a description of the format. */
    readonly found: string,
  ) {
    super(`${file}: built with ${found}, newer than gomodjail knows (go${NEWEST_KNOWN_GO}); see README "Go versions"`);
  }
}

/** A Go version string as build information spells it, read: the one reader of them in src/. */
interface GoVersion {
  /** 27 for "go1.27.4", "go1.27rc1", "go1.27beta1" and "devel go1.27-abc X:foo". */
  minor: number;
  /** "1.27" for a release or release candidate ("go1.27", "go1.27.4", "go1.27rc1", with or without " X:..."); undefined for development and beta builds, whose runtime may differ from the release's. */
  release: string | undefined;
}

/** `goVersion` read ("go1.27.4", "go1.28rc1", "go1.23.5 X:boringcrypto", "devel go1.28-abc X:foo"), or undefined where it names no Go 1 release. */
export function parseGoVersion(goVersion: string): GoVersion | undefined {
  const m = /^(devel )?go1\.(\d+)(?!\d)(\S*)/.exec(goVersion);
  if (!m) return undefined;
  const isRelease = m[1] === undefined && /^(?:\.\d+|rc\d+)?$/.test(m[3]!);
  return { minor: Number(m[2]), release: isRelease ? `1.${m[2]}` : undefined };
}

/** True when `goVersion` (as build information reports it) names a release newer than NEWEST_KNOWN_GO. */
export function isNewerGo(goVersion: string | undefined): boolean {
  const minor = goVersion === undefined ? undefined : parseGoVersion(goVersion)?.minor;
  return minor !== undefined && minor > Number(NEWEST_KNOWN_GO.split(".")[1]);
}
