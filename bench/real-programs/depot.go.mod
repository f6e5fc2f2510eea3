// The policy of bench/real-programs.ts for depot (npm @depot/cli-linux-x64), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `.cache/bench-programs/npm/node_modules/@depot/cli-linux-x64/bin/depot --version`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module github.com/depot/cli

go 1.21

require (
	buf.build/gen/go/depot/api/connectrpc/go v1.15.0-20240221184445-e8316610338f.1 // gomodjail:confined
	buf.build/gen/go/depot/api/protocolbuffers/go v1.32.0-20240221184445-e8316610338f.1 // gomodjail:confined
	charm.land/bubbles/v2 v2.0.0 // gomodjail:confined
	charm.land/bubbletea/v2 v2.0.2 // gomodjail:confined
	charm.land/huh/v2 v2.0.0 // gomodjail:confined
	charm.land/lipgloss/v2 v2.0.0 // gomodjail:confined
	connectrpc.com/connect v1.15.0 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: mkdirat 1; e.g. mkdirat at /home/runner/go/pkg/mod/github.com/adrg/xdg@v0.4.0/internal/pathutil/pathutil.go:51:github.com/adrg/xdg/internal/pathutil.Create
	// gomodjail learn: needs FILES/WRITE for 1 trapped syscall: mkdirat 1; e.g. mkdirat at /home/runner/go/pkg/mod/github.com/adrg/xdg@v0.4.0/internal/pathutil/pathutil.go:51:github.com/adrg/xdg/internal/pathutil.Create
	// gomodjail learn: left unconfined: it needed FILES/WRITE (it can patch what the program runs (/proc/self/mem) or a file it loads), which can reach every other class: learn --allow-all-classes would confine it with FILES/WRITE
	github.com/adrg/xdg v0.4.0 // gomodjail:unconfined
	github.com/agext/levenshtein v1.2.3 // gomodjail:confined
	github.com/agl/ed25519 v0.0.0-20170116200512-5312a6153412 // gomodjail:confined
	github.com/apparentlymart/go-cidr v1.0.1 // gomodjail:confined
	github.com/apparentlymart/go-textseg/v13 v13.0.0 // gomodjail:confined
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // gomodjail:confined
	github.com/atotto/clipboard v0.1.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2 v1.16.3 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/config v1.15.5 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/credentials v1.12.0 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/feature/ec2/imds v1.12.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.1.10 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.4.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/ini v1.3.11 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/internal/presigned-url v1.9.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/sso v1.11.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/sts v1.16.4 // gomodjail:confined
	github.com/aws/smithy-go v1.11.2 // gomodjail:confined
	github.com/beorn7/perks v1.0.1 // gomodjail:confined
	github.com/bmatcuk/doublestar/v4 v4.10.0 // gomodjail:confined
	github.com/briandowns/spinner v1.18.1 // gomodjail:confined
	github.com/catppuccin/go v0.3.0 // gomodjail:confined
	github.com/cenkalti/backoff/v5 v5.0.3 // gomodjail:confined
	github.com/cespare/xxhash/v2 v2.3.0 // gomodjail:confined
	github.com/charmbracelet/colorprofile v0.4.2 // gomodjail:confined
	github.com/charmbracelet/ultraviolet v0.0.0-20260205113103-524a6607adb8 // gomodjail:confined
	github.com/charmbracelet/x/ansi v0.11.6 // gomodjail:confined
	github.com/charmbracelet/x/exp/ordered v0.1.0 // gomodjail:confined
	github.com/charmbracelet/x/exp/strings v0.0.0-20240722160745-212f7b056ed0 // gomodjail:confined
	github.com/charmbracelet/x/term v0.2.2 // gomodjail:confined
	github.com/charmbracelet/x/termios v0.1.1 // gomodjail:confined
	github.com/charmbracelet/x/windows v0.2.2 // gomodjail:confined
	github.com/cli/safeexec v1.0.0 // gomodjail:confined
	github.com/clipperhouse/displaywidth v0.11.0 // gomodjail:confined
	github.com/clipperhouse/uax29/v2 v2.7.0 // gomodjail:confined
	github.com/compose-spec/compose-go/v2 v2.14.0 // gomodjail:confined
	github.com/containerd/console v1.0.4-0.20230313162750-1ae8d489ac81 // gomodjail:confined
	github.com/containerd/containerd v1.6.20 // gomodjail:confined
	github.com/containerd/continuity v0.3.0 // gomodjail:confined
	github.com/containerd/log v0.1.0 // gomodjail:confined
	github.com/containerd/ttrpc v1.1.1 // gomodjail:confined
	github.com/containerd/typeurl v1.0.2 // gomodjail:confined
	github.com/davecgh/go-spew v1.1.1 // gomodjail:confined
	github.com/distribution/reference v0.5.0 // gomodjail:confined
	github.com/docker/buildx v0.10.3 // gomodjail:confined
	github.com/docker/cli v24.0.7+incompatible // gomodjail:confined
	github.com/docker/cli-docs-tool v0.5.1 // gomodjail:confined
	github.com/docker/distribution v2.8.3+incompatible // gomodjail:confined
	github.com/docker/docker v24.0.7+incompatible // gomodjail:confined
	github.com/docker/docker-credential-helpers v0.7.0 // gomodjail:confined
	github.com/docker/go v1.5.1-1.0.20160303222718-d30aec9fd63c // gomodjail:confined
	github.com/docker/go-connections v0.4.0 // gomodjail:confined
	github.com/docker/go-metrics v0.0.1 // gomodjail:confined
	github.com/docker/go-units v0.5.0 // gomodjail:confined
	github.com/dustin/go-humanize v1.0.1 // gomodjail:confined
	github.com/fatih/color v1.13.0 // gomodjail:confined
	github.com/felixge/httpsnoop v1.0.4 // gomodjail:confined
	github.com/fsnotify/fsnotify v1.6.0 // gomodjail:confined
	github.com/fvbommel/sortorder v1.0.1 // gomodjail:confined
	github.com/getsentry/sentry-go v0.13.0 // gomodjail:confined
	github.com/go-logr/logr v1.4.3 // gomodjail:confined
	github.com/go-logr/stdr v1.2.2 // gomodjail:confined
	github.com/go-viper/mapstructure/v2 v2.4.0 // gomodjail:confined
	github.com/gofrs/flock v0.8.1 // gomodjail:confined
	github.com/gogo/googleapis v1.4.1 // gomodjail:confined
	github.com/gogo/protobuf v1.3.2 // gomodjail:confined
	github.com/golang/protobuf v1.5.4 // gomodjail:confined
	github.com/google/go-cmp v0.7.0 // gomodjail:confined
	github.com/google/gofuzz v1.2.0 // gomodjail:confined
	github.com/google/shlex v0.0.0-20191202100458-e7afc7fbc510 // gomodjail:confined
	github.com/google/uuid v1.6.0 // gomodjail:confined
	github.com/gorilla/mux v1.8.0 // gomodjail:confined
	github.com/grpc-ecosystem/go-grpc-middleware v1.3.0 // gomodjail:confined
	github.com/grpc-ecosystem/grpc-gateway/v2 v2.29.0 // gomodjail:confined
	github.com/hashicorp/go-cty-funcs v0.0.0-20250210171435-dda779884a9f // gomodjail:confined
	github.com/hashicorp/go-version v1.2.0 // gomodjail:confined
	github.com/hashicorp/hcl v1.0.0 // gomodjail:confined
	github.com/hashicorp/hcl/v2 v2.23.0 // gomodjail:confined
	github.com/imdario/mergo v0.3.13 // gomodjail:confined
	github.com/json-iterator/go v1.1.12 // gomodjail:confined
	github.com/jwalton/go-supportscolor v1.1.0 // gomodjail:confined
	github.com/klauspost/compress v1.15.12 // gomodjail:confined
	github.com/klauspost/cpuid/v2 v2.0.4 // gomodjail:confined
	github.com/lucasb-eyer/go-colorful v1.3.0 // gomodjail:confined
	github.com/magiconair/properties v1.8.6 // gomodjail:confined
	github.com/mattn/go-colorable v0.1.12 // gomodjail:confined
	github.com/mattn/go-isatty v0.0.20 // gomodjail:confined
	github.com/mattn/go-runewidth v0.0.20 // gomodjail:confined
	github.com/mattn/go-shellwords v1.0.12 // gomodjail:confined
	github.com/matttproud/golang_protobuf_extensions v1.0.4 // gomodjail:confined
	github.com/mgutz/ansi v0.0.0-20170206155736-9520e82c474b // gomodjail:confined
	github.com/minio/sha256-simd v1.0.0 // gomodjail:confined
	github.com/mitchellh/go-wordwrap v0.0.0-20150314170334-ad45545899c7 // gomodjail:confined
	github.com/mitchellh/hashstructure/v2 v2.0.2 // gomodjail:confined
	github.com/mitchellh/mapstructure v1.5.0 // gomodjail:confined
	github.com/moby/buildkit v0.11.2 // gomodjail:confined
	github.com/moby/locker v1.0.1 // gomodjail:confined
	github.com/moby/patternmatcher v0.5.0 // gomodjail:confined
	github.com/moby/sys/mountinfo v0.6.2 // gomodjail:confined
	github.com/moby/sys/sequential v0.5.0 // gomodjail:confined
	github.com/moby/sys/signal v0.7.0 // gomodjail:confined
	github.com/moby/term v0.0.0-20221120202655-abb19827d345 // gomodjail:confined
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // gomodjail:confined
	github.com/modern-go/reflect2 v1.0.2 // gomodjail:confined
	github.com/morikuni/aec v1.0.0 // gomodjail:confined
	github.com/muesli/cancelreader v0.2.2 // gomodjail:confined
	github.com/opencontainers/go-digest v1.0.0 // gomodjail:confined
	github.com/opencontainers/image-spec v1.1.0-rc2.0.20221005185240-3a7f492d3f1b // gomodjail:confined
	github.com/pelletier/go-toml v1.9.5 // gomodjail:confined
	github.com/pelletier/go-toml/v2 v2.0.5 // gomodjail:confined
	github.com/pkg/errors v0.9.1 // gomodjail:confined
	github.com/pmezard/go-difflib v1.0.0 // gomodjail:confined
	github.com/prometheus/client_golang v1.14.0 // gomodjail:confined
	github.com/prometheus/client_model v0.3.0 // gomodjail:confined
	github.com/prometheus/common v0.37.0 // gomodjail:confined
	github.com/prometheus/procfs v0.8.0 // gomodjail:confined
	github.com/rivo/uniseg v0.4.7 // gomodjail:confined
	github.com/sahilm/fuzzy v0.1.1 // gomodjail:confined
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.1 // gomodjail:confined
	github.com/savioxavier/termlink v1.2.1 // gomodjail:confined
	github.com/sirupsen/logrus v1.9.3 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/spf13/afero@v1.9.2/os.go:55:github.com/spf13/afero.OsFs.Open
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/spf13/afero@v1.9.2/os.go:55:github.com/spf13/afero.OsFs.Open
	github.com/spf13/afero v1.9.2 // gomodjail:confined allow=FILES/READ
	github.com/spf13/cast v1.5.0 // gomodjail:confined
	github.com/spf13/cobra v1.6.1 // gomodjail:confined
	github.com/spf13/jwalterweatherman v1.1.0 // gomodjail:confined
	github.com/spf13/pflag v1.0.5 // gomodjail:confined
	// gomodjail learn: called another module that made 1 trapped syscall (it uses a library that does; not its own calls): openat 1; e.g. openat made by github.com/spf13/afero at /home/runner/go/pkg/mod/github.com/spf13/afero@v1.9.2/os.go:55:github.com/spf13/afero.OsFs.Open, called from /home/runner/go/pkg/mod/github.com/spf13/viper@v1.14.0/viper.go:1539:github.com/spf13/viper.(*Viper).ReadInConfig
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat made by github.com/spf13/afero at /home/runner/go/pkg/mod/github.com/spf13/afero@v1.9.2/os.go:55:github.com/spf13/afero.OsFs.Open, under /home/runner/go/pkg/mod/github.com/spf13/viper@v1.14.0/viper.go:1539:github.com/spf13/viper.(*Viper).ReadInConfig
	github.com/spf13/viper v1.14.0 // gomodjail:confined allow=FILES/READ
	github.com/stretchr/testify v1.11.1 // gomodjail:confined
	github.com/subosito/gotenv v1.4.1 // gomodjail:confined
	github.com/theupdateframework/notary v0.6.1 // gomodjail:confined
	github.com/tonistiigi/fsutil v0.0.0-20230105215944-fb433841cbfa // gomodjail:confined
	github.com/tonistiigi/go-csvvalue v0.0.0-20240814133006-030d3b2625d0 // gomodjail:confined
	github.com/tonistiigi/units v0.0.0-20180711220420-6950e57a87ea // gomodjail:confined
	github.com/tonistiigi/vt100 v0.0.0-20210615222946-8066bb97264f // gomodjail:confined
	github.com/xhit/go-str2duration/v2 v2.1.0 // gomodjail:confined
	github.com/xo/terminfo v0.0.0-20220910002029-abceb7e1c41e // gomodjail:confined
	github.com/zclconf/go-cty v1.13.0 // gomodjail:confined
	go.opentelemetry.io/auto/sdk v1.2.1 // gomodjail:confined
	go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc v0.46.0 // gomodjail:confined
	go.opentelemetry.io/contrib/instrumentation/net/http/httptrace/otelhttptrace v0.46.0 // gomodjail:confined
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.46.0 // gomodjail:confined
	go.opentelemetry.io/otel v1.44.0 // gomodjail:confined
	go.opentelemetry.io/otel/exporters/otlp/otlptrace v1.44.0 // gomodjail:confined
	go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v1.44.0 // gomodjail:confined
	go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp v1.44.0 // gomodjail:confined
	go.opentelemetry.io/otel/metric v1.44.0 // gomodjail:confined
	go.opentelemetry.io/otel/sdk v1.44.0 // gomodjail:confined
	go.opentelemetry.io/otel/trace v1.44.0 // gomodjail:confined
	go.opentelemetry.io/proto/otlp v1.10.0 // gomodjail:confined
	go.yaml.in/yaml/v4 v4.0.0-rc.4 // gomodjail:confined
	golang.org/x/crypto v0.53.0 // gomodjail:confined
	golang.org/x/exp v0.0.0-20240112132812-db7319d0e0e3 // gomodjail:confined
	golang.org/x/net v0.56.0 // gomodjail:confined
	golang.org/x/oauth2 v0.36.0 // gomodjail:confined
	golang.org/x/sync v0.21.0 // gomodjail:confined
	golang.org/x/sys v0.46.0 // gomodjail:confined
	golang.org/x/term v0.44.0 // gomodjail:confined
	golang.org/x/text v0.39.0 // gomodjail:confined
	golang.org/x/time v0.1.0 // gomodjail:confined
	google.golang.org/genproto/googleapis/api v0.0.0-20260526163538-3dc84a4a5aaa // gomodjail:confined
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260526163538-3dc84a4a5aaa // gomodjail:confined
	google.golang.org/grpc v1.82.1 // gomodjail:confined
	// gomodjail learn: made 2 trapped syscalls itself: openat 1, readlinkat 1; e.g. openat at /home/runner/go/pkg/mod/google.golang.org/protobuf@v1.36.11/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	// gomodjail learn: needs FILES/READ for 2 trapped syscalls: openat 1, readlinkat 1; e.g. openat at /home/runner/go/pkg/mod/google.golang.org/protobuf@v1.36.11/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	google.golang.org/protobuf v1.36.11 // gomodjail:confined allow=FILES/READ
	gopkg.in/inf.v0 v0.9.1 // gomodjail:confined
	gopkg.in/ini.v1 v1.67.0 // gomodjail:confined
	gopkg.in/yaml.v2 v2.4.0 // gomodjail:confined
	gopkg.in/yaml.v3 v3.0.1 // gomodjail:confined
	k8s.io/apimachinery v0.25.4 // gomodjail:confined
	k8s.io/client-go v0.25.4 // gomodjail:confined
	k8s.io/klog/v2 v2.80.1 // gomodjail:confined
	k8s.io/utils v0.0.0-20221108210102-8e77b1f39fe2 // gomodjail:confined
	sigs.k8s.io/structured-merge-diff/v4 v4.2.3 // gomodjail:confined
	sigs.k8s.io/yaml v1.3.0 // gomodjail:confined
)
