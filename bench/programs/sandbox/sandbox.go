// Package sandbox is the confined module of the benchmark profile. The benchmarks call it only
// to prove that the policy is in force (its open must fail under gomodjail).
package benchsandbox

import "os"

//go:noinline
func Open(path string) error {
	f, err := os.Open(path)
	if err == nil {
		f.Close()
	}
	return err
}
