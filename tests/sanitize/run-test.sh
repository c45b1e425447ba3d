#!/bin/sh
# Runs one test binary of the sanitizer build. Any ASan, UBSan or LeakSanitizer report fails
# the test, also one from a process the test started (ct, ct-agent, a backend in it): those
# write their reports into LOGDIR, where a child's exit status alone would not show them.
#
#   run-test.sh BINARY LOGDIR
set -u
bin=$1 logs=$2
if [ ! -x "$bin" ]; then
    echo "SKIPPED: $bin is not built (tools/build-san.sh builds the sanitizer build)"
    exit 77
fi
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
supp="$(dirname "$0")/lsan.supp"
export LSAN_OPTIONS="log_path=$logs/lsan:suppressions=$supp:print_suppressions=0"
"$bin"
rc=$?
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
    for r in $reports; do
        echo "=== $r"
        cat "$r"
    done
    echo "FAILED: sanitizer reports above"
    exit 1
fi
if [ $rc -eq 77 ]; then rc=1; fi  # never a skip once the binary exists
exit $rc
