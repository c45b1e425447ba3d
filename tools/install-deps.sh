#!/bin/sh
# Installs libct's build and test dependencies from Debian's repository (Debian 12, as root).
# Quick when everything is already there: apt is only called for missing packages.
# go-md2man makes the man page ct(1) from docs/ct.1.md (man-db reads it: README, `man -w ct`).
# runc and the engines (Podman, containerd, Docker) are for the OCI runtime's tests
# (tests/oci, docs/oci.md): runc is their reference, the engines drive ct-oci.
set -eu
pkgs="build-essential cmake pkgconf git
libboost-dev libboost-program-options-dev libyaml-cpp-dev nlohmann-json3-dev
libnl-3-dev libnl-route-3-dev libgtest-dev libgmock-dev libcap-dev libseccomp-dev
busybox-static iproute2 procps python3 go-md2man man-db zsh
openssh-client openssh-server crun uidmap
python3-dev pybind11-dev python3-pytest
clang libclang-rt-14-dev llvm clang-format
runc podman conmon catatonit containerd docker.io"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "install-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# CRIU for checkpoint/restore/migration: Debian's libcriu, and a criu binary that works on this
# kernel (built from Debian's source package only when the packaged one fails `criu check`).
"$(dirname "$0")/install-criu.sh"
