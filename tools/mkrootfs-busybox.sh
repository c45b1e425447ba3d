#!/bin/sh
# Builds a minimal busybox root filesystem in DIR (default: /var/lib/ct/rootfs/busybox) from
# Debian's busybox-static package. Idempotent: an existing, complete rootfs is left as it is.
set -eu
dir=${1:-/var/lib/ct/rootfs/busybox}
bb=/bin/busybox
if ! [ -x "$bb" ] || ! "$bb" --list-full >/dev/null 2>&1; then
    echo "mkrootfs-busybox: $bb is missing (apt-get install busybox-static)" >&2
    exit 1
fi
if ldd "$bb" >/dev/null 2>&1; then
    echo "mkrootfs-busybox: $bb is dynamically linked; install busybox-static" >&2
    exit 1
fi
if [ -x "$dir/bin/busybox" ] && [ -e "$dir/etc/passwd" ] && [ -L "$dir/bin/sh" ]; then
    exit 0
fi
mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp root var/tmp run home
chmod 1777 tmp var/tmp
cp "$bb" bin/busybox
"$bb" --list-full | while read -r applet; do
    [ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done
cat > etc/passwd <<'PW'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/:/bin/false
nobody:x:65534:65534:nobody:/:/bin/false
PW
cat > etc/group <<'GR'
root:x:0:
daemon:x:1:
users:x:100:
nogroup:x:65534:
GR
echo busybox > etc/hostname
echo "mkrootfs-busybox: rootfs ready in $dir"
