package main

const (
	sysSeccomp = 317
	sysClone3  = 435
)
