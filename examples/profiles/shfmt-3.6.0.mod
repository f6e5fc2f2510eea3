// gomodjail profile for shfmt 3.6.0, the shell formatter, as Debian 12 ships it (package shfmt,
// /usr/bin/shfmt). Debian builds it without module information, so gomodjail attributes its
// functions through the module list below; versions are those of the Debian source packages it
// was built from (Built-Using) and are not checked.
//
//   gomodjail run --go-mod=examples/profiles/shfmt-3.6.0.mod -- shfmt -l -w .
//
// Made with `gomodjail run --audit` on: formatting files and stdin, -d, -l, -f, -w, -i/-ci, a
// .editorconfig, --to-json, on a pipe and on a terminal. Modules not listed are confined.

// gomodjail:confined
module mvdan.cc/sh/v3

go 1.19

require (
	// Reads .editorconfig files next to the formatted ones (open, stat): that is its job, and
	// all it does (gomodjail learn confirms it): confined, it keeps reading files only.
	mvdan.cc/editorconfig v0.2.0 // gomodjail:confined allow=FILES/READ

	// -w writes files atomically: a temporary file, then rename (open, stat, rename, unlink).
	github.com/google/renameio v2.0.0+incompatible // gomodjail:unconfined

	// Computes and prints the -d diff into a writer it is given: no file or network access.
	github.com/pkg/diff v0.0.0 // gomodjail:confined

	// Only asks whether stdin is a terminal: a read-only ioctl, which the filter lets through
	// without asking the policy, so confining them costs nothing (checked on a terminal too).
	golang.org/x/term v0.3.0 // gomodjail:confined
	golang.org/x/sys v0.3.0 // gomodjail:confined
)
