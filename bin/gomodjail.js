#!/usr/bin/env bun
// Entry point for `bun x gomodjail` and npm's bin link: gomodjail runs on Bun.
import "../src/main.ts";
