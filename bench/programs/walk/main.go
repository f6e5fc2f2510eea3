// A file-heavy program of the profile's own main module (so gomodjail polices it, unlike the
// toolchain's binaries): walks a tree and opens and reads every .go file, like `gofmt -l` does,
// -n times over, and prints the time the walks took ("ns=...").
//
//	walk [-n N] DIR
package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func walk(root string, buf []byte) (files int, bytes int64, err error) {
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			n, err := f.Read(buf)
			bytes += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		files++
		return nil
	})
	return files, bytes, err
}

func main() {
	repeat := flag.Int("n", 1, "how many times to walk the tree")
	flag.Parse()
	buf := make([]byte, 64*1024)
	start := time.Now()
	files, bytes := 0, int64(0)
	for i := 0; i < *repeat; i++ {
		f, b, err := walk(flag.Arg(0), buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		files, bytes = files+f, bytes+b
	}
	fmt.Printf("%d files, %d bytes\nns=%d\n", files, bytes, time.Since(start).Nanoseconds())
}
