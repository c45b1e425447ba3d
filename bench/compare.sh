#!/bin/sh
# Times libct against crun and runc in the same run, interleaved round by round:
#   api     the life cycle through the C++ API (bench-lifecycle: create, start, wait, destroy)
#   ct-run  `ct run ... -- /bin/true`
#   crun      `crun run` of an OCI bundle as `crun spec` makes it, with the same namespaces,
#             limits and command (the reference of the targets)
#   crun-min  `crun run` of a bundle that does exactly what libct does (same mounts, no masked
#             paths, no rlimits): the strictest comparison
#   runc      `runc run` of the same bundle as crun
# then bench-bare, the in-process floor. Prints the medians and the ratios to crun, and checks
# the targets: API life cycle <= 0.25 x crun, ct run <= 0.6 x crun.
#
# The whole run happens in a private mount namespace, so the host's mounts never change:
# - every contender keeps its state (libct's state root, crun's and runc's --root) on one
#   tmpfs, as on a normal host where /run is a tmpfs (on this machine /run is plain ext4
#   without a journal, where each new inode costs a scan of recently deleted ones: see
#   bench/README.md; --state-on-disk measures that instead);
# - crun refuses this host's hybrid cgroups (v1 controllers + cgroup2 at
#   /sys/fs/cgroup/unified), so the OCI runtimes run in a further mount namespace in which
#   /sys/fs/cgroup/unified is unmounted.
# Needs root, crun and runc (tools/install-bench-deps.sh) and a build (tools/build.sh).
set -eu

usage() {
    cat <<'EOF'
usage: bench/compare.sh [-n N] [--build DIR] [--rootfs DIR] [--net] [--binds] [--no-limits]
                        [--state-on-disk]
  -n N          rounds (default 100); each round runs every contender once
  --build DIR   libct build directory (default: build)
  --rootfs DIR  busybox rootfs (default: DIR/tests/rootfs-busybox, made if missing)
  --net         libct's contenders get a veth interface each (the OCI runtimes have no
                network setup of their own: they keep an empty net namespace)
  --binds       every contender gets two read-only bind mounts
  --no-limits   no memory/pids/cpu limits anywhere
  --state-on-disk  keep the state of every contender in /run as it is, not on a tmpfs
EOF
}

if [ -z "${CT_BENCH_PRIVATE_NS:-}" ] && [ "$(id -u)" = 0 ]; then
    command -v unshare >/dev/null || { echo "compare.sh: unshare is missing" >&2; exit 1; }
    CT_BENCH_PRIVATE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
src=$(cd "$(dirname "$0")/.." && pwd)
n=100 build=$src/build rootfs="" net="" binds="" limits=1 ondisk=""
while [ $# -gt 0 ]; do
    case $1 in
    -n) n=$2; shift ;;
    --build) build=$(cd "$2" && pwd); shift ;;
    --rootfs) rootfs=$2; shift ;;
    --net) net=1 ;;
    --binds) binds=1 ;;
    --no-limits) limits="" ;;
    --state-on-disk) ondisk=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root" >&2; exit 1; }

for t in crun runc unshare; do
    command -v $t >/dev/null || { echo "compare.sh: $t is missing (tools/install-bench-deps.sh)" >&2; exit 1; }
done
for b in bin/ct bin/bench-lifecycle bin/bench-bare bin/bench-seccomp-profile; do
    [ -x "$build/$b" ] || { echo "compare.sh: $build/$b is missing (tools/build.sh)" >&2; exit 1; }
done
[ -n "$rootfs" ] || rootfs=$build/tests/rootfs-busybox
"$src/tools/mkrootfs-busybox.sh" "$rootfs" >/dev/null
rootfs=$(cd "$rootfs" && pwd)

