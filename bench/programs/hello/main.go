// Start-up workload: the smallest useful Go program.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
