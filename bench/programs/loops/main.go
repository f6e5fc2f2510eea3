// Syscall loops for bench/run.ts. Each mode runs its loop once and prints the loop's own time
// ("ns=...") so that start-up costs stay out of the per-call figures.
//
//	loops shallow|deep|concurrent|getpid|pipe|probe [-n N] [-file PATH] [-depth D] [-goroutines G]
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"example.com/benchsandbox"
)

var (
	iterations = flag.Int("n", 10000, "loop iterations (split between goroutines in concurrent mode)")
	file       = flag.String("file", "/etc/hostname", "the file to open and close")
	depth      = flag.Int("depth", 60, "recursion depth of the deep mode")
	goroutines = flag.Int("goroutines", 8, "goroutines of the concurrent mode")
)

// openClose is the trapped loop: one openat (judged by gomodjail) and one close per iteration.
//
//go:noinline
func openClose(n int) {
	for i := 0; i < n; i++ {
		f, err := os.Open(*file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Close()
	}
}

//go:noinline
func recurse(d, n int) int {
	if d <= 1 {
		openClose(n)
		return 0
	}
	return recurse(d-1, n) + 1
}

func concurrent(n, g int) {
	var wg sync.WaitGroup
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			openClose(n / g)
		}()
	}
	wg.Wait()
}

//go:noinline
func getpids(n int) {
	for i := 0; i < n; i++ {
		syscall.Getpid()
	}
}

//go:noinline
func pipeRoundTrips(n int) {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	b := []byte{1}
	for i := 0; i < n; i++ {
		if _, err := w.Write(b); err != nil {
			panic(err)
		}
		if _, err := r.Read(b); err != nil {
			panic(err)
		}
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loops shallow|deep|concurrent|getpid|pipe|probe [flags]")
		os.Exit(2)
	}
	mode := os.Args[1]
	flag.CommandLine.Parse(os.Args[2:])
	n := *iterations
	start := time.Now()
	switch mode {
	case "shallow":
		openClose(n)
	case "deep":
		recurse(*depth, n)
	case "concurrent":
		concurrent(n, *goroutines)
	case "getpid":
		getpids(n)
	case "pipe":
		pipeRoundTrips(n)
	case "probe":
		// The confined module's open: "blocked" proves the policy is in force.
		if err := benchsandbox.Open(*file); err != nil {
			fmt.Println("blocked:", err)
		} else {
			fmt.Println("allowed")
		}
		return
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
	fmt.Printf("ns=%d\n", time.Since(start).Nanoseconds())
}
