#!/bin/sh
# Installs a CRIU that works on this kernel, for libct's checkpoint/restore/migration.
#
# libct drives CRIU through libcriu (Debian's `criu` package: libcriu.so.2 and criu.h), which
# runs a `criu swrk` binary. Debian 12's own criu (3.17) cannot work on recent kernels (it does
# not know the [vvar_vclock] mapping of Linux >= 6.13: every command fails), so when the
# installed binary fails `criu check`, this builds CRIU 4.2.1 from Debian's source package
# (sid) and installs it as $CT_CRIU_DEST, where the linux backend looks first.
#
# Idempotent and quick when nothing is to do: no build when a working CRIU is already there.
# Run as root. Environment: CT_CRIU_DEST (default /usr/local/lib/ct/criu).
set -eu

dest=${CT_CRIU_DEST:-/usr/local/lib/ct/criu}
version=4.2.1
debver=4.2.1-1
orig=criu_$version.orig.tar.xz
orig_sha256=29ec0ee09e296479fe7048c80980e8ef1d0684d0b0204c2b101dfea19f6725b9
build_deps="libprotobuf-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libnl-3-dev
libnet1-dev libcap-dev libbsd-dev libgnutls28-dev libnftables-dev uuid-dev pkgconf
build-essential xz-utils dpkg-dev"

say() { echo "install-criu: $*" >&2; }

works() { [ -x "$1" ] && "$1" check >/dev/null 2>&1; }

need_pkgs() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        say "missing packages:$missing (run as root)"
        exit 1
    fi
    say "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 || {
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    }
}

# libcriu.so.2 and its header come from Debian's package, whatever binary runs behind it.
need_pkgs criu libprotobuf-c-dev

if works "$dest"; then exit 0; fi
if works /usr/sbin/criu; then
    say "Debian's criu works on this kernel; nothing to build"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    say "the installed criu fails 'criu check' and building $version needs root"
    exit 1
fi

say "Debian's criu fails 'criu check' on $(uname -r): building CRIU $version from Debian's source"
need_pkgs $build_deps

work=$(mktemp -d /tmp/ct-criu-build.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
# A private apt configuration with only sid's deb-src: the system's sources stay untouched and
# no binary package can come from sid.
mkdir -p "$work/apt/lists/partial" "$work/apt/parts"
echo "deb-src http://deb.debian.org/debian sid main" >"$work/apt/sources.list"
aptopts="-o Dir::Etc::SourceList=$work/apt/sources.list -o Dir::Etc::SourceParts=$work/apt/parts
-o Dir::State::Lists=$work/apt/lists -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $aptopts update -qq >/dev/null
# The .dsc may be gone from the mirror while the orig tarball is still served: only the
# tarball (checked below) is needed, so a partial download is not an error by itself.
# shellcheck disable=SC2086
(cd "$work" && apt-get $aptopts source --download-only -qq "criu=$debver" >/dev/null 2>&1) || true
if [ ! -f "$work/$orig" ]; then
    say "could not download $orig of Debian's criu $debver"
    exit 1
fi
echo "$orig_sha256  $work/$orig" | sha256sum -c --quiet - || {
    say "$orig: sha256 mismatch"
    exit 1
}
tar -C "$work" -xJf "$work/$orig"
src=$(find "$work" -maxdepth 1 -type d -name "criu-*" | head -n1)
say "building in $src (make -j$(nproc) criu)"
if ! make -C "$src" -j"$(nproc)" criu >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    say "build failed"
    exit 1
fi
install -D -m 0755 "$src/criu/criu" "$dest.new"
mv -f "$dest.new" "$dest"
if ! "$dest" check >"$work/check.log" 2>&1; then
    tail -n 20 "$work/check.log" >&2
    say "$dest was built but fails 'criu check' on this kernel"
    exit 1
fi
say "installed CRIU $version as $dest"
