# Sourced by install-go.sh and install-real-programs.sh: apt sources for other Debian suites,
# derived from the system's own (same URI and keyring, another Suites:), so that no mirror host
# name is written anywhere, and a private apt state that reads only them, so that the system's
# apt never offers another suite's packages as upgrades.

main_sources=/etc/apt/sources.list.d/debian.sources

# Sets uri and keyring from the system's source; says why and exits when it cannot. $1 names the
# calling script in the message.
debian_source_init() {
  if [ ! -f "$main_sources" ]; then
    echo "$1: $main_sources not found: cannot derive the Debian sources" >&2
    exit 1
  fi
  uri=$(awk '/^URIs:/ {print $2; exit}' "$main_sources")
  keyring=$(awk '/^Signed-By:/ {print $2; exit}' "$main_sources")
  if [ -z "$uri" ]; then
    echo "$1: no URIs line in $main_sources" >&2
    exit 1
  fi
}

# A deb822 source for the system's mirror with the given suites.
source_for() {
  echo "Types: deb"
  echo "URIs: $uri"
  echo "Suites: $*"
  echo "Components: main"
  if [ -n "$keyring" ]; then echo "Signed-By: $keyring"; fi
}

# Sets apt_opts for a private apt state in directory $1 that reads only the suites that follow,
# and updates its lists. `apt-get "${apt_opts[@]}" download PKG/SUITE` then fetches a .deb.
private_apt() {
  local dir=$1
  shift
  mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/debs"
  source_for "$@" >"$dir/private.sources"
  touch "$dir/status"
  apt_opts=(
    -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::SourceList=$dir/private.sources"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::State::status=$dir/status"
    -o "Dir::Cache::Archives=$dir/archives" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null"
    -o APT::Sandbox::User=root
  )
  apt-get "${apt_opts[@]}" update -qq
}

# After private_apt in directory $1: downloads package $2 of suite $3 and unpacks it, not
# installed, into $4/$2 (replacing an earlier copy whole); sets `newest` to the newest glibc symbol
# version that $4/$2/$5 needs (a newer one than the system's would keep the program from starting).
# Not called in $(...): a failed download must stop the calling script (set -e).
unpack_deb() {
  local dir=$1 pkg=$2 suite=$3 dest=$4 bin=$5
  rm -f "$dir"/debs/"$pkg"_*.deb
  (cd "$dir/debs" && apt-get "${apt_opts[@]}" download -qq "$pkg/$suite")
  rm -rf "$dest/$pkg.tmp"
  mkdir -p "$dest/$pkg.tmp"
  dpkg-deb -x "$dir"/debs/"$pkg"_*.deb "$dest/$pkg.tmp"
  rm -rf "$dest/$pkg"
  mv "$dest/$pkg.tmp" "$dest/$pkg"
  rm -f "$dir"/debs/"$pkg"_*.deb
  newest=$(objdump -T "$dest/$pkg/$bin" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1 || true)
}
