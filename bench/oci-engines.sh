#!/bin/bash
# End to end through the engines: `podman run --rm` and `ctr run --rm` (containerd's runc
# shim) of /bin/true with ct-oci and with runc as the runtime, interleaved round by round with
# bench-exec-timer. Each engine gets a root, state and socket of its own under one work
# directory (Podman: vfs storage, no events, cgroupfs; containerd: the CRI plugin off, the
# native snapshotter), the image is the busybox rootfs (podman import; ctr images import of an
# OCI archive written here), and everything is removed at the end. crun is left out: it
# refuses this host's hybrid cgroups and the engines give it no way around that.
# Needs root, podman, conmon, containerd, ctr, runc and a build with ct-oci.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/oci-engines.sh [-n N] [--build DIR] [--rootfs DIR]
  -n N          rounds (default 50); each round runs every engine/runtime pair once
  --build DIR   libct build directory (default: build)
  --rootfs DIR  busybox rootfs (default: DIR/tests/rootfs-busybox, made if missing)
EOF
}

src=$(cd "$(dirname "$0")/.." && pwd)
n=50 build=$src/build rootfs=""
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
[ "$(id -u)" = 0 ] || { echo "oci-engines.sh: needs root" >&2; exit 1; }
for t in podman conmon containerd ctr runc sha256sum; do
    command -v $t >/dev/null || { echo "oci-engines.sh: $t is missing (tools/install-deps.sh)" >&2; exit 1; }
done
for b in bin/ct-oci bin/bench-exec-timer; do
    [ -x "$build/$b" ] || { echo "oci-engines.sh: $build/$b is missing (tools/build.sh)" >&2; exit 1; }
done
[ -n "$rootfs" ] || rootfs=$build/tests/rootfs-busybox
"$src/tools/mkrootfs-busybox.sh" "$rootfs" >/dev/null
rootfs=$(cd "$rootfs" && pwd)
ctoci=$build/bin/ct-oci runc=$(command -v runc)

tag=ct-oci-engines-$$
work=/tmp/$tag
image=localhost/ct-oci-bench:latest
containerd_pid=""
export CONTAINERS_CONF=$work/containers.conf
podman_cmd=(podman --root "$work/podman/root" --runroot "$work/podman/run" --tmpdir "$work/podman/tmp"
    --storage-driver vfs --events-backend none --cgroup-manager cgroupfs)
ctr_cmd=(ctr --address "$work/containerd/sock" --namespace bench)
cleanup() {
    set +e
    "${podman_cmd[@]}" rm --all --force --time 0 >/dev/null 2>&1
    if [ -n "$containerd_pid" ]; then
        for id in $("${ctr_cmd[@]}" tasks list --quiet 2>/dev/null); do
            "${ctr_cmd[@]}" tasks kill --signal SIGKILL "$id"; "${ctr_cmd[@]}" tasks delete "$id"
        done >/dev/null 2>&1
        for id in $("${ctr_cmd[@]}" containers list --quiet 2>/dev/null); do
            "${ctr_cmd[@]}" containers delete "$id" >/dev/null 2>&1
        done
        kill "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null
    fi
    for d in /sys/fs/cgroup/*/"$tag"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    grep " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/podman" "$work/containerd/layout/blobs/sha256"
# This machine gives no CAP_SYS_RESOURCE: Podman's default rlimits would fail every runtime.
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$CONTAINERS_CONF"

# Podman's image.
tar -C "$rootfs" -cf "$work/rootfs.tar" .
"${podman_cmd[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1

# containerd and its image (an OCI layout with the rootfs as its one layer).
printf 'version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n' >"$work/containerd/config.toml"
containerd --config "$work/containerd/config.toml" --root "$work/containerd/root" \
    --state "$work/containerd/state" --address "$work/containerd/sock" --log-level error \
    >"$work/containerd/log" 2>&1 &
containerd_pid=$!
for _ in $(seq 100); do "${ctr_cmd[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
blob() {  # FILE -> prints "digest size", the file stored as a blob
    local d s
    d=$(sha256sum "$1" | cut -c1-64) s=$(stat -c %s "$1")
    cp "$1" "$work/containerd/layout/blobs/sha256/$d"
    echo "$d $s"
}
read -r ld ls < <(blob "$work/rootfs.tar")
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin:/usr/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$ld" >"$work/cfg"
read -r cd cs < <(blob "$work/cfg")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls" >"$work/manifest"
read -r md ms < <(blob "$work/manifest")
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/containerd/layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s"}}]}' "$md" "$ms" "$image" >"$work/containerd/layout/index.json"
tar -C "$work/containerd/layout" -cf "$work/image.oci.tar" .
"${ctr_cmd[@]}" images import --snapshotter native "$work/image.oci.tar" >/dev/null

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(podman --version); containerd $(containerd --version | awk '{print $3}'); $(runc --version | head -1)"
podman_run() {  # NAME RUNTIME
    echo --cmd "$1" -- "${podman_cmd[@]}" --runtime "$2" run --rm --network none \
        --cgroup-parent "/$tag" "$image" /bin/true \;
}
ctr_run() {  # NAME RUNTIME
    echo --cmd "$1" -- "${ctr_cmd[@]}" run --rm --runtime io.containerd.runc.v2 --runc-binary "$2" \
        --runc-root "$work/containerd/runtime-$1" --snapshotter native \
        --cgroup "/$tag/$1-{i}" "$image" "$1-{i}" /bin/true \;
}
# shellcheck disable=SC2046
"$build/bin/bench-exec-timer" -n "$n" --ref podman-runc \
    $(podman_run podman-ct-oci "$ctoci") $(podman_run podman-runc "$runc") \
    $(ctr_run ctr-ct-oci "$ctoci") $(ctr_run ctr-runc "$runc") | tee "$work/out.txt"
med() { awk -v w="$1" '$1 == w { print $2 }' "$work/out.txt"; }
for e in podman ctr; do
    awk -v e=$e -v a="$(med $e-ct-oci)" -v b="$(med $e-runc)" \
        'BEGIN { printf "%s end to end: ct-oci / runc = %.3f (%s)\n", e, a / b, a < b ? "faster with libct: met" : "MISSED" }'
done
