#!/bin/sh
# Start latency of the OCI runtimes on one bundle: `ct-oci run`, `runc run` and `crun run` of
# the same config.json (/bin/true; the engines' default confinement: masked and read-only
# paths, seccomp, RLIMIT_NOFILE, no_new_privileges, 3 capabilities; memory/pids/cpu limits),
# interleaved round by round with bench-exec-timer, each run a fork+exec+wait of the runtime
# that returns when the container has exited and been deleted. Prints the medians, the ratios
# to crun and checks the issue's target: ct-oci run <= 0.6 x crun.
#
# As compare.sh: everything happens in a private mount namespace; each runtime's --root is on
# one tmpfs (as /run is on a normal host); crun refuses this host's hybrid cgroups, so crun
# and runc run in a further mount namespace without /sys/fs/cgroup/unified, ct-oci on the
# host as it is. Needs root, crun and runc, and a build (tools/build.sh) with ct-oci.
set -eu

usage() {
    cat <<'EOF'
usage: bench/oci-compare.sh [-n N] [--build DIR] [--rootfs DIR]
  -n N          rounds (default 100); each round runs every runtime once
  --build DIR   libct build directory (default: build)
  --rootfs DIR  busybox rootfs (default: DIR/tests/rootfs-busybox, made if missing)
EOF
}

if [ -z "${CT_BENCH_PRIVATE_NS:-}" ] && [ "$(id -u)" = 0 ]; then
    CT_BENCH_PRIVATE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
src=$(cd "$(dirname "$0")/.." && pwd)
n=100 build=$src/build rootfs=""
while [ $# -gt 0 ]; do
    case $1 in
    -n) n=$2; shift ;;
    --build) build=$(cd "$2" && pwd); shift ;;
    --rootfs) rootfs=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "oci-compare.sh: needs root" >&2; exit 1; }
for t in crun runc unshare; do
    command -v $t >/dev/null || { echo "oci-compare.sh: $t is missing (tools/install-bench-deps.sh)" >&2; exit 1; }
done
for b in bin/ct-oci bin/bench-exec-timer bin/bench-seccomp-profile; do
    [ -x "$build/$b" ] || { echo "oci-compare.sh: $build/$b is missing (tools/build.sh)" >&2; exit 1; }
done
[ -n "$rootfs" ] || rootfs=$build/tests/rootfs-busybox
"$src/tools/mkrootfs-busybox.sh" "$rootfs" >/dev/null
rootfs=$(cd "$rootfs" && pwd)

tag=ct-oci-bench-$$
work=/tmp/$tag
state=/run/$tag
holder=""
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null || true
    for d in /sys/fs/cgroup/*/"$tag"; do
        [ -d "$d" ] || continue
        i=0
        until find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; do
            i=$((i + 1))
            [ $i -lt 200 ] || { echo "oci-compare.sh: cannot remove $d" >&2; break; }
            sleep 0.01
        done
    done
    umount "$state" 2>/dev/null || true
    rm -rf "$work" "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/bundle" "$state"
mount -t tmpfs -o size=64m,mode=0700 ct-oci-bench-state "$state"

# The bundle: the same for every runtime; each run's cgroup is cgroupsPath below $tag, named
# by the runtime (a runtime that left its cgroup behind would fail the next run).
seccomp_json=$("$build/bin/bench-seccomp-profile" CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
caps='["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
cat > "$work/bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0},
    "args": ["/bin/true"], "env": ["PATH=/bin:/usr/bin"], "cwd": "/",
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true,
    "capabilities": {"bounding": $caps, "effective": $caps, "permitted": $caps}
  },
  "root": {"path": "$rootfs", "readonly": true},
  "hostname": "bench",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "resources": {"memory": {"limit": 67108864}, "pids": {"limit": 100},
                  "cpu": {"shares": 512}, "devices": [{"allow": false, "access": "rwm"}]},
    "cgroupsPath": "/$tag/run",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}, {"type": "cgroup"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/powercap"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    "seccomp": $seccomp_json
  }
}
EOF

# A mount namespace without the cgroup2 mount, for crun and runc.
unshare --mount --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec sleep 1000000' &
holder=$!
tries=0
while grep -q ' /sys/fs/cgroup/unified ' "/proc/$holder/mountinfo" 2>/dev/null ||
    [ "$(readlink "/proc/$holder/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]; do
    tries=$((tries + 1))
    [ $tries -lt 500 ] || { echo "oci-compare.sh: private mount namespace not ready" >&2; exit 1; }
    sleep 0.01
done
mntns=/proc/$holder/ns/mnt

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $("$build/bin/ct-oci" --version | head -1); $(crun --version | head -1); $(runc --version | head -1)"
out=$work/oci.txt
"$build/bin/bench-exec-timer" -n "$n" --ref crun \
    --cmd ct-oci -- "$build/bin/ct-oci" --root "$state/ct-oci" run --bundle "$work/bundle" "ctoci$$-{i}" \; \
    --cmd crun --mntns "$mntns" -- /usr/bin/crun --root "$state/crun" run --bundle "$work/bundle" "crun$$-{i}" \; \
    --cmd runc --mntns "$mntns" -- /usr/bin/runc --root "$state/runc" run --bundle "$work/bundle" "runc$$-{i}" \
    >"$out" 2>&1 || { cat "$out"; echo "oci-compare.sh: bench-exec-timer failed" >&2; exit 1; }
cat "$out"
r=$(sed -n 's|^ct-oci/crun: median \([0-9.]*\).*|\1|p' "$out")
cpu=$(awk '$1 == "ct-oci" && $2 == "(cpu)" { a = $3 } $1 == "crun" && $2 == "(cpu)" { c = $3 }
    END { if (c > 0) printf "%.3f", a / c }' "$out")
echo "target: ct-oci run <= 0.60 x crun: $r ($(awk -v r="$r" 'BEGIN { print (r != "" && r <= 0.60) ? "met" : "MISSED" }')); CPU time: $cpu"
