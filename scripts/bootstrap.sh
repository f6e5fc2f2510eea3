#!/usr/bin/env bash
# Makes sure what gomodjail's build, example and tests need is here: Bun and the libraries from
# npm (npm ci), and Go toolchains 1.19 and 1.21-1.27 from Debian's packages (scripts/install-go.sh,
# as root).
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

# install-go.sh knows which toolchains the tests want and installs only the missing ones.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-go.sh >/dev/null
elif ! ls /usr/lib/go-1.*/bin/go >/dev/null 2>&1; then
  echo "bootstrap: no Go toolchain: as root, run scripts/install-go.sh (Debian: golang-go, golang-1.2x-go from bookworm-backports, trixie and trixie-backports)" >&2
  exit 1
fi

# Programs tests use: the profiles in examples/profiles are tested on shfmt, age and gron from
# Debian, with ssh-keygen for age's SSH keys and script(1) for a terminal (esbuild, tsc and buf come
# from npm, as devDependencies); tmux drives the job-control test, strace the benchmarks' comparison;
# restic (bookworm's 0.14) is one of test/users/debian-programs.test.ts's real cgo release builds;
# on x86_64, qemu-aarch64 with arm64 glibc runs the arm64 npm package's cross-compiled binary
# (test/users/package.test.ts).
missing=()
for tool in shfmt:shfmt age:age gron:gron ssh-keygen:openssh-client script:bsdutils tmux:tmux strace:strace restic:restic; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if [ "$(uname -m)" = x86_64 ]; then
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || missing+=(libc6-arm64-cross)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: some tests need these Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
  fi
fi

# The trixie programs of test/users/debian-programs.test.ts (gdu), unpacked into
# /usr/lib/gomodjail-programs without adding trixie to the system's sources.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-real-programs.sh || echo "bootstrap: could not install trixie's gdu; test/users/debian-programs.test.ts skips it" >&2
elif [ ! -x /usr/lib/gomodjail-programs/gdu/usr/bin/gdu ]; then
  echo "bootstrap: test/users/debian-programs.test.ts wants trixie's gdu: as root, run scripts/install-real-programs.sh" >&2
fi
