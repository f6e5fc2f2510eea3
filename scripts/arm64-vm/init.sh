#!/bin/busybox sh
# PID 1 of the arm64 test VM (built by build.sh): sets up the few file systems and the loopback
# interface the tests need, runs them, reports over the serial console and powers off. run.sh
# reads the "arm64-vm:" lines.
/bin/busybox --install -s /bin
export PATH=/bin HOME=/root TMPDIR=/tmp NO_COLOR=1 FORCE_COLOR=0
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /tmp stays the initramfs's own (already in memory): the repository may live under it.
ip link set lo up

# REPO, TESTS, GOMODJAIL_TEST_GOARCH, GOMODJAIL_TEST_GO_TOOLCHAINS (written by build.sh).
. /etc/arm64-vm.env
export GOMODJAIL_TEST_GOARCH GOMODJAIL_TEST_GO_TOOLCHAINS

echo "arm64-vm: $(uname -srm), $(nproc) CPUs, bun $(bun --version)"
cd "$REPO" || poweroff -f
echo "arm64-vm: bun test --timeout 600000 $TESTS"
# shellcheck disable=SC2086 # TESTS is a list of paths
bun test --timeout 600000 $TESTS 2>&1
echo "arm64-vm: exit status $?"
poweroff -f
