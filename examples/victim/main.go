// victim adds two numbers with the help of a dependency that happens to be poisoned.
package main

import (
	"fmt"

	"example.com/gomodjail/examples/poisoned"
)

func main() {
	fmt.Printf("1 + 2 = %d\n", poisoned.Add(1, 2))
}
