// The victim depends on a poisoned module; the comment below confines it.
module example.com/gomodjail/examples/victim

go 1.19

require example.com/gomodjail/examples/poisoned v1.0.0 // gomodjail:confined

replace example.com/gomodjail/examples/poisoned => ../poisoned