tag=ct-bench-$$
work=/tmp/$tag
state=/run/$tag
holder=""
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null || true
    # A cgroup stays busy for a moment after its last task is gone: retry for a while.
    for d in /sys/fs/cgroup/*/"$tag"; do
        [ -d "$d" ] || continue
        i=0
        until find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; do
            i=$((i + 1))
            [ $i -lt 200 ] || { echo "compare.sh: cannot remove $d" >&2; break; }
            sleep 0.01
        done
    done
    umount "$state" 2>/dev/null || true
    rm -rf "$work" "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/a" "$work/b" "$state"
[ -n "$ondisk" ] || mount -t tmpfs -o size=64m,mode=0700 ct-bench-state "$state"

# --- the OCI bundles ------------------------------------------------------------------------
# "default": what `crun spec` generates (its mounts including /sys/fs/cgroup, masked and
# read-only /proc and /sys paths, RLIMIT_NOFILE, no_new_privileges, 3 capabilities) plus the
# seccomp profile engines add (libct's default, bench-seccomp-profile), with the namespaces,
# limits and command of the others: a normal crun container as Podman runs it, the reference
# of the targets. "min": the mounts of a libct container and nothing else (no masked/read-only
# paths, no /sys/fs/cgroup, no rlimit, no no_new_privileges, no seccomp): less than libct does
# now that its containers are confined.
limits_json=""
if [ -n "$limits" ]; then
    limits_json='"resources": {"memory": {"limit": 67108864}, "pids": {"limit": 100},
                 "cpu": {"shares": 512}},'
fi
binds_json=""
if [ -n "$binds" ]; then
    binds_json=",
    {\"destination\": \"/home\", \"type\": \"bind\", \"source\": \"$work/a\", \"options\": [\"rbind\", \"ro\"]},
    {\"destination\": \"/run\", \"type\": \"bind\", \"source\": \"$work/b\", \"options\": [\"rbind\", \"ro\"]}"
fi
# bundle NAME PROFILE: writes $work/bundle-NAME/config.json
bundle() {
    if [ "$2" = default ]; then
        extra_mounts=',
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
        extra_process='"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true,'
        extra_linux='"maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/powercap"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    "seccomp": '"$seccomp_json"','
    else
        extra_mounts="" extra_process="" extra_linux=""
    fi
    mkdir -p "$work/bundle-$1"
    cat > "$work/bundle-$1/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0},
    "args": ["/bin/true"], "env": ["PATH=/bin:/usr/bin"], "cwd": "/",
    $extra_process
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    }
  },
  "root": {"path": "$rootfs", "readonly": false},
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
     "options": ["nosuid", "noexec", "nodev", "ro"]}$extra_mounts$binds_json
  ],
  "linux": {
    $limits_json
    $extra_linux
    "cgroupsPath": "/$tag/$1",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}, {"type": "cgroup"}]
  }
}
EOF
}
# The seccomp filter Docker/Podman give an OCI runtime, for the bundle's capabilities: the one
# a libct container gets too.
seccomp_json=$("$build/bin/bench-seccomp-profile" CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
bundle crun default
bundle crun-min min
bundle runc default

# --- a mount namespace without the cgroup2 mount, for the OCI runtimes ------------------------
unshare --mount --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec sleep 1000000' &
holder=$!
tries=0
while grep -q ' /sys/fs/cgroup/unified ' "/proc/$holder/mountinfo" 2>/dev/null ||
    [ "$(readlink "/proc/$holder/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]; do
    tries=$((tries + 1))
    [ $tries -lt 500 ] || { echo "compare.sh: private mount namespace not ready" >&2; exit 1; }
    sleep 0.01
done
mntns=/proc/$holder/ns/mnt

# --- the run -------------------------------------------------------------------------------
uri="linux:///?root=$state/ct&cgroup_parent=$tag"
ct_opts=""
[ -n "$limits" ] && ct_opts="--memory 64M --pids 100 --cpu-shares 512"
[ -n "$binds" ] && ct_opts="$ct_opts --mount $work/a:/home:ro --mount $work/b:/run:ro"
[ -n "$net" ] && ct_opts="$ct_opts --net veth:eth0,host=ctr$$-{i}"
lc_opts=""
[ -n "$net" ] && lc_opts="--net"
[ -n "$binds" ] && lc_opts="$lc_opts --binds"
[ -n "$limits" ] || lc_opts="$lc_opts --no-limits"

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(crun --version | head -1); $(runc --version | head -1)"
echo "state of every contender: $( [ -n "$ondisk" ] && echo "on disk ($(findmnt -n -o FSTYPE -T /run))" || echo tmpfs)"
out=$work/lifecycle.txt
# shellcheck disable=SC2086
"$build/bin/bench-lifecycle" -n "$n" --rootfs "$rootfs" --uri "linux:///?root=$state/api&cgroup_parent=$tag" \
    $lc_opts --ref crun \
    --cmd ct-run -- "$build/bin/ct" -c "$uri" run --name "ct$$-{i}" --rootfs "$rootfs" $ct_opts -- /bin/true \; \
    --cmd crun --mntns "$mntns" -- /usr/bin/crun --root "$state/crun" run --bundle "$work/bundle-crun" "crun$$-{i}" \; \
    --cmd crun-min --mntns "$mntns" -- /usr/bin/crun --root "$state/crun" run --bundle "$work/bundle-crun-min" "crunmin$$-{i}" \; \
    --cmd runc --mntns "$mntns" -- /usr/bin/runc --root "$state/runc" run --bundle "$work/bundle-runc" "runc$$-{i}" \
    >"$out" 2>&1 || { cat "$out"; echo "compare.sh: bench-lifecycle failed" >&2; exit 1; }
cat "$out"
echo
"$build/bin/bench-bare" -n "$n" --rootfs "$rootfs" | tee "$work/bare.txt"
echo

# --- targets -----------------------------------------------------------------------------------
# ratio WHAT [cpu]: WHAT's median over crun's, from bench-lifecycle's ratio lines.
ratio() {
    line="ratios of medians to crun:"
    [ "${2:-}" = cpu ] && line="ratios of CPU time medians to crun:"
    grep "^$line" "$out" | tr ',' '\n' | sed -n "s/.* $1 \([0-9.]*\)$/\1/p"
}
median() { awk -v w="$1" '$1 == w { print $2 }' "$out"; }
over_min() { awk -v a="$(median "$1")" -v c="$(median crun-min)" 'BEGIN { printf "%.3f", a / c }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "MISSED" }'; }
api=$(ratio api.total) ctrun=$(ratio ct-run)
echo "target: API life cycle <= 0.25 x crun: $api ($(verdict "$api" 0.25)); CPU time: $(ratio api.total cpu); vs crun-min: $(over_min api.total)"
echo "target: ct run         <= 0.60 x crun: $ctrun ($(verdict "$ctrun" 0.60)); CPU time: $(ratio ct-run cpu); vs crun-min: $(over_min ct-run)"
