#!/bin/sh
# Runs the libct-era sample on a copy of the busybox rootfs and checks that it left nothing:
# no cgroup, no state of its containers. Exit 77: skipped (not root).
set -u
sample=$1 mkrootfs=$2 base=$3
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root"; exit 77; }
"$mkrootfs" "$base" >/dev/null || exit 1
root=$(mktemp -d /tmp/ct-capi-era-XXXXXX)
trap 'rm -rf "$root"' EXIT
cp -a "$base/." "$root"
"$sample" "$root"
rc=$?
left=$(ls -d /sys/fs/cgroup/*/capi-era-* /sys/fs/cgroup/.libct/capi-era-* \
    /run/ct/linux/capi-era-* 2>/dev/null)
if [ -n "$left" ]; then
    echo "left behind: $left"
    exit 1
fi
exit $rc
