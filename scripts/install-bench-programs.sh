#!/usr/bin/env bash
# Installs the third-party Go programs of bench/real-programs.ts (benchmark only: CI does not run
# it). From Debian, as scripts/install-real-programs.sh does for gdu (which it runs first): each
# package's .deb is downloaded through a private apt state that reads only another suite (derived
# from the system's own Debian source, so no mirror host name is written anywhere) and unpacked
# with dpkg-deb into /usr/lib/gomodjail-programs/PACKAGE, without its dependencies (these programs
# need only libc). From npm: the per-platform package that carries each CLI's Go binary, installed
# with npm (no install scripts) into .cache/bench-programs/npm.
#
#   scripts/install-bench-programs.sh        (root, for apt-get download)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-sources.sh

bash scripts/install-real-programs.sh

# package:suite:binary (the binary's path inside the package)
debian=(mkcert:trixie:usr/bin/mkcert caddy:trixie-backports:usr/bin/caddy etcd-client:trixie:usr/bin/etcdctl)
# npm packages, pinned: the versions the bench's policies were written for.
npm_packages=(@fastly/cli-linux-x64@16.1.0 @depot/cli-linux-x64@0.0.1-cli.2.102.12 sst-linux-x64@4.17.1)

dest=/usr/lib/gomodjail-programs
apt_dir=$PWD/.cache/programs-apt

missing=()
for entry in "${debian[@]}"; do
  IFS=: read -r pkg suite bin <<<"$entry"
  [ -x "$dest/$pkg/$bin" ] || missing+=("$entry")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-bench-programs: not root; unpack ${missing[*]} with dpkg-deb -x into $dest/PACKAGE yourself" >&2
    exit 1
  fi
  debian_source_init install-bench-programs
  export DEBIAN_FRONTEND=noninteractive
  suites=$(printf '%s\n' "${missing[@]}" | cut -d: -f2 | sort -u | tr '\n' ' ')
  # shellcheck disable=SC2086
  private_apt "$apt_dir" $suites
  for entry in "${missing[@]}"; do
    IFS=: read -r pkg suite bin <<<"$entry"
    unpack_deb "$apt_dir" "$pkg" "$suite" "$dest" "$bin"
    echo "install-bench-programs: $pkg ($suite) in $dest/$pkg${newest:+, needs $newest}" >&2
  done
fi

npm_dir=$PWD/.cache/bench-programs/npm
stamp=$npm_dir/.installed
if [ "$(cat "$stamp" 2>/dev/null)" != "${npm_packages[*]}" ]; then
  mkdir -p "$npm_dir"
  [ -f "$npm_dir/package.json" ] || echo '{"private":true}' >"$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "${npm_packages[@]}")
  echo "${npm_packages[*]}" >"$stamp"
fi
