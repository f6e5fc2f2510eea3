module gomodjail.test/seccompprobe

go 1.19
