#!/usr/bin/env bash
# Builds the ORIGINAL gomodjail's v2 (the Capslock-based `gomodjail analyze`, branch dev-v2 of
# AkihiroSuda/gomodjail) offline, from bare git copies of its source and its dependencies, so its
# verdicts can be compared with ours (test/fixtures/v2-verdicts/README.md says how they were made).
# A study aid: CI and the tests never call it, and nothing it builds or extracts is to be committed.
#
# Usage: scripts/build-original-v2.sh [--mirror DIR] [--work DIR] [--verdicts OUTDIR]
#   --mirror DIR     where the bare repositories are (default /work/.mirror): each one as
#                    DIR/<owner>+<name>/repo or DIR/<owner>+<name>, for example DIR/golang+tools/repo
#   --work DIR       scratch directory (default /tmp/v2build); the binary is DIR/gomodjail-v2
#   --verdicts OUT   also run `gomodjail analyze --format=json` on the four projects recorded in
#                    test/fixtures/v2-verdicts and write OUT/<project>.json (plus .txt, the --explain
#                    text, and .rc, the exit code); OUT must not be inside the repository's fixtures
#                    unless you mean to replace them
# Environment: GO (default /usr/lib/go-1.27/bin/go; v2's go.mod says go 1.25.0, so Go >= 1.25).
#
# Fetching is manual and must happen first: every repository below, containing the commit named
# (the tag is only a comment; a snapshot may lack tags, so commits are what is checked out).
# Where a snapshot lacked the tag the go.mod asks for, the nearest older commit is used (marked).
#
#   v2 itself
#     AkihiroSuda/gomodjail           14cf5cc100a9974de4866a5ba020f1a4d96818e9  dev-v2 (2026-07-06)
#   v2's requirements (versions from its go.mod)
#     google/capslock                 3c04df26d18e2b58b11f2024c8edb2acc1dcdebb  v0.3.2
#     AkihiroSuda/gomoddirectivecomments 9bf7cd234b04517aaf97f49b3cb56de7cfc81a97 v0.1.0
#     elastic/go-seccomp-bpf          9375c0f7fb340aa2e8715cc30cc0247be18971c9  v1.6.0
#     spf13/cobra                     88b30ab89da2d0d0abb153818746c5a2d30eccec  v1.10.2
#     spf13/pflag                     0491e5702ad2bb108bc519a5221bcc0f52aa9564  v1.0.10
#     golang/tools                    fbf9f2e2c8124fbe1877f5ed2857111038d9fe12  v0.47.0
#     golang/mod                      deb1dfcdb7c7fd98fb5afddc3e95dd36d5880874  v0.37.0
#     golang/sys                      d58dcfa8a74514c0ef0fc401259156c5e2fc9ff5  v0.46.0
#     golang/net                      9e7fdbfadb32b0cc7524100014c5cf9b6adc7729  v0.56.0
#     golang/sync                     ec11c4a93de22cde2abe2bf74d70791033c2464c  (v0.21.0 absent; 2026-02-23 HEAD)
#     fatih/color                     ca25f6e17f118a5a259f3c2c0d395949d1103a5a  v1.19.0
#     google/go-cmp                   9b12f366a942ebc7254abc7f32ca05068b455fb7  v0.7.0
#     inconshreveable/mousetrap       4e8053ee7ef85a6bd26368364a6d27f1641c1d21  v1.1.0
#     mattn/go-colorable              1f71342c1ee78c126bcb69cd26ed8c2be7e016b3  v0.1.14
#     mattn/go-isatty                 a7c02353c47bc4ec6b30dc9628154ae4fe760c11  v0.0.20
#     protocolbuffers/protobuf-go     96a179180f0ad6bba9b1e7b6e38d0affb0168e9a  v1.36.11
#   only for --verdicts (the capslock project: cmd/capslock at the versions capslock's go.mod pins)
#     golang/tools                    24a8e95f9d7ae2696f66314da5e50c0d98ccaa90  v0.43.0
#     golang/mod                      1ac721dff8591283e59aba6412a0eafc8b950d83  v0.34.0
#     golang/sys                      eaaaaee1dc1aacededf4a89bc4544558f425d5f1  v0.42.0
#     (golang/sync: the same commit as above, as v0.20.0 was absent too)
#
# Modules that are only named in some go.mod's require lists and never compiled (goldmark,
# telemetry, crypto, term, text, gotest.tools) get stub modules holding just a go.mod, so the module
# graph resolves with GOPROXY=off. Module paths are read from each extracted go.mod, never typed here.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
mirror=/work/.mirror
work=/tmp/v2build
verdicts=
while [ $# -gt 0 ]; do
  case $1 in
    --mirror) mirror=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --verdicts) verdicts=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-original-v2: unknown argument $1" >&2; exit 2 ;;
  esac
