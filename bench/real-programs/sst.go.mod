// The policy of bench/real-programs.ts for sst (npm sst-linux-x64), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `.cache/bench-programs/npm/node_modules/sst-linux-x64/bin/sst version`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module github.com/sst/sst/v3

go 1.21

require (
	dario.cat/mergo v1.0.0 // gomodjail:confined
	github.com/BurntSushi/toml v1.2.1 // gomodjail:confined
	github.com/Masterminds/semver/v3 v3.2.1 // gomodjail:confined
	github.com/ProtonMail/go-crypto v1.1.3 // gomodjail:confined
	github.com/aead/chacha20 v0.0.0-20180709150244-8b13a72661da // gomodjail:confined
	github.com/agext/levenshtein v1.2.3 // gomodjail:confined
	github.com/ajg/form v1.5.1 // gomodjail:confined
	github.com/apparentlymart/go-textseg/v13 v13.0.0 // gomodjail:confined
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // gomodjail:confined
	github.com/armon/go-socks5 v0.0.0-20160902184237-e75332964ef5 // gomodjail:confined
	github.com/atotto/clipboard v0.1.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2 v1.36.2 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream v1.6.3 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/config v1.27.11 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/credentials v1.17.11 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/feature/ec2/imds v1.16.1 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.3.33 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.6.33 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/ini v1.8.0 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/internal/v4a v1.3.33 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/appsync v1.39.0 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/cloudfront v1.38.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore v1.8.16 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/ecr v1.32.0 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/ecs v1.53.1 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/iam v1.38.2 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/internal/accept-encoding v1.11.2 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/internal/checksum v1.3.7 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/internal/presigned-url v1.11.7 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/internal/s3shared v1.17.5 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/lambda v1.56.3 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/rdsdata v1.23.3 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/route53 v1.42.3 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/s3 v1.53.1 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/ssm v1.49.2 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/sso v1.20.5 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/ssooidc v1.23.4 // gomodjail:confined
	github.com/aws/aws-sdk-go-v2/service/sts v1.28.6 // gomodjail:confined
	github.com/aws/smithy-go v1.22.2 // gomodjail:confined
	github.com/aymanbagabas/go-osc52/v2 v2.0.1 // gomodjail:confined
	github.com/blang/semver v3.5.1+incompatible // gomodjail:confined
	github.com/briandowns/spinner v1.23.0 // gomodjail:confined
	github.com/catppuccin/go v0.2.0 // gomodjail:confined
	github.com/charmbracelet/bubbles v0.17.2-0.20240108170749-ec883029c8e6 // gomodjail:confined
	github.com/charmbracelet/bubbletea v0.25.0 // gomodjail:confined
	github.com/charmbracelet/huh v0.3.0 // gomodjail:confined
	github.com/charmbracelet/lipgloss v0.9.1 // gomodjail:confined
	github.com/charmbracelet/x/ansi v0.4.3 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/cheggaaa/pb@v1.0.29/pb_x.go:31:github.com/cheggaaa/pb.init.0
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/cheggaaa/pb@v1.0.29/pb_x.go:31:github.com/cheggaaa/pb.init.0
	github.com/cheggaaa/pb v1.0.29 // gomodjail:confined allow=FILES/READ
	github.com/chzyer/readline v1.5.1 // gomodjail:confined
	github.com/cloudflare/circl v1.6.1 // gomodjail:confined
	github.com/cloudflare/cloudflare-go v0.115.0 // gomodjail:confined
	github.com/containerd/console v1.0.4-0.20230313162750-1ae8d489ac81 // gomodjail:confined
	github.com/creack/pty v1.1.21 // gomodjail:confined
	github.com/cyphar/filepath-securejoin v0.4.1 // gomodjail:confined
	github.com/deckarep/golang-set/v2 v2.5.0 // gomodjail:confined
	github.com/djherbis/times v1.5.0 // gomodjail:confined
	github.com/docker/go-units v0.5.0 // gomodjail:confined
	github.com/edsrzf/mmap-go v1.1.0 // gomodjail:confined
	github.com/emirpasic/gods v1.18.1 // gomodjail:confined
	github.com/evanw/esbuild v0.27.2 // gomodjail:confined
	github.com/fatih/color v1.17.0 // gomodjail:confined
	github.com/fsnotify/fsnotify v1.7.0 // gomodjail:confined
	github.com/gdamore/encoding v1.0.0 // gomodjail:confined
	github.com/gdamore/tcell/v2 v2.7.4 // gomodjail:confined
	github.com/go-chi/chi/v5 v5.1.0 // gomodjail:confined
	github.com/go-chi/cors v1.2.1 // gomodjail:confined
	github.com/go-chi/render v1.0.3 // gomodjail:confined
	github.com/go-git/gcfg v1.5.1-0.20230307220236-3a3c6141e376 // gomodjail:confined
	github.com/go-git/go-billy/v5 v5.6.1 // gomodjail:confined
	github.com/go-git/go-git/v5 v5.13.1 // gomodjail:confined
	github.com/go-gost/relay v0.5.0 // gomodjail:confined
	github.com/go-test/deep v1.1.1 // gomodjail:confined
	github.com/goccy/go-json v0.10.5 // gomodjail:confined
	github.com/gofrs/uuid v4.2.0+incompatible // gomodjail:confined
	github.com/gogo/protobuf v1.3.2 // gomodjail:confined
	github.com/golang/glog v1.2.4 // gomodjail:confined
	github.com/golang/groupcache v0.0.0-20210331224755-41bb18bfe9da // gomodjail:confined
	github.com/google/btree v1.1.3 // gomodjail:confined
	github.com/google/go-querystring v1.1.0 // gomodjail:confined
	github.com/google/shlex v0.0.0-20191202100458-e7afc7fbc510 // gomodjail:confined
	github.com/google/uuid v1.6.0 // gomodjail:confined
	github.com/gorilla/schema v1.4.1 // gomodjail:confined
	github.com/gorilla/websocket v1.5.3 // gomodjail:confined
	github.com/grpc-ecosystem/grpc-opentracing v0.0.0-20180507213350-8e809c8a8645 // gomodjail:confined
	github.com/hashicorp/errwrap v1.1.0 // gomodjail:confined
	github.com/hashicorp/go-multierror v1.1.1 // gomodjail:confined
	github.com/hashicorp/hcl/v2 v2.22.0 // gomodjail:confined
	github.com/jbenet/go-context v0.0.0-20150711004518-d14ea06fba99 // gomodjail:confined
	github.com/jmespath/go-jmespath v0.4.0 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/joho/godotenv@v1.5.1/godotenv.go:207:github.com/joho/godotenv.readFile
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at /home/runner/go/pkg/mod/github.com/joho/godotenv@v1.5.1/godotenv.go:207:github.com/joho/godotenv.readFile
	github.com/joho/godotenv v1.5.1 // gomodjail:confined allow=FILES/READ
	github.com/kballard/go-shellquote v0.0.0-20180428030007-95032a82bc51 // gomodjail:confined
	github.com/kevinburke/ssh_config v1.2.0 // gomodjail:confined
	github.com/klauspost/cpuid/v2 v2.2.9 // gomodjail:confined
	github.com/lucasb-eyer/go-colorful v1.2.0 // gomodjail:confined
	github.com/manifoldco/promptui v0.9.0 // gomodjail:confined
	github.com/mattn/go-colorable v0.1.13 // gomodjail:confined
	github.com/mattn/go-isatty v0.0.20 // gomodjail:confined
	github.com/mattn/go-localereader v0.0.1 // gomodjail:confined
	github.com/mattn/go-runewidth v0.0.15 // gomodjail:confined
	github.com/mitchellh/copystructure v1.2.0 // gomodjail:confined
	github.com/mitchellh/go-wordwrap v1.0.1 // gomodjail:confined
	github.com/mitchellh/reflectwalk v1.0.2 // gomodjail:confined
	github.com/muesli/ansi v0.0.0-20230316100256-276c6243b2f6 // gomodjail:confined
	github.com/muesli/cancelreader v0.2.2 // gomodjail:confined
	github.com/muesli/reflow v0.3.0 // gomodjail:confined
	github.com/muesli/termenv v0.15.2 // gomodjail:confined
	github.com/natefinch/atomic v1.0.1 // gomodjail:confined
	github.com/opentracing/basictracer-go v1.1.0 // gomodjail:confined
	github.com/opentracing/opentracing-go v1.2.0 // gomodjail:confined
	github.com/pgavlin/fx v0.1.6 // gomodjail:confined
	github.com/pgavlin/fx/v2 v2.0.10 // gomodjail:confined
	github.com/pgavlin/goldmark v1.1.33-0.20200616210433-b5eb04559386 // gomodjail:confined
	github.com/pjbgf/sha1cd v0.3.0 // gomodjail:confined
	github.com/pkg/errors v0.9.1 // gomodjail:confined
	github.com/pkg/term v1.1.0 // gomodjail:confined
	github.com/posthog/posthog-go v0.0.0-20240221135834-4944045455b4 // gomodjail:confined
	github.com/pulumi/appdash v0.0.0-20231130102222-75f619a67231 // gomodjail:confined
	github.com/pulumi/esc v0.17.0 // gomodjail:confined
	github.com/pulumi/pulumi/pkg/v3 v3.215.0 // gomodjail:confined
	github.com/pulumi/pulumi/sdk/v3 v3.215.0 // gomodjail:confined
	github.com/rivo/uniseg v0.4.7 // gomodjail:confined
	github.com/rogpeppe/go-internal v1.13.1 // gomodjail:confined
	github.com/sabhiram/go-gitignore v0.0.0-20210923224102-525f6e181f06 // gomodjail:confined
	github.com/santhosh-tekuri/jsonschema/v5 v5.0.0 // gomodjail:confined
	github.com/segmentio/asm v1.1.3 // gomodjail:confined
	github.com/segmentio/encoding v0.3.5 // gomodjail:confined
	github.com/sergi/go-diff v1.4.0 // gomodjail:confined
	github.com/skeema/knownhosts v1.3.0 // gomodjail:confined
	github.com/spf13/cobra v1.10.1 // gomodjail:confined
	github.com/spf13/pflag v1.0.10 // gomodjail:confined
	github.com/tailscale/hujson v0.0.0-20241010212012-29efb4a0184b // gomodjail:confined
	github.com/texttheater/golang-levenshtein v1.0.1 // gomodjail:confined
	github.com/uber/jaeger-client-go v2.30.0+incompatible // gomodjail:confined
	github.com/uber/jaeger-lib v2.4.1+incompatible // gomodjail:confined
	github.com/xanzy/ssh-agent v0.3.3 // gomodjail:confined
	github.com/xeipuuv/gojsonpointer v0.0.0-20180127040702-4e3ac2762d5f // gomodjail:confined
	github.com/xeipuuv/gojsonreference v0.0.0-20180127040603-bd5ef7bd5415 // gomodjail:confined
	github.com/xeipuuv/gojsonschema v1.2.0 // gomodjail:confined
	github.com/xjasonlyu/tun2socks/v2 v2.5.3-0.20241012195127-b65d23180cc5 // gomodjail:confined
	github.com/yalp/jsonpath v0.0.0-20180802001716-5cc68e5049a0 // gomodjail:confined
	github.com/zclconf/go-cty v1.13.2 // gomodjail:confined
	github.com/zeebo/xxh3 v1.0.2 // gomodjail:confined
	go.uber.org/atomic v1.11.0 // gomodjail:confined
	go.uber.org/multierr v1.11.0 // gomodjail:confined
	go.uber.org/zap v1.27.0 // gomodjail:confined
	golang.org/x/crypto v0.45.0 // gomodjail:confined
	golang.org/x/exp v0.0.0-20241217172543-b2144cdd0a67 // gomodjail:confined
	golang.org/x/net v0.47.0 // gomodjail:confined
	golang.org/x/sync v0.18.0 // gomodjail:confined
	golang.org/x/sys v0.38.0 // gomodjail:confined
	golang.org/x/term v0.37.0 // gomodjail:confined
	golang.org/x/text v0.31.0 // gomodjail:confined
	golang.org/x/time v0.12.0 // gomodjail:confined
	google.golang.org/genproto/googleapis/rpc v0.0.0-20250519155744-55703ea1f237 // gomodjail:confined
	google.golang.org/grpc v1.72.1 // gomodjail:confined
	// gomodjail learn: made 2 trapped syscalls itself: openat 1, readlinkat 1; e.g. openat at /home/runner/go/pkg/mod/google.golang.org/protobuf@v1.36.6/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	// gomodjail learn: needs FILES/READ for 2 trapped syscalls: openat 1, readlinkat 1; e.g. openat at /home/runner/go/pkg/mod/google.golang.org/protobuf@v1.36.6/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	google.golang.org/protobuf v1.36.6 // gomodjail:confined allow=FILES/READ
	gopkg.in/warnings.v0 v0.1.2 // gomodjail:confined
	gopkg.in/yaml.v3 v3.0.1 // gomodjail:confined
	gvisor.dev/gvisor v0.0.0-20240928194204-917bbae826a0 // gomodjail:confined
	lukechampine.com/frand v1.4.2 // gomodjail:confined
)
