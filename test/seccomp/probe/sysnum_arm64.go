package main

const (
	sysSeccomp = 277
	sysClone3  = 435
)
