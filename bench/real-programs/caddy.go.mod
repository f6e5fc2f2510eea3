// The policy of bench/real-programs.ts for caddy (Debian trixie-backports caddy), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `/usr/lib/gomodjail-programs/caddy/usr/bin/caddy adapt --config WORK/Caddyfile`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module github.com/caddyserver/caddy/v2

go 1.21

require (
	cel.dev/expr v0.0.0 // gomodjail:confined
	cloud.google.com/go v0.0.0 // gomodjail:confined
	filippo.io/edwards25519 v0.0.0 // gomodjail:confined
	github.com/BurntSushi/toml v0.0.0 // gomodjail:confined
	github.com/DeRuina/timberjack v0.0.0 // gomodjail:confined
	github.com/KimMachineGun/automemlimit v0.0.0 // gomodjail:confined
	github.com/Masterminds/goutils v0.0.0 // gomodjail:confined
	github.com/Masterminds/semver v0.0.0 // gomodjail:confined
	github.com/Masterminds/sprig v0.0.0 // gomodjail:confined
	github.com/alecthomas/chroma/v2 v2.0.0 // gomodjail:confined
	github.com/antlr4-go/antlr/v4 v4.0.0 // gomodjail:confined
	github.com/aryann/difflib v0.0.0 // gomodjail:confined
	github.com/caddyserver/certmagic v0.0.0 // gomodjail:confined
	github.com/caddyserver/zerossl v0.0.0 // gomodjail:confined
	github.com/ccoveille/go-safecast v0.0.0 // gomodjail:confined
	github.com/cespare/xxhash v0.0.0 // gomodjail:confined
	github.com/chzyer/readline v0.0.0 // gomodjail:confined
	github.com/cloudflare/circl v0.0.0 // gomodjail:confined
	github.com/coreos/go-oidc/v3 v3.0.0 // gomodjail:confined
	github.com/cpuguy83/go-md2man/v2 v2.0.0 // gomodjail:confined
	github.com/dlclark/regexp2 v0.0.0 // gomodjail:confined
	github.com/dustin/go-humanize v0.0.0 // gomodjail:confined
	github.com/fxamacker/cbor v0.0.0 // gomodjail:confined
	github.com/go-chi/chi v0.0.0 // gomodjail:confined
	github.com/go-jose/go-jose/v3 v3.0.0 // gomodjail:confined
	github.com/go-logr/logr v0.0.0 // gomodjail:confined
	github.com/go-logr/stdr v0.0.0 // gomodjail:confined
	github.com/go-sql-driver/mysql v0.0.0 // gomodjail:confined
	github.com/golang/protobuf v0.0.0 // gomodjail:confined
	github.com/google/go-attestation v0.0.0 // gomodjail:confined
	github.com/google/go-tpm v0.0.0 // gomodjail:confined
	github.com/google/s2a-go v0.0.0 // gomodjail:confined
	github.com/google/uuid v0.0.0 // gomodjail:confined
	github.com/googleapis/enterprise-certificate-proxy v0.0.0 // gomodjail:confined
	github.com/googleapis/gax-go/v2 v2.0.0 // gomodjail:confined
	github.com/huandu/xstrings v0.0.0 // gomodjail:confined
	github.com/imdario/mergo v0.0.0 // gomodjail:confined
	github.com/klauspost/compress v0.0.0 // gomodjail:confined
	github.com/klauspost/cpuid/v2 v2.0.0 // gomodjail:confined
	github.com/libdns/libdns v0.0.0 // gomodjail:confined
	github.com/manifoldco/promptui v0.0.0 // gomodjail:confined
	github.com/mgutz/ansi v0.0.0 // gomodjail:confined
	github.com/mholt/acmez/v3 v3.0.0 // gomodjail:confined
	github.com/miekg/dns v0.0.0 // gomodjail:confined
	github.com/mitchellh/copystructure v0.0.0 // gomodjail:confined
	github.com/mitchellh/go-ps v0.0.0 // gomodjail:confined
	github.com/mitchellh/reflectwalk v0.0.0 // gomodjail:confined
	github.com/munnerz/goautoneg v0.0.0 // gomodjail:confined
	github.com/pbnjay/memory v0.0.0 // gomodjail:confined
	github.com/pires/go-proxyproto v0.0.0 // gomodjail:confined
	github.com/pkg/errors v0.0.0 // gomodjail:confined
	// gomodjail learn: called another module that made 1 trapped syscall (it uses a library that does; not its own calls): statfs 1; e.g. statfs made by github.com/prometheus/procfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc, called from github.com/prometheus/client_golang/prometheus/process_collector_procfsenabled.go:24:github.com/prometheus/client_golang/prometheus.canCollectProcess
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: statfs 1; e.g. statfs made by github.com/prometheus/procfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc, under github.com/prometheus/client_golang/prometheus/process_collector_procfsenabled.go:24:github.com/prometheus/client_golang/prometheus.canCollectProcess
	github.com/prometheus/client_golang v0.0.0 // gomodjail:confined allow=FILES/READ
	github.com/prometheus/client_model v0.0.0 // gomodjail:confined
	github.com/prometheus/common v0.0.0 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: statfs 1; e.g. statfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: statfs 1; e.g. statfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc
	github.com/prometheus/procfs v0.0.0 // gomodjail:confined allow=FILES/READ
	github.com/quic-go/qpack v0.0.0 // gomodjail:confined
	github.com/quic-go/quic-go v0.0.0 // gomodjail:confined
	// gomodjail learn: made 2 trapped syscalls itself: openat 2; e.g. openat at github.com/rs/xid/hostid_linux.go:8:github.com/rs/xid.readPlatformMachineID
	// gomodjail learn: needs FILES/READ for 2 trapped syscalls: openat 2; e.g. openat at github.com/rs/xid/hostid_linux.go:8:github.com/rs/xid.readPlatformMachineID
	github.com/rs/xid v0.0.0 // gomodjail:confined allow=FILES/READ
	github.com/russross/blackfriday/v2 v2.0.0 // gomodjail:confined
	github.com/shopspring/decimal v0.0.0 // gomodjail:confined
	github.com/sirupsen/logrus v0.0.0 // gomodjail:confined
	github.com/smallstep/certificates v0.0.0 // gomodjail:confined
	github.com/smallstep/cli-utils v0.0.0 // gomodjail:confined
	github.com/smallstep/linkedca v0.0.0 // gomodjail:confined
	github.com/smallstep/nosql v0.0.0 // gomodjail:confined
	github.com/smallstep/pkcs7 v0.0.0 // gomodjail:confined
	github.com/smallstep/scep v0.0.0 // gomodjail:confined
	github.com/smallstep/truststore v0.0.0 // gomodjail:confined
	github.com/spf13/cast v0.0.0 // gomodjail:confined
	// gomodjail learn: called back into the program's code, which made 1 trapped syscall (as a framework does; not its own calls): openat 1; e.g. openat made by the main module at github.com/caddyserver/caddy/v2/cmd/commandfuncs.go:574:github.com/caddyserver/caddy/v2/cmd.cmdAdaptConfig, called back from github.com/spf13/cobra/command.go:985:github.com/spf13/cobra.(*Command).execute
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat made by the main module at github.com/caddyserver/caddy/v2/cmd/commandfuncs.go:574:github.com/caddyserver/caddy/v2/cmd.cmdAdaptConfig, under github.com/spf13/cobra/command.go:985:github.com/spf13/cobra.(*Command).execute
	github.com/spf13/cobra v0.0.0 // gomodjail:confined allow=FILES/READ
	github.com/spf13/pflag v0.0.0 // gomodjail:confined
	github.com/tailscale/tscert v0.0.0 // gomodjail:confined
	github.com/urfave/cli v0.0.0 // gomodjail:confined
	github.com/x448/float16 v0.0.0 // gomodjail:confined
	github.com/yuin/goldmark v0.0.0 // gomodjail:confined
	github.com/yuin/goldmark-highlighting/v2 v2.0.0 // gomodjail:confined
	github.com/zeebo/blake3 v0.0.0 // gomodjail:confined
	go.etcd.io/bbolt v0.0.0 // gomodjail:confined
	go.opentelemetry.io/contrib v0.0.0 // gomodjail:confined
	go.opentelemetry.io/otel v0.0.0 // gomodjail:confined
	go.step.sm/crypto v0.0.0 // gomodjail:confined
	go.uber.org/atomic v0.0.0 // gomodjail:confined
	go.uber.org/automaxprocs v0.0.0 // gomodjail:confined
	go.uber.org/multierr v0.0.0 // gomodjail:confined
	go.uber.org/zap v0.0.0 // gomodjail:confined
	golang.org/x/crypto v0.0.0 // gomodjail:confined
	golang.org/x/net v0.0.0 // gomodjail:confined
	golang.org/x/oauth2 v0.0.0 // gomodjail:confined
	golang.org/x/sync v0.0.0 // gomodjail:confined
	golang.org/x/sys v0.0.0 // gomodjail:confined
	golang.org/x/term v0.0.0 // gomodjail:confined
	golang.org/x/text v0.0.0 // gomodjail:confined
	golang.org/x/time v0.0.0 // gomodjail:confined
	google.golang.org/api v0.0.0 // gomodjail:confined
	google.golang.org/genproto v0.0.0 // gomodjail:confined
	google.golang.org/grpc v0.0.0 // gomodjail:confined
	// gomodjail learn: made 2 trapped syscalls itself: openat 1, readlinkat 1; e.g. openat at google.golang.org/protobuf/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	// gomodjail learn: needs FILES/READ for 2 trapped syscalls: openat 1, readlinkat 1; e.g. openat at google.golang.org/protobuf/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	google.golang.org/protobuf v0.0.0 // gomodjail:confined allow=FILES/READ
	gopkg.in/square/go-jose.v2 v2.0.0 // gomodjail:confined
	gopkg.in/yaml.v3 v3.0.0 // gomodjail:confined
)
