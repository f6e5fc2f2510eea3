// A file-heavy program of the profile's own main module (so gomodjail polices it, unlike the
// toolchain's binaries): walks a tree and opens and reads every .go file, like `gofmt -l` does.
package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	files, bytes := 0, int64(0)
	buf := make([]byte, 64*1024)
	err := filepath.WalkDir(os.Args[1], func(path string, d fs.DirEntry, err error) error {
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
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d bytes\n", files, bytes)
}
