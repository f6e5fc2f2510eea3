#!/usr/bin/env bash
# Makes sure what gomodjail's build, example and tests need is here: Bun and the libraries from
# npm (npm ci), and Go toolchains from Debian's packages (scripts/install-go.sh, as root).
# Fast when everything is already installed; says what is missing when it cannot install it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null; then
    echo "bootstrap: npm is missing: install Node.js and npm, then run this again" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund
fi

have_all_go=yes
for v in 1.19 1.21 1.22 1.23; do
  [ -x "/usr/lib/go-$v/bin/go" ] || have_all_go=no
done
if [ "$have_all_go" = no ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    bash scripts/install-go.sh
  elif [ ! -x /usr/lib/go-1.23/bin/go ] && [ ! -x /usr/lib/go-1.19/bin/go ]; then
    echo "bootstrap: no Go toolchain: as root, run scripts/install-go.sh (Debian: golang-go, golang-1.2x-go from bookworm-backports)" >&2
    exit 1
  else
    echo "bootstrap: some Go toolchains are missing (tests use those present); run scripts/install-go.sh as root for all" >&2
  fi
fi

# Programs tests use: the profiles in examples/profiles are tested on shfmt, age and gron from
# Debian, with ssh-keygen for age's SSH keys and script(1) for a terminal (esbuild comes from
# npm, as a devDependency); tmux drives the job-control test, strace the benchmarks' comparison.
missing=()
for tool in shfmt:shfmt age:age gron:gron ssh-keygen:openssh-client script:bsdutils tmux:tmux strace:strace; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: some tests need these Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
  fi
fi
