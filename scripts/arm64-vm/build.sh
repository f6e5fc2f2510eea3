#!/usr/bin/env bash
# Builds the arm64 test VM that run.sh boots under qemu-system-aarch64, from Debian's packages and
# the npm registry only:
#   .cache/arm64-vm/kernel       Debian's linux-image-*-arm64 (its Image boots as it is)
#   .cache/arm64-vm/initrd.cpio  two cpio archives, one after the other:
#     base.cpio     busybox-static, glibc and the arm64 bun from npm (cached; rebuilt when a
#                   package or this script changes)
#     project.cpio  the project's sources and pure-JS node_modules at the same path as here, the
#                   Go test binaries cross-compiled on this host, /init (init.sh) and its settings
#                   (rebuilt every time: it is small)
# Packages are fetched once into the cache; ARM64_VM_REFRESH=1 fetches Debian's lists again.
# ARM64_VM_TESTS chooses the test files (default: the tracer's end-to-end tests); ARM64_VM_GO the
# Go toolchains to test, comma-separated (default: the oldest and the newest installed), e.g.
# ARM64_VM_GO=1.27 for half the blocking tests.
# Installs qemu-system-arm and cpio from Debian when they are missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$PWD/.cache/arm64-vm
BUN=node_modules/.bin/bun
TESTS=${ARM64_VM_TESTS:-test/jail/blocking.test.ts test/jail/process.test.ts test/jail/pre-exec.test.ts test/jail/deep-creators.test.ts}
DEBS=(busybox-static libc6 libgcc-s1)

say() { echo "arm64-vm: $*" >&2; }

