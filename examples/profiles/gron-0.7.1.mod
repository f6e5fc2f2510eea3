// gomodjail profile for gron 0.7.1, which makes JSON greppable, as Debian 12 ships it (package
// gron, /usr/bin/gron). Debian builds it without module information, so gomodjail attributes
// its functions through the module list below; versions are those of the Debian source
// packages it was built from (Built-Using).
//
//   gomodjail run --go-mod=examples/profiles/gron-0.7.1.mod -- gron https://example.com/x.json
//
// Made with `gomodjail run --audit` on: files, stdin and URLs (the main module fetches them
// with the standard library), -u, -s, -j, -c, -m, on a pipe and on a terminal. Every dependency
// is confined: none makes a syscall the filter does not let through by itself.

// gomodjail:confined
module github.com/tomnomnom/gron

go 1.19

require (
	// Colours the output when it goes to a terminal; asks through go-isatty.
	github.com/fatih/color v1.7.0 // gomodjail:confined

	// "Is this a terminal?" is a read-only ioctl (TCGETS), which the filter lets through
	// without asking the policy; so do x/sys's wrappers under it.
	github.com/mattn/go-isatty v0.0.17 // gomodjail:confined
	golang.org/x/sys v0.3.0 // gomodjail:confined

	// Colours JSON for -j -c: formatting into a writer it is given.
	github.com/nwidger/jsoncolor v0.0.0 // gomodjail:confined

	// Error values with context: pure computation.
	github.com/pkg/errors v0.9.1 // gomodjail:confined
)
