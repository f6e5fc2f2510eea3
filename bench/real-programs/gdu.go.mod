// The policy of bench/real-programs.ts for gdu (Debian trixie gdu), written by
// bench/real-programs/learn.ts with `gomodjail learn` from one run of
// `/usr/lib/gomodjail-programs/gdu/usr/bin/gdu -n -p WORK/tree`; not edited.
// gomodjail learn: modules this go.mod does not list (a later build's) are confined until reviewed
// gomodjail:confined
module github.com/dundee/gdu/v5

go 1.21

require (
	github.com/fatih/color v0.0.0 // gomodjail:confined
	github.com/gdamore/encoding v0.0.0 // gomodjail:confined
	github.com/gdamore/tcell/v2 v2.0.0 // gomodjail:confined
	github.com/lucasb-eyer/go-colorful v0.0.0 // gomodjail:confined
	github.com/maruel/natural v0.0.0 // gomodjail:confined
	github.com/mattn/go-isatty v0.0.0 // gomodjail:confined
	github.com/mattn/go-runewidth v0.0.0 // gomodjail:confined
	github.com/pbnjay/memory v0.0.0 // gomodjail:confined
	github.com/rivo/tview v0.0.0 // gomodjail:confined
	github.com/rivo/uniseg v0.0.0 // gomodjail:confined
	github.com/sirupsen/logrus v0.0.0 // gomodjail:confined
	// gomodjail learn: called back into the program's code, which made 1 trapped syscall (as a framework does; not its own calls): openat 1; e.g. openat made by the main module at github.com/dundee/gdu/v5/cmd/gdu/main.go:145:main.runE, called back from github.com/spf13/cobra/command.go:985:github.com/spf13/cobra.(*Command).execute
	// gomodjail learn: started the goroutines on which other code made 631 trapped syscalls (as errgroup does; not its own calls): openat 631; e.g. openat made by the main module at github.com/dundee/gdu/v5/pkg/analyze/dir.go:103:github.com/dundee/gdu/v5/pkg/analyze.(*ParallelAnalyzer).processDir, on a goroutine started under github.com/spf13/cobra/command.go:985:github.com/spf13/cobra.(*Command).execute
	// gomodjail learn: needs FILES/READ for 631 trapped syscalls: openat 631; e.g. openat made by the main module at github.com/dundee/gdu/v5/pkg/analyze/dir.go:103:github.com/dundee/gdu/v5/pkg/analyze.(*ParallelAnalyzer).processDir, under github.com/spf13/cobra/command.go:985:github.com/spf13/cobra.(*Command).execute
	// gomodjail learn: needs FILES/WRITE for 1 trapped syscall: openat 1; e.g. openat made by the main module at github.com/dundee/gdu/v5/cmd/gdu/main.go:145:main.runE, under github.com/spf13/cobra/command.go:985:github.com/spf13/cobra.(*Command).execute
	// gomodjail learn: left unconfined: it needed FILES/WRITE (it can patch what the program runs (/proc/self/mem) or a file it loads), which can reach every other class: learn --allow-all-classes would confine it with FILES/READ, FILES/WRITE
	github.com/spf13/cobra v0.0.0 // gomodjail:unconfined
	github.com/spf13/pflag v0.0.0 // gomodjail:confined
	golang.org/x/sys v0.0.0 // gomodjail:confined
	golang.org/x/term v0.0.0 // gomodjail:confined
	golang.org/x/text v0.0.0 // gomodjail:confined
	gopkg.in/yaml.v3 v3.0.0 // gomodjail:confined
)
