#!/bin/sh
# Runs the libFuzzer targets of tests/fuzz for longer than CI does, and copies every crash they
# find into the target's regression corpus (tests/fuzz/regressions/<target>/), which CI
# replays from then on. The corpus a run grows is kept in the sanitizer build, so the next run
# goes on from it.
#
#   tools/fuzz.sh [-t SECONDS] [-j JOBS] [--no-build] [TARGET...]   (default: 600 s, 1 job, all)
#   tools/fuzz.sh --seeds       writes the seed corpora (tests/fuzz/corpus) anew from real inputs
#
# Exit status: 0 when no target crashed, 1 when one did (the inputs are in the regression
# corpus, to fix and commit), 2 on a usage error.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
build=${SAN_BUILD_DIR:-${BUILD_DIR:-build}-san}
case $build in /*) ;; *) build="$src/$build" ;; esac
seconds=600 jobs=1 do_build=1 seeds=0 targets=""
all="spec_yaml spec_json uri remote_frame archive openvz_conf openvz_proc"
while [ $# -gt 0 ]; do
    case $1 in
    -t) seconds=$2 && shift 2 ;;
    -j) jobs=$2 && shift 2 ;;
    --no-build) do_build=0 && shift ;;
    --seeds) seeds=1 && shift ;;
    -h | --help) sed -n '2,13p' "$0" && exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2 && exit 2 ;;
    *) targets="$targets $1" && shift ;;
    esac
done
for t in $targets; do
    case " $all " in *" $t "*) ;; *) echo "fuzz.sh: no target '$t' (known: $all)" >&2 && exit 2 ;; esac
done
[ "$do_build" = 1 ] && tools/build-san.sh
if [ "$seeds" = 1 ]; then
    [ "$do_build" = 1 ] && cmake --build "$build" --target ct-fuzz-seeds
    rm -rf tests/fuzz/corpus
    "$build/bin/ct-fuzz-seeds" "$src" tests/fuzz/corpus
    echo "fuzz.sh: seed corpora written to tests/fuzz/corpus"
    exit 0
fi

found=0
for t in ${targets:-$all}; do
    work="$build/fuzz/$t"
    mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
    rm -f "$work/artifacts"/*
    dict=""
    [ -f "tests/fuzz/dict/$t.dict" ] && dict="-dict=$src/tests/fuzz/dict/$t.dict"
    regressions=""
    [ -d "tests/fuzz/regressions/$t" ] && regressions="tests/fuzz/regressions/$t"
    echo "fuzz.sh: $t for ${seconds}s, $jobs job(s)"
    rm -f "$work"/fuzz-*.log
    par=""
    [ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
    # A job ends at its first crash: what it found is to be fixed before fuzzing on makes sense.
    # shellcheck disable=SC2086
    (cd "$work" && TMPDIR="$work/tmp" "$build/bin/ct-fuzz-$t" $par -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 $dict \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "$src/tests/fuzz/corpus/$t" \
        ${regressions:+"$src/$regressions"}) >"$work/log" 2>&1 || true
    execs=$(cat "$work/log" "$work"/fuzz-*.log 2>/dev/null |
        sed -n 's/^stat::number_of_executed_units: *//p' | awk '{n += $1} END {print n + 0}')
    crashes=0
    for a in "$work/artifacts"/*; do
        [ -f "$a" ] || continue
        crashes=$((crashes + 1))
        mkdir -p "tests/fuzz/regressions/$t"
        cp "$a" "tests/fuzz/regressions/$t/$(basename "$a")"
        echo "fuzz.sh: $t: new crash input tests/fuzz/regressions/$t/$(basename "$a")"
    done
    echo "fuzz.sh: $t: $execs inputs run, $crashes crash input(s); log: $work/log"
    [ "$crashes" -eq 0 ] || found=1
done
exit $found
