#!/bin/sh
':' //; case "$npm_config_user_agent" in bun/*) b=$npm_execpath ;; *) b=$(command -v bun) ;; esac; [ -x "$b" ] || { echo "gomodjail: runs on Bun, which is not on PATH: install Bun (npm install -g bun), or use the single-file binary (make)" >&2; exit 127; }; d=$(dirname "$(readlink -f "$0")")/../dist; [ -f "$d/main.js" ] && exec "$b" --no-env-file "$d/main.js" "$@"; exec "$b" --no-env-file "$0" "$@"
// Entry point for `bun x gomodjail` and npm's bin link. gomodjail runs on Bun: read by sh (npx,
// a shell), the line above runs, with the Bun that started `bun x`, else the one on PATH (or says
// why it cannot), the package's bundle (dist/, built by `npm pack`: Bun loads it several times
// faster than the sources), or else this file; Bun reads that line as a string and a comment.
// --no-env-file: a .env in the working directory must not reach the jailed program's environment.
import "../src/main.ts";
