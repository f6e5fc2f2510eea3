// gomodjail profile for buf 1.75.0, the Protocol Buffers tool, as the npm registry ships it
// (packages @bufbuild/buf and @bufbuild/buf-linux-x64 or -linux-aarch64, whose bin/buf is the
// Go program). Built by Go 1.27.3, with build information, so gomodjail checks that the
// program's main module is this one; the requirements are the dependencies that
// `go version -m` lists (five of them have no function in the binary: only their types and
// constants, or code inlined into others, are used).
//
//   gomodjail run --go-mod=examples/profiles/buf-1.75.0.mod -- \
//     node_modules/@bufbuild/buf-linux-x64/bin/buf lint
//
// Made with `gomodjail run --audit` on a module without dependencies (a buf.yaml of version
// v2 and a .proto file) and a workspace of two: --version, format (to stdout, -d, -w,
// --exit-code), lint (text and JSON, --path), build (to a file, to JSON on stdout),
// breaking against another directory, convert (from a file and from stdin), ls-files,
// export, config init and config ls-lint-rules, on a pipe and on a terminal, with an empty
// cache directory, and a build of the workspace (whose compiler starts goroutines from a stack
// deeper than the runtime records for goroutine ancestry: gomodjail judges those creators when
// each goroutine is created).
// Modules not listed are confined.

// gomodjail:confined
module github.com/bufbuild/buf

go 1.27

