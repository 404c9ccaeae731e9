#!/usr/bin/env bash
# run.sh - builds the libFuzzer targets with clang (tree build-fuzz,
# -DRL_FUZZ=ON) and runs each for a bounded time on a copy of its
# checked-in corpus, which is never grown by this script.
#
# Usage: tests/fuzz/run.sh [TARGET...]     (default: every target)
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_BUILD    build folder (default build-fuzz)
#   FUZZ_OUT      where crash/leak/timeout inputs are kept on failure
#                 (default $FUZZ_BUILD/findings)
# Runs as many targets at once as there are cores. Prints executions,
# executions per second and coverage per target; exits
# non-zero if a target crashes, leaks, times out or fails to build. A
# finding is minimised by hand and added to tests/fuzz/regressions/NAME/,
# which ctest replays in every build (tests/fuzz/replay.c).
set -euo pipefail
cd "$(dirname "$0")/../.."

secs=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$build/findings}
jobs=$(nproc 2>/dev/null || echo 2)
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=(csv import guide jpeg sanitize catalog termreply sixel)
fi

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
    for c in clang clang-14; do
        if command -v "$c" >/dev/null; then cc=$c; break; fi
    done
fi
[ -n "$cc" ] || { echo "run.sh: clang not found" >&2; exit 1; }

echo "== fuzz build ($cc, $build)"
cmake -S . -B "$build" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRL_FUZZ=ON >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/rl-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

# stat value from a -print_final_stats=1 log
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }
# last value of a "NAME: N" field on libFuzzer's status lines
last() { { grep -o "$2: [0-9]*" "$1" || true; } | tail -n 1 | cut -d' ' -f2; }

# One target: runs it, writes its line to $work/$t.line and its findings
# to $out, and its exit status to $work/$t.rc.
fuzz_one() {
    local t=$1 bin=$build/fuzz_$1 corpus=tests/fuzz/corpus/$1
    local regress=tests/fuzz/regressions/$1 log=$work/$1.log
    local args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048
                -print_final_stats=1 -artifact_prefix="$work/$t-")
    [ -f "tests/fuzz/dict/$t.dict" ] && args+=(-dict="tests/fuzz/dict/$t.dict")

    # the copy is the corpus libFuzzer writes to; regressions only seed it
    mkdir -p "$work/$t"
    cp "$corpus"/* "$work/$t"/
    local dirs=("$work/$t")
    [ -d "$regress" ] && dirs+=("$regress")

    local start rc=0 took runs speed cov ft n
    start=$(date +%s)
    # in a subshell, so bash does not report the abort of a crash itself
    ( export TMPDIR=$work ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
      exec "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 ) 2>/dev/null || rc=$?
    took=$(( $(date +%s) - start ))

    runs=$(stat "$log" number_of_executed_units)
    speed=$(stat "$log" average_exec_per_sec)
    cov=$(last "$log" cov)
    ft=$(last "$log" ft)
    n=$(find "$work/$t" -type f | wc -l)
    {
        printf '%-14s %9s execs %6s/s  cov %4s  ft %5s  corpus %3s -> %4s  %ss\n' \
            "fuzz_$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" \
            "$(find "$corpus" -type f | wc -l)" "$n" "$took"
        if [ "$rc" -ne 0 ]; then
            echo "fuzz_$t FAILED (exit $rc); last lines of its log:"
            grep -v '^#' "$log" | tail -n 60
            mkdir -p "$out"
            cp "$log" "$out/"
            for a in "$work/$t"-*; do
                [ -e "$a" ] || continue
                cp "$a" "$out/"
                echo "finding kept: $out/$(basename "$a")"
            done
        fi
    } >"$work/$t.line"
    echo "$rc" >"$work/$t.rc"
}

# As many targets at once as there are cores (each is one process), so
# the wall time is about targets / cores x FUZZ_SECONDS; lines are printed
# in target order.
for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    fuzz_one "$t" &
done
wait
for t in "${targets[@]}"; do
    if [ -f "$work/$t.line" ]; then cat "$work/$t.line"
    else echo "fuzz_$t: no result (the runner itself failed)"; fi
    [ "$(cat "$work/$t.rc" 2>/dev/null)" = 0 ] || status=1
done
exit "$status"
