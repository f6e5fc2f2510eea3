// The npm package's postinstall (scripts/build-npm.ts copies it into the package as install.js):
// puts the compiled gomodjail of this system's platform package (an optional dependency, which
// npm installs only on its os and cpu) in place of bin/gomodjail, the script npm links as
// node_modules/.bin/gomodjail, so that the command starts as the single-file binary does, with no
// shell or Node before it. A hard link where it can, else a copy; renamed over the script, so that
// a package store the script is linked from is left alone. Where there is no such binary, or it
// does not run here, or it is another version, the script stays: it says why, or runs Bun.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, linkSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const platforms = { "linux x64": "@gomodjail/linux-x64", "linux arm64": "@gomodjail/linux-arm64" };
const name = platforms[`${process.platform} ${process.arch}`];
const bin = fileURLToPath(new URL("bin/gomodjail", import.meta.url));
const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));

function note(why) {
  console.error(`gomodjail: ${why}; node_modules/.bin/gomodjail runs the package's script instead`);
}

function install() {
  if (!name) return; // the script says which systems have a binary
  let binary;
  try {
    binary = createRequire(import.meta.url).resolve(`${name}/bin/gomodjail`);
  } catch {
    return note(`${name} is not installed (optional dependencies omitted?)`);
  }
  let said;
  try {
    said = execFileSync(binary, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  } catch (e) {
    return note(`${binary} does not run here (${e.message.split("\n")[0]})`);
  }
  if (said.trim() !== `gomodjail version ${version}`) return note(`${binary} says ${JSON.stringify(said.trim())}, not version ${version}`);
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    try {
      linkSync(binary, tmp);
    } catch {
      copyFileSync(binary, tmp);
    }
    chmodSync(tmp, 0o755);
    renameSync(tmp, bin);
  } catch (e) {
    rmSync(tmp, { force: true });
    note(`could not put ${binary} in place of ${bin} (${e.message})`);
  }
}

install();