install_host_tools() {
  local missing=()
  command -v qemu-system-aarch64 >/dev/null || missing+=(qemu-system-arm)
  command -v cpio >/dev/null || missing+=(cpio)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "missing ${missing[*]}: install them from Debian's packages (as root: apt-get install ${missing[*]})"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A private apt state for arm64 packages: the host's own apt configuration is left alone (no
# dpkg --add-architecture); only its sources are used.
APT_OPTS=(
  -o "Dir::State=$OUT/apt/state" -o "Dir::State::status=$OUT/apt/status" -o "Dir::Cache=$OUT/apt/cache"
  -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o APT::Sandbox::User=root
)

# Resolves the packages in the lists and downloads the ones not in the cache yet. Returns non-zero
# (errexit does not apply inside a function called before ||) when that fails.
fetch_debs() {
  mkdir -p "$OUT/apt/state/lists/partial" "$OUT/apt/cache/archives/partial" "$OUT/debs"
  touch "$OUT/apt/status"
  if [ -n "${ARM64_VM_REFRESH:-}" ] || ! ls "$OUT"/apt/state/lists/*_Packages* >/dev/null 2>&1; then
    say "fetching Debian's arm64 package lists"
    apt-get "${APT_OPTS[@]}" update -qq || return 1
  fi
  local kernel
  kernel=$(apt-cache "${APT_OPTS[@]}" depends linux-image-arm64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-arm64$/ { print $2; exit }')
  [ -n "$kernel" ] || { say "no arm64 kernel package found behind linux-image-arm64"; return 1; }
  KERNEL_DEB=""
  BASE_DEBS=()
  for pkg in "$kernel" "${DEBS[@]}"; do
    local version file
    version=$(apt-cache "${APT_OPTS[@]}" policy "$pkg" | awk '$1 == "Candidate:" { print $2 }')
    [ -n "$version" ] && [ "$version" != "(none)" ] || { say "no arm64 package $pkg"; return 1; }
    file="$OUT/debs/${pkg}_${version//:/%3a}_arm64.deb"
    if [ ! -f "$file" ]; then
      say "downloading $pkg $version"
      (cd "$OUT/debs" && apt-get "${APT_OPTS[@]}" download -qq "$pkg=$version") || return 1
    fi
    if [ "$pkg" = "$kernel" ]; then KERNEL_DEB=$file; else BASE_DEBS+=("$file"); fi
  done
}

fetch_bun() {
  # The arm64 build of the Bun that package.json pins, as the bun package itself names it.
  local name=@oven/bun-linux-aarch64 version
  version=$("$BUN" -e "console.log(require('./node_modules/bun/package.json').optionalDependencies['$name'] ?? '')")
  [ -n "$version" ] || { say "node_modules/bun does not name $name: run scripts/bootstrap.sh"; exit 1; }
  mkdir -p "$OUT/npm"
  BUN_TGZ=$OUT/npm/oven-bun-linux-aarch64-$version.tgz
  if [ ! -f "$BUN_TGZ" ]; then
    say "downloading $name@$version"
    npm pack --silent --pack-destination "$OUT/npm" "$name@$version" >/dev/null
  fi
}

# newc cpio of a directory, owned by root, in a stable order.
cpio_of() {
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

build_base() {
  local stamp
  stamp=$(printf '%s\n' "$KERNEL_DEB" "${BASE_DEBS[@]}" "$BUN_TGZ" "$(sha256sum "$0")")
  if [ -f "$OUT/base.cpio" ] && [ -f "$OUT/kernel" ] && [ "$(cat "$OUT/base.stamp" 2>/dev/null)" = "$stamp" ]; then
    return
  fi
  say "building the base image"
  local root=$OUT/base
  rm -rf "$root" "$OUT/base.stamp"
  mkdir -p "$root"/{bin,dev,etc,proc,root,sys,tmp}
  for deb in "${BASE_DEBS[@]}"; do dpkg-deb -x "$deb" "$root"; done
  rm -rf "$root/usr/share"
  tar -xzf "$BUN_TGZ" -C "$root/bin" --strip-components=2 package/bin/bun
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  echo arm64-vm >"$root/etc/hostname"
  cpio_of "$root" >"$OUT/base.cpio"
  dpkg-deb --fsys-tarfile "$KERNEL_DEB" | tar -xO --wildcards './boot/vmlinuz-*' >"$OUT/kernel"
  echo "$stamp" >"$OUT/base.stamp"
}

build_project() {
  local root=$OUT/project repo="" toolchains="" kind value
  rm -rf "$root"
  mkdir -p "$root/etc"
  local dirs=()
  # The Go binaries, built (or found in the cache) by the same helper the tests use.
  while read -r kind value; do
    case $kind in
      repo) repo=$value ;;
      gobuild) dirs+=("$value") ;;
      toolchains) toolchains=$value ;;
    esac
  done < <(GOMODJAIL_TEST_GO_TOOLCHAINS=${ARM64_VM_GO:-} "$BUN" scripts/arm64-vm/prebuild.ts)
  [ -n "$repo" ] && [ -n "$toolchains" ] || { say "prebuild.ts said nothing useful"; exit 1; }
  mkdir -p "$root$repo"
  # Sources as git sees them (tracked and new files, not ignored ones), as they are now.
  git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar -c --null -T - -f - | tar -x -f - -C "$root$repo"
  # The runtime dependencies only (what package-lock.json does not mark dev): not the host's
  # Bun, the compiler, type declarations or esbuild's native binaries.
  "$BUN" -e 'for (const [p, v] of Object.entries(require("./package-lock.json").packages)) if (p && !v.dev && !v.devOptional) console.log(p)' |
    tar -c -T - -f - | tar -x -f - -C "$root$repo"
  for d in "${dirs[@]}"; do
    mkdir -p "$root$d"
    cp "$d/prog" "$root$d/prog"
  done
  install -m 0755 scripts/arm64-vm/init.sh "$root/init"
  cat >"$root/etc/arm64-vm.env" <<EOF
REPO='$repo'
TESTS='$TESTS'
GOMODJAIL_TEST_GOARCH=arm64
GOMODJAIL_TEST_GO_TOOLCHAINS='$toolchains'
EOF
  cpio_of "$root" >"$OUT/project.cpio"
}

install_host_tools
[ -x "$BUN" ] || { say "no $BUN: run scripts/bootstrap.sh"; exit 1; }
# Cached lists go stale: a superseded package disappears from the archive. Then fetch them again.
fetch_debs || { say "fetching again with fresh package lists"; ARM64_VM_REFRESH=1 fetch_debs; }
fetch_bun
build_base
build_project
cat "$OUT/base.cpio" "$OUT/project.cpio" >"$OUT/initrd.cpio"
say "built $OUT/kernel and $OUT/initrd.cpio ($(du -m "$OUT/initrd.cpio" | cut -f1) MiB)"
