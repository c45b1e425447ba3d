#!/bin/sh
# Checkpoint and restore times of libct (ct checkpoint / ct restore) against runc's, on the same
# workloads in the same run: an idle busybox container (sleep) and one holding 256 MiB of
# touched memory. Both drive the same CRIU binary (tools/install-criu.sh) with the same log
# level, both freeze through a cgroup, both keep the images on the same filesystem.
#
# Debian's crun is built without CRIU, so runc (Debian's) is the reference. runc 1.1 cannot
# choose CRIU's network lock: it gets `network-lock nftables` through a CRIU configuration
# file (the org.criu.config annotation), as iptables is not installed here.
#
# Usage: bench/criu_compare.sh [BUILD_DIR] [ROUNDS]   (as root; prints a table, in ms)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
rounds=${2:-5}
ct="$build/bin/ct"
work=/tmp/ct-bench-criu.$$
cg=ct-bench-criu-$$
export CT_CONNECT="linux:///?root=$work/state&cgroup_parent=$cg"

[ "$(id -u)" = 0 ] || { echo "criu_compare: run as root" >&2; exit 1; }
[ -x "$ct" ] || { echo "criu_compare: no $ct (build first)" >&2; exit 1; }
"$here/../tools/install-criu.sh"
command -v runc >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runc >/dev/null
}
criu=$(for p in /usr/local/lib/ct/criu /usr/sbin/criu; do [ -x $p ] && "$p" check >/dev/null 2>&1 && echo $p && break; done)
[ -n "$criu" ] || { echo "criu_compare: no working criu" >&2; exit 1; }

cleanup() {
    for n in $("$ct" list -q 2>/dev/null); do "$ct" destroy --force "$n" >/dev/null 2>&1 || true; done
    for id in $(runc --root "$work/runc" list -q 2>/dev/null); do runc --root "$work/runc" delete -f "$id" >/dev/null 2>&1 || true; done
    for d in /sys/fs/cgroup/*/"$cg"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir -p "$work/bin" "$work/bundle"
# runc runs `criu` from PATH: the same binary as libct's.
ln -s "$criu" "$work/bin/criu"
export PATH="$work/bin:$PATH"
printf 'network-lock nftables\n' >"$work/criu.conf"
"$here/../tools/mkrootfs-busybox.sh" "$work/bundle/rootfs" >/dev/null
cc -O2 -static -o "$work/bundle/rootfs/bin/criu-mem" "$here/criu_mem.c"

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

wait_ready() { # rootfs
    i=0
    while [ ! -e "$1/ready" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
    [ -e "$1/ready" ] || { echo "criu_compare: workload never got ready" >&2; exit 1; }
}

runc_config() { # args as a JSON array
    cat >"$work/bundle/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "annotations": {"org.criu.config": "$work/criu.conf"},
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": $1,
    "env": ["PATH=/bin:/sbin:/usr/bin"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
    "noNewPrivileges": true},
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "runc",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "/$cg/runc",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]
  }
}
JSON
}

# One round: start, checkpoint (stops it), restore, remove. Prints "checkpoint_ms restore_ms".
round_ct() { # name args...
    id=
    name=$1; shift
    rm -f "$work/bundle/rootfs/ready"
    "$ct" create --name "$name" --rootfs "$work/bundle/rootfs" -- "$@" >/dev/null
    "$ct" start "$name"
    [ "$1" = /bin/criu-mem ] && wait_ready "$work/bundle/rootfs" || sleep 0.2
    t0=$(now); "$ct" checkpoint "$name" --dir "$work/img"; t1=$(now)
    "$ct" restore "$name" --dir "$work/img"; t2=$(now)
    "$ct" destroy --force "$name"
    [ -n "${KEEP:-}" ] && mv "$work/img" "$work/img.$name$id" || rm -rf "$work/img"
    echo "$(ms $t0 $t1) $(ms $t1 $t2)"
}

round_runc() { # id args-json
    name=
    id=$1
    rm -f "$work/bundle/rootfs/ready"
    runc_config "$2"
    (cd "$work/bundle" && runc --root "$work/runc" run -d "$id" </dev/null >/dev/null 2>&1)
    case "$2" in *criu-mem*) wait_ready "$work/bundle/rootfs" ;; *) sleep 0.2 ;; esac
    t0=$(now); runc --root "$work/runc" checkpoint --image-path "$work/img" --work-path "$work/img" "$id"; t1=$(now)
    runc --root "$work/runc" restore -d --image-path "$work/img" --work-path "$work/img" --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>&1; t2=$(now)
    runc --root "$work/runc" delete -f "$id"
    [ -n "${KEEP:-}" ] && mv "$work/img" "$work/img.$name$id" || rm -rf "$work/img"
    echo "$(ms $t0 $t1) $(ms $t1 $t2)"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

report() { # label file
    c=$(cut -d' ' -f1 "$2" | median); r=$(cut -d' ' -f2 "$2" | median)
    printf '%-28s %12s %12s\n' "$1" "$c" "$r"
}

printf 'CRIU %s, %s rounds each, median ms\n' "$("$criu" --version | head -n1 | cut -d' ' -f2)" "$rounds"
printf '%-28s %12s %12s\n' "workload / runtime" "checkpoint" "restore"
for w in idle mem256; do
    : >"$work/ct.$w"; : >"$work/runc.$w"
    for i in $(seq "$rounds"); do
        if [ $w = idle ]; then
            round_ct "b$i" /bin/sleep 100000 >>"$work/ct.$w"
            round_runc "r$i" '["/bin/sleep", "100000"]' >>"$work/runc.$w"
        else
            round_ct "b$i" /bin/criu-mem 256 >>"$work/ct.$w"
            round_runc "r$i" '["/bin/criu-mem", "256"]' >>"$work/runc.$w"
        fi
    done
    report "$w / libct (ct)" "$work/ct.$w"
    report "$w / runc" "$work/runc.$w"
done