done
GO=${GO:-/usr/lib/go-1.27/bin/go}
[ -x "$GO" ] || { echo "build-original-v2: no Go at $GO (set GO=...; Go >= 1.25 is needed)" >&2; exit 1; }
export PATH="$(dirname "$GO"):$PATH" GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GONOSUMDB='*' \
  GOFLAGS=-mod=mod GOPATH="$work/gopath" GOCACHE="$work/gocache" CGO_ENABLED=1

gitdir() { # owner/name -> bare git dir
  local d="$mirror/${1/\//+}"
  if [ -d "$d/repo" ]; then echo "$d/repo"; elif [ -d "$d/objects" ]; then echo "$d"; else
    echo "build-original-v2: $1 is not in $mirror (fetch it first)" >&2; exit 1; fi
}

# extract DEST owner/name COMMIT: the commit's tree into DEST (replaced if present)
extract() {
  local dest=$1 g
  g=$(gitdir "$2")
  git --git-dir="$g" cat-file -e "$3^{commit}" 2>/dev/null ||
    { echo "build-original-v2: $2 lacks commit $3 (fetch a newer snapshot)" >&2; exit 1; }
  rm -rf "$dest"; mkdir -p "$dest"
  git --git-dir="$g" archive "$3" | tar -x -C "$dest"
}

modpath() { "$GO" mod edit -json "$1/go.mod" | sed -n 's/^\t\t"Path": "\(.*\)"$/\1/p' | head -1; }
requires() { "$GO" mod edit -json "$1/go.mod" | awk '/"Require"/{r=1} r&&/"Path"/{gsub(/[",]/,"",$2); print $2} /^\t\]/{r=0}'; }

# wire MAINDIR DEPDIR...: point MAINDIR's go.mod at each DEPDIR by a replace, and give every other
# module that any of these go.mod files requires a stub (a directory with just a go.mod).
wire() {
  local main=$1; shift
  local -A have=()
  local d m
  for d in "$@"; do have[$(modpath "$d")]=$d; done
  for d in "$main" "$@"; do
    for m in $(requires "$d"); do
      [ -n "${have[$m]:-}" ] && continue
      local stub="$work/stubs/${m//\//_}"
      mkdir -p "$stub"; printf 'module %s\n\ngo 1.20\n' "$m" > "$stub/go.mod"
      have[$m]=$stub
    done
  done
  for m in "${!have[@]}"; do
    [ "$m" = "$(modpath "$main")" ] && continue
    "$GO" mod edit -replace="$m=${have[$m]}" "$main/go.mod"
  done
}

src=$work/src
mkdir -p "$src"
extract "$src/gomodjail" AkihiroSuda/gomodjail 14cf5cc100a9974de4866a5ba020f1a4d96818e9
deps=(
  "capslock google/capslock 3c04df26d18e2b58b11f2024c8edb2acc1dcdebb"
  "gomoddirectivecomments AkihiroSuda/gomoddirectivecomments 9bf7cd234b04517aaf97f49b3cb56de7cfc81a97"
  "go-seccomp-bpf elastic/go-seccomp-bpf 9375c0f7fb340aa2e8715cc30cc0247be18971c9"
  "cobra spf13/cobra 88b30ab89da2d0d0abb153818746c5a2d30eccec"
  "pflag spf13/pflag 0491e5702ad2bb108bc519a5221bcc0f52aa9564"
  "tools golang/tools fbf9f2e2c8124fbe1877f5ed2857111038d9fe12"
  "mod golang/mod deb1dfcdb7c7fd98fb5afddc3e95dd36d5880874"
  "sys golang/sys d58dcfa8a74514c0ef0fc401259156c5e2fc9ff5"
  "net golang/net 9e7fdbfadb32b0cc7524100014c5cf9b6adc7729"
  "sync golang/sync ec11c4a93de22cde2abe2bf74d70791033c2464c"
  "color fatih/color ca25f6e17f118a5a259f3c2c0d395949d1103a5a"
  "go-cmp google/go-cmp 9b12f366a942ebc7254abc7f32ca05068b455fb7"
  "mousetrap inconshreveable/mousetrap 4e8053ee7ef85a6bd26368364a6d27f1641c1d21"
  "go-colorable mattn/go-colorable 1f71342c1ee78c126bcb69cd26ed8c2be7e016b3"
  "go-isatty mattn/go-isatty a7c02353c47bc4ec6b30dc9628154ae4fe760c11"
  "protobuf protocolbuffers/protobuf-go 96a179180f0ad6bba9b1e7b6e38d0affb0168e9a"
)
depdirs=()
for line in "${deps[@]}"; do
  set -- $line
  extract "$src/$1" "$2" "$3"
  depdirs+=("$src/$1")
