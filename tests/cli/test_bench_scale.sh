#!/bin/bash
# test_bench_scale.sh - `relabel-bench scale --images 50000` (issue 16) runs
# to the end and prints every figure: each import beside its sqlite3-shell
# reference, CPU times, peak memory, lock wait, the project's bytes per
# prediction per table. Times are not asserted (a shared machine); what
# the fixed seed fixes is: the row counts, and the store's size per
# prediction (schema 4: at most 40 bytes without the reviews). Slow
# (minutes): labelled large.
. "$(dirname "$0")/lib.sh"
need sqlite3
BENCH=$(dirname "$RELABEL")/relabel-bench
[ -x "$BENCH" ] || skip_all "relabel-bench is not built beside $RELABEL"

# Copied alone (no relabel beside it), it says so before generating
# anything, and exits 1 (it crashed after the imports before).
mkdir -p "$TMP/alone" && cp "$BENCH" "$TMP/alone/"
"$TMP/alone/relabel-bench" scale --images 100 >"$TMP/alone.out" \
    2>"$TMP/alone.err"
expect_eq "$?" 1 "relabel-bench alone: exit status 1"
grep -q "no relabel binary at $TMP/alone/relabel" "$TMP/alone.err" \
    && pass "relabel-bench alone: names the missing binary" \
    || fail "relabel-bench alone: names the missing binary: $(cat "$TMP/alone.err")"
expect_eq "$(wc -c < "$TMP/alone.out")" 0 "relabel-bench alone: no figure"
"$TMP/alone/relabel-bench" scale --images 100 --relabel "$TMP/nope" \
    >/dev/null 2>"$TMP/alone.err"
expect_eq "$?" 1 "--relabel to no binary: exit status 1"
"$TMP/alone/relabel-bench" scale --images 100 --relabel "$RELABEL" \
    >"$TMP/alone.out" 2>"$TMP/alone.err"
expect_eq "$?" 0 "--relabel to the binary: exit status 0"
grep -q '^scale_100_eval_ms ' "$TMP/alone.out" \
    && pass "--relabel: the read side runs it" \
    || fail "--relabel: the read side runs it: $(tail -3 "$TMP/alone.err")"

out=$TMP/scale.txt
if ! nice "$BENCH" scale --images 50000 >"$out" 2>"$TMP/scale.err"; then
    fail "relabel-bench scale --images 50000 exits 0"
    sed 's/^/#   /' "$TMP/scale.err"
    finish
fi
pass "relabel-bench scale --images 50000 exits 0"

# FIGURE UNIT: present, with a number.
figure() {
    local v
    v=$(awk -v n="$1" '$1 == n { print $2 }' "$out")
    if [ -z "$v" ] || ! [[ $v =~ ^-?[0-9.e+]+$ ]]; then
        fail "figure $1 printed (got '$v')"
        return 1
    fi
    echo "$v"
}

for what in labels predictions reviews; do
    for f in ms ref_ms ratio cpu_ms ref_cpu_ms cpu_ratio peak_rss_mb \
             lock_wait_max_ms; do
        figure "scale_50000_import_${what}_$f" >/dev/null \
            && pass "scale_50000_import_${what}_$f"
    done
done
for f in generate_ms file_mb bytes_per_prediction \
         bytes_per_prediction_without_reviews \
         table_prediction_bytes_per_prediction \
         table_candidate_bytes_per_prediction; do
    figure "scale_50000_$f" >/dev/null && pass "scale_50000_$f"
done
grep -q '^scale read figures\|^scale_50000_read\|^scale_50000_first' "$out" \
    && pass "the read-side figures (or their stub) are printed" \
    || fail "the read-side figures (or their stub) are printed"

expect_eq "$(figure scale_50000_predictions)" 1250000 \
    "5 models x top-5 of 50,000 images"
n=$(figure scale_50000_reviews)
[ "${n:-0}" -gt 360000 ] && [ "${n:-0}" -lt 375000 ] \
    && pass "about 7.36 reviews per image ($n)" \
    || fail "about 7.36 reviews per image (got $n)"
b=$(figure scale_50000_bytes_per_prediction_without_reviews)
awk -v b="${b:-999}" 'BEGIN { exit !(b <= 40) }' \
    && pass "at most 40 bytes per stored prediction ($b)" \
    || fail "at most 40 bytes per stored prediction (got $b)"
rss=$(figure scale_50000_import_predictions_peak_rss_mb)
awk -v r="${rss:-999}" 'BEGIN { exit !(r < 200) }' \
    && pass "the predictions import stays under 200 MB ($rss MB)" \
    || fail "the predictions import stays under 200 MB (got $rss MB)"
finish
