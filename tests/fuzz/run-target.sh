#!/bin/sh
# One bounded run of a libFuzzer target, as a ctest test: every input of the regression corpus
# is replayed once, then the target fuzzes from its seeds (and the regressions) for SECONDS.
# Any crash, sanitizer report, leak or per-input timeout fails the test. Exit 77 (skip) only
# when the target is not built.
#
#   run-target.sh BINARY SECONDS WORKDIR SEEDS REGRESSIONS [DICT]
set -u
bin=$1 seconds=$2 work=$3 seeds=$4 regressions=$5 dict=${6:-}
if [ ! -x "$bin" ]; then
    echo "SKIPPED: $bin is not built (tools/build-san.sh builds the fuzz targets)"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work/corpus" "$work/crashes" "$work/tmp"
# A target's scratch files (fuzz_archive's directory) go with the work directory: libFuzzer
# ends a run without the exit handlers that would remove them from /tmp.
export TMPDIR="$work/tmp"
# libFuzzer's own exit code for a crash is 77, ctest's skip: every failure is made 1 here.
opts="-error_exitcode=1 -timeout_exitcode=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536"
opts="$opts -artifact_prefix=$work/crashes/"
if [ -n "$dict" ] && [ -f "$dict" ]; then opts="$opts -dict=$dict"; fi

replay=$(find "$regressions" -type f ! -name '.*' 2>/dev/null | sort)
if [ -n "$replay" ]; then
    # shellcheck disable=SC2086
    if ! "$bin" $opts $replay >"$work/replay.log" 2>&1; then
        cat "$work/replay.log"
        echo "FAILED: an input of $regressions crashes $bin again"
        exit 1
    fi
    echo "replayed $(echo "$replay" | wc -l) regression inputs"
fi
[ -d "$regressions" ] || regressions=
# New inputs go to the work directory, never into the source tree.
# shellcheck disable=SC2086
"$bin" $opts -max_total_time="$seconds" -print_final_stats=1 "$work/corpus" "$seeds" \
    $regressions >"$work/fuzz.log" 2>&1
rc=$?
grep -E '^(INFO: seed|#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|==[0-9]+==|SUMMARY|Test unit written)' \
    "$work/fuzz.log" | tail -n 20
if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/crashes")" ]; then
    tail -n 80 "$work/fuzz.log"
    echo "FAILED: $bin crashed; the input is in $work/crashes (add it to $5 once fixed)"
    exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
if [ -z "$execs" ] || [ "$execs" -eq 0 ]; then
    tail -n 40 "$work/fuzz.log"
    echo "FAILED: $bin ran no input"
    exit 1
fi
echo "passed: $execs inputs in ${seconds}s, no crash"
