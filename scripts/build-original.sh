#!/usr/bin/env bash
# Builds the original gomodjail (AkihiroSuda/gomodjail, Go) offline, as a benchmark-only tool for
# bench/real-programs.ts: never in CI, never shipped. Output: .cache/original/gomodjail-TAG
# (.cache/ is ignored by git).
#
#   scripts/build-original.sh [TAG]          (default v0.3.2)
#
# Sources. The original and the three modules it needs that Debian does not package
# (AkihiroSuda/gomoddirectivecomments, AkihiroSuda/gosocialcheck, elastic/go-seccomp-bpf) are
# read from bare git clones, one per repository, named OWNER+NAME/repo or OWNER+NAME under
# $ORIGINAL_GIT_DIRS (default .cache/original-src; nothing here downloads them). Each is read at
# the tag the original's go.mod names. Every other dependency (golang.org/x/{sys,mod,tools,net,sync},
# spf13/cobra and pflag, mousetrap) comes from Debian's golang-*-dev packages of forky, whose
# versions are the nearest to the go.mod's (forky: x/sys 0.49 for 0.41, x/tools 0.49 for 0.42,
# cobra 1.10.2...), downloaded into a private apt state (scripts/debian-sources.sh: the system's
# own Debian source, another suite) and unpacked with dpkg-deb, not installed.
#
# How. `go mod download` cannot run offline, so the build is in GOPATH mode (GO111MODULE=off),
# as Debian builds its Go packages: the four git trees under a GOPATH of their own, then
# /usr/share/gocode of the unpacked packages. The binary therefore carries no module versions in
# its build information; the go.mod's versions are not the ones compiled (see above). Needs root
# for apt-get download of another suite's lists (as scripts/install-go.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-sources.sh

tag=${1:-v0.3.2}
git_dirs=${ORIGINAL_GIT_DIRS:-$PWD/.cache/original-src}
out_dir=$PWD/.cache/original
out=$out_dir/gomodjail-$tag
[ -x "$out" ] && { echo "$out"; exit 0; }

# The newest toolchain from scripts/install-go.sh.
go=$(ls -d /usr/lib/go-1.[0-9]*/bin/go 2>/dev/null | sort -V | tail -1)
[ -n "$go" ] || { echo "build-original: no Go toolchain under /usr/lib/go-1.NN (scripts/install-go.sh)" >&2; exit 1; }

repo_git() { # owner/name -> its bare git dir
  local d=$git_dirs/${1/\//+}/repo
  [ -d "$d" ] || d=$git_dirs/${1/\//+}
  if ! git --git-dir="$d" rev-parse -q --verify HEAD >/dev/null 2>&1; then
    echo "build-original: no git clone of $1 under $git_dirs (${1/\//+}/repo or ${1/\//+}; set ORIGINAL_GIT_DIRS to where the clones are)" >&2
    exit 1
  fi
  echo "$d"
}

work=$out_dir/work-$tag
rm -rf "$work" "$out_dir/gocache"
mkdir -p "$work/gopath/src"

checkout() { # owner/name import-path tag
  local dst=$work/gopath/src/$2 git_dir
  git_dir=$(repo_git "$1") || exit 1
  mkdir -p "$dst"
  git --git-dir="$git_dir" archive "$3" | tar -x -C "$dst"
}
checkout AkihiroSuda/gomodjail github.com/AkihiroSuda/gomodjail "$tag"
gomod=$work/gopath/src/github.com/AkihiroSuda/gomodjail/go.mod
version_of() { awk -v m="$1" '$1 == m {print $2; exit} $1 == "require" && $2 == m {print $3; exit}' "$gomod"; }
for m in AkihiroSuda/gomoddirectivecomments AkihiroSuda/gosocialcheck elastic/go-seccomp-bpf; do
  v=$(version_of "github.com/$m")
  [ -n "$v" ] || { echo "build-original: $tag's go.mod does not require github.com/$m" >&2; exit 1; }
  checkout "$m" "github.com/$m" "$v"
done

# Debian's packages of the rest, unpacked into $work/debian.
debs=(golang-golang-x-sys-dev golang-golang-x-mod-dev golang-golang-x-tools-dev golang-golang-x-net-dev
  golang-golang-x-sync-dev golang-github-spf13-cobra-dev golang-github-spf13-pflag-dev
  golang-github-inconshreveable-mousetrap-dev)
if [ "$(id -u)" != 0 ]; then
  echo "build-original: not root; cannot download ${debs[*]} (forky) into a private apt state" >&2
  exit 1
fi
debian_source_init build-original
apt_dir=$PWD/.cache/original-apt
private_apt "$apt_dir" forky
rm -f "$apt_dir"/debs/*.deb
(cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download -qq "${debs[@]/%//forky}")
mkdir -p "$work/debian"
for deb in "$apt_dir"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/debian"
  echo "build-original: $(basename "$deb")" >&2
done
rm -f "$apt_dir"/debs/*.deb

cd "$work/gopath/src/github.com/AkihiroSuda/gomodjail"
GO111MODULE=off GOPATH="$work/gopath:$work/debian/usr/share/gocode" GOFLAGS= GOPROXY=off GOTOOLCHAIN=local \
  GOCACHE="$out_dir/gocache" CGO_ENABLED=0 \
  "$go" build -o "$out.tmp" -ldflags "-X github.com/AkihiroSuda/gomodjail/cmd/gomodjail/version.Version=$tag" ./cmd/gomodjail
mv "$out.tmp" "$out"
cd "$out_dir"
rm -rf "$work" "$out_dir/gocache"
echo "build-original: built $tag with $("$go" version | awk '{print $3}') (GOPATH mode, Debian forky's x/sys, x/tools, cobra...)" >&2
echo "$out"
