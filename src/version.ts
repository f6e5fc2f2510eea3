// What `gomodjail --version` prints, from package.json: one place for the CLI and main.ts's fast path.
import packageJson from "../package.json" with { type: "json" };

export const versionLine = `gomodjail version ${packageJson.version}`;