require (
	// The command-line framework every buf command runs under: appext's builder calls each
	// command, reads buf's configuration and makes and cleans its cache and temporary
	// directories (openat, readlinkat, newfstatat, mkdirat, unlinkat); cobra dispatches the command
	// line to it. Confined, every command but --version fails.
	buf.build/go/app v0.3.0 // gomodjail:unconfined
	github.com/spf13/cobra v1.10.2 // gomodjail:unconfined

	// bufbuild's extensions of the standard library: xfilepath resolves and lists paths (newfstatat,
	// openat) and xexec runs diff(1) for `buf format` and `format -d` (execve, clone, pidfd_open).
	// Confined, every command that reads a module fails.
	buf.build/go/standard v0.1.1-0.20260325175353-2b287e071df5 // gomodjail:unconfined

	// The compiler: it drives the build and calls buf's resolver to read each .proto file, so
	// every read happens under its frames (and on the goroutines its scheduler starts). Confined,
	// build, lint, breaking and convert fail.
	github.com/bufbuild/protocompile v0.14.2-0.20261020145055-56248e843b50 // gomodjail:unconfined

	// internal/detrand hashes the program's own executable when the program starts (readlinkat
	// /proc/self/exe, openat of the binary) to seed deliberately unstable spacing in text and JSON
	// output. Confined, every run logs a block (the output of build, convert and lint stayed the
	// same).
	google.golang.org/protobuf v1.36.13-0.20261016172727-e9ee2a76ab8e // gomodjail:unconfined

	// The WebAssembly runtime for buf's Wasm plugins: when the program starts it lists
	// /sys/kernel/mm/hugepages/ (openat), and lint, breaking and config ls-lint-rules make its
	// compilation cache under buf's cache directory (mkdirat, newfstatat). Confined, every run logs
	// a block, and lint and breaking fail ("failed to create compilation cache").
	github.com/tetratelabs/wazero v1.12.0 // gomodjail:unconfined

	// The system-call wrappers under wazero's compiler: lint and breaking compile buf's Wasm
	// plugins to machine code and make it executable with unix.Mprotect (mprotect with
	// PROT_EXEC, which gomodjail traces and refuses to confined modules). Confined, lint and
	// breaking fail. Its other callers here (isatty, x/term) make only calls the filter allows.
	golang.org/x/sys v0.49.0 // gomodjail:unconfined

	// Code generated from buf's own and Google's .proto files (descriptors, validation rules, the
	// registry's messages and Connect clients): data types and marshalling.
	buf.build/gen/go/bufbuild/bufplugin/protocolbuffers/go v1.36.12-20261002170247-538130002972.2 // gomodjail:confined
	buf.build/gen/go/bufbuild/protodescriptor/protocolbuffers/go v1.36.12-20261012172039-ff528c23443f.2 // gomodjail:confined
	buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go v1.36.12-20260825204119-511051f7f437.2 // gomodjail:confined
	buf.build/gen/go/bufbuild/registry/connectrpc/go/v2 v2.0.1-20261015154428-c661e2f1fba9.1 // gomodjail:confined
	buf.build/gen/go/bufbuild/registry/protocolbuffers/go v1.36.12-20261015154428-c661e2f1fba9.2 // gomodjail:confined
	buf.build/gen/go/pluginrpc/pluginrpc/protocolbuffers/go v1.36.12-20241007202033-cf42259fcbfc.2 // gomodjail:confined
	google.golang.org/genproto/googleapis/api v0.0.0-20261012220534-4341edf3f941 // gomodjail:confined
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261012220534-4341edf3f941 // gomodjail:confined

	// Checking and plugins run in the process: protovalidate over CEL (cel-go, its ANTLR parser,
	// its expression protos), the check-plugin framework and its RPC, protoc plugin plumbing,
	// YAML with source positions, SPDX licence ids: computation on values buf hands them.
	buf.build/go/protovalidate v1.4.0 // gomodjail:confined
	cel.dev/cel-go v0.32.0 // gomodjail:confined
	cel.dev/expr v0.25.3 // gomodjail:confined
	github.com/antlr4-go/antlr/v4 v4.13.1 // gomodjail:confined
	buf.build/go/bufplugin v0.11.1 // gomodjail:confined
	pluginrpc.com/pluginrpc v0.6.0 // gomodjail:confined
	github.com/bufbuild/protoplugin v0.0.0-20260414125817-25d1d281b46b // gomodjail:confined
	buf.build/go/protoyaml v0.7.0 // gomodjail:confined
	go.yaml.in/yaml/v3 v3.0.5 // gomodjail:confined
	buf.build/go/spdx v0.3.0 // gomodjail:confined
	buf.build/go/bufprivateusage v0.1.0 // gomodjail:confined

	// Data structures, hashing, encoding, compression, text and man-page rendering, flag parsing,
	// concurrency helpers (x/sync: none of its goroutines made a trapped syscall in the audited
	// runs): pure computation.
	github.com/tidwall/btree v1.8.2 // gomodjail:confined
	github.com/cespare/xxhash/v2 v2.3.0 // gomodjail:confined
	github.com/google/uuid v1.6.0 // gomodjail:confined
	github.com/segmentio/encoding v0.5.4 // gomodjail:confined
	github.com/segmentio/asm v1.2.1 // gomodjail:confined
	github.com/klauspost/compress v1.20.3 // gomodjail:confined
	github.com/klauspost/pgzip v1.3.0 // gomodjail:confined
	github.com/rivo/uniseg v0.4.7 // gomodjail:confined
	golang.org/x/text v0.43.0 // gomodjail:confined
	golang.org/x/mod v0.42.0 // gomodjail:confined
	golang.org/x/exp v0.0.0-20261014143641-f0251eb4aa3e // gomodjail:confined
	golang.org/x/crypto v0.58.0 // gomodjail:confined
	mvdan.cc/xurls/v2 v2.6.0 // gomodjail:confined
	github.com/russross/blackfriday/v2 v2.1.0 // gomodjail:confined
	github.com/cpuguy83/go-md2man/v2 v2.0.7 // gomodjail:confined
	github.com/spf13/pflag v1.0.10 // gomodjail:confined
	go.uber.org/multierr v1.11.0 // gomodjail:confined
	golang.org/x/sync v0.24.0 // gomodjail:confined

	// Logging and tracing: they format into writers and descriptors buf gives them (stderr),
	// and keep spans and metrics in memory. buf.build/go/interrupt asks for SIGINT and SIGTERM
	// (rt_sigaction on the process itself, let through by the filter).
	go.uber.org/zap v1.28.0 // gomodjail:confined
	github.com/sirupsen/logrus v1.10.2 // gomodjail:confined
	github.com/go-logr/logr v1.4.4 // gomodjail:confined
	github.com/go-logr/stdr v1.2.2 // gomodjail:confined
	go.opentelemetry.io/otel v1.47.0 // gomodjail:confined
	go.opentelemetry.io/otel/metric v1.47.0 // gomodjail:confined
	go.opentelemetry.io/otel/trace v1.47.0 // gomodjail:confined
	go.opentelemetry.io/otel/log v1.47.0 // gomodjail:confined
	go.opentelemetry.io/auto/sdk v1.2.1 // gomodjail:confined
	buf.build/go/interrupt v1.1.0 // gomodjail:confined

	// "Is this a terminal?" for colours: read-only ioctls (TCGETS), which the filter lets through
	// without asking the policy (checked on a terminal too).
	github.com/mattn/go-isatty v0.0.24 // gomodjail:confined
	github.com/mattn/go-colorable v0.1.16 // gomodjail:confined
	golang.org/x/term v0.47.0 // gomodjail:confined

	// Not audited: what talks to the Buf Schema Registry and other servers (buf dep update, push,
	// registry login, plugin push to Docker, curl, the language server, studio-agent) needs a
	// network this profile was not made with. Confined here; before using those commands,
	// audit them: x/net, quic-go and connect carry the registry's traffic, go-netrc reads
	// ~/.netrc, cli/browser starts a web browser, flock locks the module cache that downloaded
	// dependencies go into, and the Docker and OCI clients talk to a Docker daemon.
	connectrpc.com/connect/v2 v2.0.2 // gomodjail:confined
	connectrpc.com/otelconnect v0.11.0 // gomodjail:confined
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.72.0 // gomodjail:confined
	github.com/felixge/httpsnoop v1.1.0 // gomodjail:confined
	github.com/quic-go/quic-go v0.64.0 // gomodjail:confined
	github.com/quic-go/qpack v0.6.0 // gomodjail:confined
	golang.org/x/net v0.61.0 // gomodjail:confined
	github.com/rs/cors v1.11.1 // gomodjail:confined
	github.com/jdx/go-netrc v1.0.0 // gomodjail:confined
	github.com/cli/browser v1.3.0 // gomodjail:confined
	github.com/gofrs/flock v0.13.1 // gomodjail:confined
	go.lsp.dev/jsonrpc2 v0.10.0 // gomodjail:confined
	go.lsp.dev/pkg v0.0.0-20210717090340-384b27a52fb2 // gomodjail:confined
	go.lsp.dev/protocol v0.12.0 // gomodjail:confined
	go.lsp.dev/uri v0.3.0 // gomodjail:confined
	github.com/docker/cli v29.9.1+incompatible // gomodjail:confined
	github.com/docker/docker-credential-helpers v0.9.10 // gomodjail:confined
	github.com/docker/go-connections v0.8.2 // gomodjail:confined
	github.com/docker/go-units v0.5.0 // gomodjail:confined
	github.com/moby/moby/api v1.56.1 // gomodjail:confined
	github.com/moby/moby/client v0.6.2 // gomodjail:confined
	github.com/moby/docker-image-spec v1.3.1 // gomodjail:confined
	github.com/containerd/errdefs v1.0.0 // gomodjail:confined
	github.com/containerd/errdefs/pkg v0.3.0 // gomodjail:confined
	github.com/distribution/reference v0.6.0 // gomodjail:confined
	github.com/opencontainers/go-digest v1.0.0 // gomodjail:confined
	github.com/opencontainers/image-spec v1.1.1 // gomodjail:confined
	github.com/google/go-containerregistry v0.22.1 // gomodjail:confined
)
