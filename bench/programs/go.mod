// The benchmark programs, and the profile they run under: the sandbox module is confined but
// never on the benchmarked paths, so every trapped syscall is judged (a full unwind) and allowed.
module example.com/gomodjailbench

go 1.19

require example.com/benchsandbox v1.0.0 // gomodjail:confined

replace example.com/benchsandbox => ./sandbox
