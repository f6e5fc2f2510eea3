#!/usr/bin/env bash
# Installs the Go toolchains the tests build with: Go 1.19 (golang-go) and Go 1.21-1.23 from
# bookworm-backports. The backports source is derived from the system's own Debian source
# (same URI), so no mirror host name is written anywhere. Needs root; prints what is missing
# when it cannot install.
set -euo pipefail

main_sources=/etc/apt/sources.list.d/debian.sources
backports_sources=/etc/apt/sources.list.d/gomodjail-backports.sources

if [ "$(id -u)" != 0 ]; then
  echo "install-go: not root; install golang-go and golang-1.2{1,2,3}-go (bookworm-backports) yourself" >&2
  exit 1
fi

if [ ! -f "$backports_sources" ]; then
  if [ ! -f "$main_sources" ]; then
    echo "install-go: $main_sources not found: cannot derive a bookworm-backports source" >&2
    exit 1
  fi
  uri=$(awk '/^URIs:/ {print $2; exit}' "$main_sources")
  keyring=$(awk '/^Signed-By:/ {print $2; exit}' "$main_sources")
  if [ -z "$uri" ]; then
    echo "install-go: no URIs line in $main_sources" >&2
    exit 1
  fi
  {
    echo "Types: deb"
    echo "URIs: $uri"
    echo "Suites: bookworm-backports"
    echo "Components: main"
    [ -n "$keyring" ] && echo "Signed-By: $keyring"
  } > "$backports_sources"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq golang-go golang-1.21-go golang-1.22-go golang-1.23-go >/dev/null
for v in 1.19 1.21 1.22 1.23; do
  "/usr/lib/go-$v/bin/go" version
done
