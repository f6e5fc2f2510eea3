// The policy of bench/real-programs.ts for fastly (npm @fastly/cli-linux-x64), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `.cache/bench-programs/npm/node_modules/@fastly/cli-linux-x64/fastly compute --help`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module github.com/fastly/cli

go 1.21

require (
	4d63.com/optional v0.2.0 // gomodjail:confined
	github.com/Masterminds/semver/v3 v3.5.0 // gomodjail:confined
	github.com/STARRY-S/zip v0.2.3 // gomodjail:confined
	github.com/alecthomas/units v0.0.0-20240927000941-0f3dac36c52b // gomodjail:confined
	github.com/andybalholm/brotli v1.2.3 // gomodjail:confined
	github.com/bep/debounce v1.2.1 // gomodjail:confined
	github.com/blang/semver v3.5.1+incompatible // gomodjail:confined
	github.com/bodgit/plumbing v1.3.0 // gomodjail:confined
	github.com/bodgit/sevenzip v1.6.5 // gomodjail:confined
	github.com/bodgit/windows v1.0.1 // gomodjail:confined
	github.com/clipperhouse/uax29/v2 v2.7.0 // gomodjail:confined
	github.com/coreos/go-oidc/v3 v3.21.0 // gomodjail:confined
	github.com/dnaeon/go-vcr v1.2.0 // gomodjail:confined
	github.com/dsnet/compress v0.0.2-0.20230904184137-39efe44ab707 // gomodjail:confined
	github.com/dustinkirkland/golang-petname v0.0.0-20240428194347-eebcea082ee0 // gomodjail:confined
	github.com/fastly/go-fastly/v17 v17.3.1 // gomodjail:confined
	github.com/fastly/kingpin v2.1.12-0.20191105091915-95d230a53780+incompatible // gomodjail:confined
	github.com/fatih/color v1.19.0 // gomodjail:confined
	github.com/fsnotify/fsnotify v1.10.1 // gomodjail:confined
	github.com/go-jose/go-jose/v3 v3.0.5 // gomodjail:confined
	github.com/go-jose/go-jose/v4 v4.1.4 // gomodjail:confined
	github.com/google/go-querystring v1.2.0 // gomodjail:confined
	github.com/google/jsonapi v1.0.0 // gomodjail:confined
	github.com/hashicorp/cap v0.13.0 // gomodjail:confined
	github.com/hashicorp/go-cleanhttp v0.5.2 // gomodjail:confined
	github.com/hashicorp/go-hclog v1.6.3 // gomodjail:confined
	github.com/hashicorp/go-uuid v1.0.3 // gomodjail:confined
	github.com/hashicorp/golang-lru/v2 v2.0.7 // gomodjail:confined
	github.com/kennygrant/sanitize v1.2.4 // gomodjail:confined
	github.com/klauspost/compress v1.20.0 // gomodjail:confined
	github.com/klauspost/pgzip v1.2.6 // gomodjail:confined
	github.com/mattn/go-colorable v0.1.15 // gomodjail:confined
	github.com/mattn/go-isatty v0.0.24 // gomodjail:confined
	github.com/mattn/go-runewidth v0.0.29 // gomodjail:confined
	github.com/mholt/archives v0.1.5 // gomodjail:confined
	github.com/mikelolasagasti/xz v1.0.1 // gomodjail:confined
	github.com/minio/minlz v1.2.0 // gomodjail:confined
	github.com/mitchellh/go-ps v1.0.0 // gomodjail:confined
	github.com/mitchellh/go-wordwrap v1.0.1 // gomodjail:confined
	github.com/mitchellh/mapstructure v1.5.1-0.20231216201459-8508981c8b6c // gomodjail:confined
	github.com/nicksnyder/go-i18n v1.10.3 // gomodjail:confined
	github.com/nwaples/rardecode/v2 v2.4.1 // gomodjail:confined
	github.com/otiai10/copy v1.14.1 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/pelletier/go-toml@v1.9.5/toml.go:527:github.com/pelletier/go-toml.LoadFile
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/pelletier/go-toml@v1.9.5/toml.go:527:github.com/pelletier/go-toml.LoadFile
	github.com/pelletier/go-toml v1.9.5 // gomodjail:confined allow=FILES/READ
	github.com/peterhellberg/link v1.2.0 // gomodjail:confined
	github.com/pierrec/lz4/v4 v4.1.29 // gomodjail:confined
	github.com/sabhiram/go-gitignore v0.0.0-20210923224102-525f6e181f06 // gomodjail:confined
	github.com/segmentio/textio v1.2.0 // gomodjail:confined
	github.com/skratchdot/open-golang v0.0.0-20200116055534-eef842397966 // gomodjail:confined
	github.com/sorairolake/lzip-go v0.3.8 // gomodjail:confined
	github.com/spf13/afero v1.15.0 // gomodjail:confined
	github.com/stangelandcl/ppmd v0.1.1 // gomodjail:confined
	github.com/stretchr/testify v1.12.1 // gomodjail:confined
	github.com/theckman/yacspin v0.13.12 // gomodjail:confined
	github.com/tomnomnom/linkheader v0.0.0-20250811210735-e5fe3b51442e // gomodjail:confined
	github.com/ulikunitz/xz v0.5.16 // gomodjail:confined
	go.yaml.in/yaml/v3 v3.0.5 // gomodjail:confined
	go4.org v0.0.0-20260112195520-a5071408f32f // gomodjail:confined
	golang.org/x/crypto v0.55.0 // gomodjail:confined
	golang.org/x/mod v0.41.0 // gomodjail:confined
	golang.org/x/net v0.58.0 // gomodjail:confined
	golang.org/x/oauth2 v0.37.0 // gomodjail:confined
	golang.org/x/sync v0.23.0 // gomodjail:confined
	golang.org/x/sys v0.48.0 // gomodjail:confined
	golang.org/x/term v0.45.0 // gomodjail:confined
	golang.org/x/text v0.41.0 // gomodjail:confined
	gopkg.in/yaml.v2 v2.4.0 // gomodjail:confined
)
