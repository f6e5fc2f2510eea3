module example.com/gomodjail/examples/poisoned

go 1.19
