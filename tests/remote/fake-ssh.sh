#!/bin/sh
# A stand-in for ssh in the unit tests (test_fake_ssh.cpp exercises every branch): records its
# arguments one per line in $CT_FAKE_SSH_ARGV, then acts as $CT_FAKE_SSH_MODE says.
printf '%s\n' "$@" >"$CT_FAKE_SSH_ARGV"
for last; do :; done
case "$CT_FAKE_SSH_MODE" in
shell) exec sh -c "$last" ;; # the far shell: runs the command line the client built
banner) echo "Welcome! (a chatty login script)" && exec sh -c "$last" ;;
refuse) echo "root@host: Permission denied (publickey)." >&2 && exit 255 ;;
*) echo "fake-ssh: unknown mode '$CT_FAKE_SSH_MODE'" >&2 && exit 2 ;;
esac
