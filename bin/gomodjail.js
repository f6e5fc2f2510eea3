#!/bin/sh
':' //; command -v bun >/dev/null 2>&1 || { echo "gomodjail: runs on Bun, which is not on PATH: install Bun (npm install -g bun), or use the single-file binary (make)" >&2; exit 127; }; exec bun "$0" "$@"
// Entry point for `bun x gomodjail` and npm's bin link. gomodjail runs on Bun: read by sh (npx,
// a shell), the line above runs this file with bun or says why it cannot; Bun reads it as a
// string and a comment, then loads the tool.
import "../src/main.ts";
