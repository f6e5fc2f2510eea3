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

/** The minor release number of a Go version string ("go1.27.4", "go1.28rc1", "devel go1.28-abc X:foo"), if it names one. */
function goMinor(goVersion: string): number | undefined {
  const m = /^(?:devel )?go1\.(\d+)(?!\d)/.exec(goVersion);
  return m ? Number(m[1]) : undefined;
}

/** True when `goVersion` (as build information reports it) names a release newer than NEWEST_KNOWN_GO. */
export function isNewerGo(goVersion: string | undefined): boolean {
  const minor = goVersion === undefined ? undefined : goMinor(goVersion);
  return minor !== undefined && minor > Number(NEWEST_KNOWN_GO.split(".")[1]);
}
