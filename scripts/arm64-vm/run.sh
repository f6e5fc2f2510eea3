#!/usr/bin/env bash
# `make test-arm64`: builds the arm64 VM (build.sh), boots it under qemu-system-aarch64 (software
# emulation, no network) and runs the end-to-end tests inside it. The console goes to the
# terminal and to .cache/arm64-vm/console.log; the last line says "arm64: N passed, M failed".
# Exits non-zero unless the tests ran and all passed.
# ARM64_VM_TIMEOUT (seconds, default 4800) stops a VM that hangs: the guest's test runner has its
# own per-test timeout, this only catches a stuck kernel or init.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.cache/arm64-vm
LOG=$OUT/console.log

start=$SECONDS
scripts/arm64-vm/build.sh
built=$SECONDS

# Neoverse-N1 (Graviton2, Ampere Altra), not "max": with max's extra features Bun's FTL JIT
# crashes the tracer thread under load (a segfault, or an abort in DFG->FTL tier-up), which it
# does not on this core. ARM64_VM_CPU chooses another.
status=0
timeout "${ARM64_VM_TIMEOUT:-4800}" qemu-system-aarch64 \
  -M virt -cpu "${ARM64_VM_CPU:-neoverse-n1}" -smp 2 -m 4G \
  -display none -monitor none -serial stdio -nic none -no-reboot \
  -kernel "$OUT/kernel" -initrd "$OUT/initrd.cpio" \
  -append "console=ttyAMA0 panic=-1 quiet" </dev/null | sed -u 's/\r$//' | tee "$LOG" || status=$?
ran=$SECONDS

passed=$(awk '/^ *[0-9]+ pass$/ { n = $1 } END { print n + 0 }' "$LOG")
failed=$(awk '/^ *[0-9]+ fail$/ { n = $1 } END { print n + 0 }' "$LOG")
tests_status=$(awk '/^arm64-vm: exit status [0-9]+$/ { s = $4 } END { print s }' "$LOG")
echo "arm64-vm: build $((built - start)) s, VM $((ran - built)) s"
if [ "$status" != 0 ]; then
  echo "arm64-vm: qemu-system-aarch64 failed (status $status; 124 is ARM64_VM_TIMEOUT)"
elif [ -z "$tests_status" ]; then
  echo "arm64-vm: the VM stopped before the tests finished (see $LOG)"
fi
echo "arm64: $passed passed, $failed failed"
[ "$status" = 0 ] && [ "$tests_status" = 0 ] && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
