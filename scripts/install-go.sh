#!/usr/bin/env bash
# Installs the Go toolchains the tests build with, all from Debian's packages:
#   Go 1.19 (golang-go) and Go 1.21-1.23 from bookworm-backports, installed with apt-get;
#   Go 1.24 (trixie) and Go 1.25-1.27 (trixie-backports), unpacked into /usr/lib/go-1.NN.
# Every source is derived from the system's own Debian source (same URI, another suite), so no
# mirror host name is written anywhere.
#
# Why unpack the trixie toolchains instead of installing them: adding trixie to the system's
# sources would offer every trixie package as an upgrade (libc6 first) to any later apt-get
# install. Instead their lists live in a private apt state under .cache/go-apt, which the
# system's apt never reads; only the golang-1.NN-go and golang-1.NN-src .debs are downloaded
# and unpacked with dpkg-deb. The Go toolchain is statically linked, so nothing else of trixie
# is needed. Needs root; prints what is missing when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-sources.sh

bookworm_versions=(1.21 1.22 1.23)
# version:suite, for the toolchains that bookworm does not have.
trixie_versions=(1.24:trixie 1.25:trixie-backports 1.26:trixie-backports 1.27:trixie-backports)

backports_sources=/etc/apt/sources.list.d/gomodjail-backports.sources
apt_dir=$PWD/.cache/go-apt

if [ "$(id -u)" != 0 ]; then
  echo "install-go: not root; install golang-go and golang-1.2{1,2,3}-go (bookworm-backports) and unpack golang-1.2{4,5,6,7}-go (trixie, trixie-backports) yourself" >&2
  exit 1
fi
debian_source_init install-go

export DEBIAN_FRONTEND=noninteractive

missing_bookworm=()
[ -x /usr/lib/go-1.19/bin/go ] || missing_bookworm+=(golang-go)
for v in "${bookworm_versions[@]}"; do
  [ -x "/usr/lib/go-$v/bin/go" ] || missing_bookworm+=("golang-$v-go")
done
if [ "${#missing_bookworm[@]}" -gt 0 ]; then
  [ -f "$backports_sources" ] || source_for bookworm-backports > "$backports_sources"
  apt-get update -qq
  apt-get install -y -qq "${missing_bookworm[@]}" >/dev/null
fi

missing_trixie=()
for entry in "${trixie_versions[@]}"; do
  [ -x "/usr/lib/go-${entry%%:*}/bin/go" ] || missing_trixie+=("$entry")
done
if [ "${#missing_trixie[@]}" -gt 0 ]; then
  private_apt "$apt_dir" trixie trixie-backports
  for entry in "${missing_trixie[@]}"; do
    v=${entry%%:*} suite=${entry##*:}
    for pkg in "golang-$v-go" "golang-$v-src"; do
      (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download -qq "$pkg/$suite")
    done
    for deb in "$apt_dir"/debs/golang-"$v"-{go,src}_*.deb; do
      dpkg-deb -x "$deb" /
    done
    rm -f "$apt_dir"/debs/golang-"$v"-*.deb
  done
fi

for v in 1.19 "${bookworm_versions[@]}" "${trixie_versions[@]%%:*}"; do
  "/usr/lib/go-$v/bin/go" version
done
