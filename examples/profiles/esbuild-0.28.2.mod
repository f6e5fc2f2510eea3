// gomodjail profile for esbuild 0.28.2, the JavaScript bundler, as the npm registry ships it
// (packages esbuild and @esbuild/linux-x64 or @esbuild/linux-arm64, whose bin/esbuild is the Go
// program). Built by Go 1.26.5 with a linker patched to leave out the build information
// (esbuild's Makefile: so that scanners stop flagging it by Go version) and stripped (-s -w):
// gomodjail attributes its functions through the module list below, cannot check the main
// module, and cannot learn the Go release, so goroutine ancestry is off for it (one warning).
// The version of golang.org/x/sys is the one esbuild's go.mod pins (not in the binary; not
// checked).
//
//   gomodjail run --go-mod=examples/profiles/esbuild-0.28.2.mod -- \
//     node_modules/@esbuild/linux-x64/bin/esbuild app.ts --bundle --outfile=out.js
//
// Made with `gomodjail run --audit` on: --version, bundling to a file and to stdout, --minify
// with --sourcemap into a directory, --format, --platform=node, --metafile, CSS with
// local-css, `with { type: 'text' }` imports (new in 0.28), transforming stdin, a syntax error,
// on a pipe and on a terminal. Everything else is esbuild's own code or the standard library.
// Modules not listed (a dependency added or swapped in a later build) are confined.

// gomodjail:confined
module github.com/evanw/esbuild

go 1.13

require (
	// esbuild's file system layer stats every file it reads with unix.Stat (newfstatat) to key
	// its cache of file contents by inode, size and modification time (internal/fs modKey, for
	// incremental builds and watch mode). Confined, those stats fail and esbuild goes on without
	// the key: the output is the same, but every bundle logs a block per file it reads.
	golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8 // gomodjail:unconfined
)
