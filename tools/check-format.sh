#!/bin/sh
# Fails when a C or C++ source of the project differs from what clang-format (.clang-format)
# makes of it, and names each such file. ctest runs it (test "format"); `-i` reformats them.
set -eu
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format is missing" >&2; exit 1; }
fix=""
[ "${1:-}" = "-i" ] && fix=1
bad=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
else  # an unpacked source tree
    files=$(find api backends bench loader python tests tools -name '*.[ch]' -o -name '*.[ch]pp')
fi
for f in $files; do
    case $f in tests/fuzz/corpus/* | tests/fuzz/regressions/*) continue ;; esac
    if [ -n "$fix" ]; then
        clang-format -i "$f"
    elif ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "check-format: $f is not formatted (tools/check-format.sh -i)" >&2
        bad=$((bad + 1))
    fi
done
[ "$bad" = 0 ] || { echo "check-format: $bad files to format" >&2; exit 1; }
