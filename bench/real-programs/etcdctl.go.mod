// The policy of bench/real-programs.ts for etcdctl (Debian trixie etcd-client), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `/usr/lib/gomodjail-programs/etcd-client/usr/bin/etcdctl version`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module go.etcd.io/etcd

go 1.21

require (
	github.com/bgentry/speakeasy v0.0.0 // gomodjail:confined
	github.com/cespare/xxhash v0.0.0 // gomodjail:confined
	github.com/coreos/go-semver v0.0.0 // gomodjail:confined
	github.com/cpuguy83/go-md2man/v2 v2.0.0 // gomodjail:confined
	github.com/dustin/go-humanize v0.0.0 // gomodjail:confined
	github.com/go-logr/logr v0.0.0 // gomodjail:confined
	github.com/go-logr/stdr v0.0.0 // gomodjail:confined
	github.com/gogo/protobuf v0.0.0 // gomodjail:confined
	github.com/golang-jwt/jwt v0.0.0 // gomodjail:confined
	github.com/golang/protobuf v0.0.0 // gomodjail:confined
	github.com/google/btree v0.0.0 // gomodjail:confined
	github.com/jonboulle/clockwork v0.0.0 // gomodjail:confined
	github.com/json-iterator/go v0.0.0 // gomodjail:confined
	github.com/mattn/go-runewidth v0.0.0 // gomodjail:confined
	github.com/modern-go/concurrent v0.0.0 // gomodjail:confined
	github.com/modern-go/reflect2 v0.0.0 // gomodjail:confined
	github.com/olekukonko/tablewriter v0.0.0 // gomodjail:confined
	// gomodjail learn: called another module that made 1 trapped syscall (it uses a library that does; not its own calls): statfs 1; e.g. statfs made by github.com/prometheus/procfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc, called from github.com/prometheus/client_golang/prometheus/process_collector_other.go:24:github.com/prometheus/client_golang/prometheus.canCollectProcess
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: statfs 1; e.g. statfs made by github.com/prometheus/procfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc, under github.com/prometheus/client_golang/prometheus/process_collector_other.go:24:github.com/prometheus/client_golang/prometheus.canCollectProcess
	github.com/prometheus/client_golang v0.0.0 // gomodjail:confined allow=FILES/READ
	github.com/prometheus/client_model v0.0.0 // gomodjail:confined
	github.com/prometheus/common v0.0.0 // gomodjail:confined
	// gomodjail learn: made 1 trapped syscall itself: statfs 1; e.g. statfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: statfs 1; e.g. statfs at github.com/prometheus/procfs/fs_statfs_type.go:26:github.com/prometheus/procfs.isRealProc
	github.com/prometheus/procfs v0.0.0 // gomodjail:confined allow=FILES/READ
	github.com/rivo/uniseg v0.0.0 // gomodjail:confined
	github.com/russross/blackfriday/v2 v2.0.0 // gomodjail:confined
	github.com/spf13/cobra v0.0.0 // gomodjail:confined
	github.com/spf13/pflag v0.0.0 // gomodjail:confined
	github.com/urfave/cli v0.0.0 // gomodjail:confined
	go.etcd.io/bbolt v0.0.0 // gomodjail:confined
	go.opentelemetry.io/contrib v0.0.0 // gomodjail:confined
	go.opentelemetry.io/otel v0.0.0 // gomodjail:confined
	go.uber.org/atomic v0.0.0 // gomodjail:confined
	go.uber.org/multierr v0.0.0 // gomodjail:confined
	go.uber.org/zap v0.0.0 // gomodjail:confined
	golang.org/x/crypto v0.0.0 // gomodjail:confined
	golang.org/x/net v0.0.0 // gomodjail:confined
	golang.org/x/sys v0.0.0 // gomodjail:confined
	golang.org/x/text v0.0.0 // gomodjail:confined
	golang.org/x/time v0.0.0 // gomodjail:confined
	google.golang.org/genproto v0.0.0 // gomodjail:confined
	google.golang.org/grpc v0.0.0 // gomodjail:confined
	// gomodjail learn: made 2 trapped syscalls itself: openat 1, readlinkat 1; e.g. openat at google.golang.org/protobuf/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	// gomodjail learn: needs FILES/READ for 2 trapped syscalls: openat 1, readlinkat 1; e.g. openat at google.golang.org/protobuf/internal/detrand/rand.go:46:google.golang.org/protobuf/internal/detrand.binaryHash
	google.golang.org/protobuf v0.0.0 // gomodjail:confined allow=FILES/READ
	// gomodjail learn: made 1 trapped syscall itself: openat 1; e.g. openat at gopkg.in/cheggaaa/pb.v1/pb_x.go:30:gopkg.in/cheggaaa/pb%2ev1.init.0
	// gomodjail learn: needs FILES/READ for 1 trapped syscall: openat 1; e.g. openat at gopkg.in/cheggaaa/pb.v1/pb_x.go:30:gopkg.in/cheggaaa/pb%2ev1.init.0
	gopkg.in/cheggaaa/pb.v1 v1.0.0 // gomodjail:confined allow=FILES/READ
)
