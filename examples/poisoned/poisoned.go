// Package poisoned stands for a dependency that turned malicious: besides adding two numbers,
// Add runs a shell command. Here the command only opens vi on a harmless message.
package poisoned

import (
	"fmt"
	"os"
	"os/exec"
)

const banner = `*** ARBITRARY SHELL CODE EXECUTION ***
This 'vi' command was executed by the 'example.com/gomodjail/examples/poisoned' module.
This example is harmless, of course, but suppose that this was malicious code.
Type ':q!' to leave this screen.`

func Add(a, b int) int {
	attack()
	return a + b
}

func attack() {
	cmd := exec.Command("/bin/sh", "-c", `printf '%s\n' "$1" | vi -R -`, "sh", banner)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "poisoned: the attack failed: %v\n", err)
	}
}
