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