done
wire "$src/gomodjail" "${depdirs[@]}"
(cd "$src/gomodjail" && "$GO" build -o "$work/gomodjail-v2" ./cmd/gomodjail)
echo "build-original-v2: built $work/gomodjail-v2 with $("$GO" env GOVERSION)" >&2

[ -n "$verdicts" ] || exit 0

# --verdicts: copy the three in-repo projects (their replaces are relative, so keep the layout)
# and set up the capslock project, then run v2 on each.
proj=$work/projects
rm -rf "$proj"; mkdir -p "$proj/examples" "$proj/test/fixtures"
cp -r "$repo_root/examples/victim" "$repo_root/examples/poisoned" "$proj/examples/"
cp -r "$repo_root/test/fixtures/capabilities" "$repo_root/test/fixtures/analyze" "$proj/test/fixtures/"

cs=$proj/capslock csd=$proj/capslock-deps
extract "$cs" google/capslock 3c04df26d18e2b58b11f2024c8edb2acc1dcdebb
cdeps=(
  "tools golang/tools 24a8e95f9d7ae2696f66314da5e50c0d98ccaa90"
  "mod golang/mod 1ac721dff8591283e59aba6412a0eafc8b950d83"
  "sys golang/sys eaaaaee1dc1aacededf4a89bc4544558f425d5f1"
  "sync golang/sync ec11c4a93de22cde2abe2bf74d70791033c2464c"
  "color fatih/color ca25f6e17f118a5a259f3c2c0d395949d1103a5a"
  "go-cmp google/go-cmp 9b12f366a942ebc7254abc7f32ca05068b455fb7"
  "protobuf protocolbuffers/protobuf-go 96a179180f0ad6bba9b1e7b6e38d0affb0168e9a"
  "go-colorable mattn/go-colorable 1f71342c1ee78c126bcb69cd26ed8c2be7e016b3"
  "go-isatty mattn/go-isatty a7c02353c47bc4ec6b30dc9628154ae4fe760c11"
)
cdirs=()
for line in "${cdeps[@]}"; do
  set -- $line
  extract "$csd/$1" "$2" "$3"
  cdirs+=("$csd/$1")
done
# Confine every requirement: a gomodjail:confined suffix on each require line inside the blocks
# (`// indirect` lines get `// indirect; gomodjail:confined`, which keeps them indirect).
sed -i -E '/^require \(/,/^\)/{ s#^(\t[^ ]+ [^ ]+) // indirect$#\1 // indirect; gomodjail:confined#; t; s#^(\t[^/ ][^ ]* [^ ]+)$#\1 // gomodjail:confined#; }' "$cs/go.mod"
rm -f "$cs/go.sum"
wire "$cs" "${cdirs[@]}"

export GOFLAGS=
mkdir -p "$verdicts"
run() { # name dir pattern
  local rc=0
  (cd "$2" && "$work/gomodjail-v2" analyze --format=json --go-mod=go.mod "$3") > "$verdicts/$1.json" 2>/dev/null || rc=$?
  echo "$rc" > "$verdicts/$1.rc"
  (cd "$2" && "$work/gomodjail-v2" analyze --explain --go-mod=go.mod "$3") > "$verdicts/$1.txt" 2>/dev/null || true
  echo "build-original-v2: $1: exit $(cat "$verdicts/$1.rc")" >&2
}
run victim "$proj/examples/victim" ./...
run capabilities "$proj/test/fixtures/capabilities/app" ./...
run analyze "$proj/test/fixtures/analyze/app" ./...
run capslock "$cs" ./cmd/capslock
