// gomodjail profile for esbuild 0.26.0, the JavaScript bundler, as the npm registry ships it
// (packages esbuild and @esbuild/linux-x64 or @esbuild/linux-arm64, whose bin/esbuild is the Go
// program). It has module information, so gomodjail checks that the program's main module is
// this one.
//
//   gomodjail run --go-mod=examples/profiles/esbuild-0.26.0.mod -- \
//     node_modules/@esbuild/linux-x64/bin/esbuild app.ts --bundle --outfile=out.js
//
// Made with `gomodjail run --audit` on: --version, bundling to a file and to stdout, --minify
// with --sourcemap into a directory, --format, --platform=node, transforming stdin. esbuild
// has one dependency, the syscall layer; everything else is its own code or the standard
// library. Modules not listed (a dependency added or swapped in a later build) are confined.

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
