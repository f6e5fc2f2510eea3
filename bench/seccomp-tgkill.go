// How often does the Go runtime call tgkill, and what does one call cost? Two modes:
//
//	-mode=spin: many CPU-bound goroutines (optionally allocating, to add GC) for a while;
//	            count the tgkill calls from outside (strace -c).
//	-mode=loop: tgkill(getpid(), gettid(), 0) in a loop; prints the cost of one call in ns.
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var sink atomic.Uint64

func spin(stop *atomic.Bool, alloc bool) {
	x := uint64(1)
	var keep [][]byte
	for !stop.Load() {
		for i := 0; i < 1_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
			if alloc && i%1000 == 0 {
				keep = append(keep, make([]byte, 256))
				if len(keep) > 1024 {
					keep = keep[:0]
				}
			}
		}
	}
	sink.Add(x)
}

func main() {
	mode := flag.String("mode", "spin", "spin or loop")
	goroutines := flag.Int("goroutines", 200, "spin: CPU-bound goroutines")
	duration := flag.Duration("d", 5*time.Second, "spin: how long")
	alloc := flag.Bool("alloc", false, "spin: allocate as well, so the GC preempts too")
	calls := flag.Int("n", 20000, "loop: tgkill calls")
	flag.Parse()

	switch *mode {
	case "spin":
		var stop atomic.Bool
		var wg sync.WaitGroup
		for i := 0; i < *goroutines; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); spin(&stop, *alloc) }()
		}
		time.Sleep(*duration)
		stop.Store(true)
		wg.Wait()
	case "loop":
		pid, tid := syscall.Getpid(), syscall.Gettid()
		start := time.Now()
		for i := 0; i < *calls; i++ {
			if err := syscall.Tgkill(pid, tid, 0); err != nil {
				fmt.Fprintln(os.Stderr, "tgkill:", err)
				os.Exit(1)
			}
		}
		fmt.Println(time.Since(start).Nanoseconds() / int64(*calls))
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", *mode)
		os.Exit(2)
	}
}
