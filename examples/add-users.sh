#!/bin/sh
# Adds the users of the guide's --user examples to a rootfs made by tools/mkrootfs-busybox.sh:
# www-data (33), app (1000, in group staff as well as its own) and the group staff (50).
# Idempotent. Usage: examples/add-users.sh ROOTFS
set -eu
root=${1:?usage: add-users.sh ROOTFS}
if ! [ -f "$root/etc/passwd" ] || ! [ -f "$root/etc/group" ]; then
    echo "add-users: $root has no etc/passwd or etc/group (make it with tools/mkrootfs-busybox.sh)" >&2
    exit 1
fi
add() {  # FILE NAME LINE
    grep -q "^$2:" "$1" || echo "$3" >>"$1"
}
add "$root/etc/passwd" www-data 'www-data:x:33:33:www-data:/var/www:/bin/false'
add "$root/etc/passwd" app 'app:x:1000:1000:app:/home/app:/bin/sh'
add "$root/etc/group" www-data 'www-data:x:33:'
add "$root/etc/group" staff 'staff:x:50:app'
add "$root/etc/group" app 'app:x:1000:'
mkdir -p "$root/home/app"
