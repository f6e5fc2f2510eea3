// gomodjail profile for tsc from TypeScript 7.0.2, the TypeScript compiler rewritten in Go
// (typescript-go), as the npm registry ships it (packages typescript and
// @typescript/typescript-linux-x64 or -arm64, whose lib/tsc is the Go program; the lib.*.d.ts
// files beside it are read at run time). Built by Microsoft's Go 1.26.4 toolchain, with build
// information, so gomodjail checks that the program's main module is this one.
//
//   gomodjail run --go-mod=examples/profiles/typescript-7.0.2.mod -- \
//     node_modules/@typescript/typescript-linux-x64/lib/tsc -p .
//
// Made with `gomodjail run --audit` on: --version, --help, -p (emitting JavaScript,
// declarations and source maps), --noEmit, type errors (pretty on a terminal and --pretty
// false), one file without a tsconfig.json, --init, --showConfig, --listFilesOnly, -b
// (--verbose, --force), --diagnostics and --extendedDiagnostics, --generateTrace, and a
// language server session (--lsp --stdio: initialize, didOpen, hover, definition,
// diagnostics, shutdown). Modules not listed are confined.

// gomodjail:confined
module github.com/microsoft/typescript-go

go 1.26

require (
	// The syscall layer under typescript-go's own file system code: at start it probes for
	// fanotify (fanotify_init, for --watch) and checks that its realpath can work (newfstatat),
	// which then opens with O_PATH and reads the link in /proc/self/fd (openat, readlinkat).
	// Confined, the probe and the check fail (two blocks logged at every start) and tsc falls
	// back to code of its own and of the standard library: the audited commands print and
	// write the same; --watch was not audited.
	golang.org/x/sys v0.46.0 // gomodjail:unconfined

	// errgroup runs the language server's reader, writer and request loops on goroutines of its
	// own, so every file the server reads is read under errgroup's frames. Confined,
	// `tsc --lsp` cannot read the project's files: hover answers nothing and every import is
	// "Cannot find module" (42 blocks in a short session). The command-line compiler does not
	// use it.
	golang.org/x/sync v0.21.0 // gomodjail:unconfined

	// JSON for tsconfig.json, --showConfig, build info and the language server's messages:
	// pure computation on bytes.
	github.com/go-json-experiment/json v0.0.0-20260623181947-01eb4420fa68 // gomodjail:confined

	// CPU feature detection for xxh3 (the CPUID instruction, no syscall) and the xxh3 hash.
	github.com/klauspost/cpuid/v2 v2.2.10 // gomodjail:confined
	github.com/zeebo/xxh3 v1.1.0 // gomodjail:confined

	// What of it is in the binary, memory.Get, reads /proc/meminfo; none of the audited runs
	// (language server included) called it. Confined, a caller would get an error instead of the
	// machine's memory figures: review it if a long language server session logs a block here.
	github.com/mackerelio/go-osstat v0.2.7 // gomodjail:confined

	// "Is this a terminal?" and its width for pretty output: read-only ioctls (TCGETS,
	// TIOCGWINSZ), which the filter lets through without asking the policy (checked on a
	// terminal too).
	golang.org/x/term v0.44.0 // gomodjail:confined

	// Unicode tables and normalization: pure computation.
	golang.org/x/text v0.38.0 // gomodjail:confined
)
