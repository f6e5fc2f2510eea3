#!/usr/bin/env bash
# Installs the Debian programs of test/users/debian-programs.test.ts that bookworm does not have
# in the version the tests want: gdu from trixie (a cgo build by Go 1.24, stripped, without DWARF).
# restic 0.14 (the other one) is bookworm's and is installed with apt-get by scripts/bootstrap.sh.
#
# As scripts/install-go.sh does for the trixie toolchains: trixie is NOT added to the system's
# sources (every trixie package would then be offered as an upgrade, libc6 first). Its lists live
# in a private apt state under .cache/programs-apt, derived from the system's own Debian source
# (same URI, another suite), so no mirror host name is written anywhere; only the program's .deb
# is downloaded, and it is unpacked with dpkg-deb into /usr/lib/gomodjail-programs/PACKAGE (the
# binary is then /usr/lib/gomodjail-programs/gdu/usr/bin/gdu).
#
# Why /usr/lib/gomodjail-programs and not .cache/: CI runs in a fresh clone, whose .cache/ is
# empty, while /usr/lib stays with the machine (as the toolchains in /usr/lib/go-1.NN do); and
# unpacking into / would overwrite /usr/bin/gdu behind dpkg's back (bookworm has an older gdu).
# The programs need only libc; the script prints the newest glibc symbol version each one needs
# (gdu 5.25.0: GLIBC_2.34; bookworm has 2.36).
# Needs root; prints what is missing when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/debian-sources.sh

# package:suite
programs=(gdu:trixie)

apt_dir=$PWD/.cache/programs-apt
dest=/usr/lib/gomodjail-programs

missing=()
for entry in "${programs[@]}"; do
  pkg=${entry%%:*}
  [ -x "$dest/$pkg/usr/bin/$pkg" ] || missing+=("$entry")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-real-programs: not root; download ${missing[*]%%:*} (${missing[*]##*:}) and unpack it with dpkg-deb -x into $dest/PACKAGE yourself" >&2
  exit 1
fi
debian_source_init install-real-programs
export DEBIAN_FRONTEND=noninteractive
private_apt "$apt_dir" trixie
for entry in "${missing[@]}"; do
  pkg=${entry%%:*} suite=${entry##*:}
  unpack_deb "$apt_dir" "$pkg" "$suite" "$dest" "usr/bin/$pkg"
  echo "install-real-programs: $pkg ($suite) in $dest/$pkg${newest:+, needs $newest}" >&2
done
