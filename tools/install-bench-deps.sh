#!/bin/sh
# Installs what bench/compare.sh compares libct against: crun and runc, from Debian's
# repository (Debian 12, as root). Not part of the build or the test suite.
set -eu
pkgs="crun runc"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-bench-deps: missing packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "install-bench-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
