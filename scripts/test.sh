#!/usr/bin/env bash
# Runs the whole test suite with bun test and ends with a plain "N passed, M failed" line.
# Go builds on a cold cache take longer than bun's default 5 s per test.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p _output
node_modules/.bin/bun test --timeout 600000 "$@" 2>&1 | tee _output/test.log
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ pass$' _output/test.log | tail -1 | grep -Eo '[0-9]+')
failed=$(grep -Eo '^ *[0-9]+ fail$' _output/test.log | tail -1 | grep -Eo '[0-9]+')
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
