# test_eval_stream.sh - issue 16: `relabel eval` gives byte for byte the
# output it gave before it streamed, on the demo and on a seeded random
# project (gen_eval_project.awk: 400 images, three reviewers and an
# adjudicator, three models) whose predictions come shuffled, by model
# without a rank column, and reversed without a model column: every rule,
# consensus, format, the plot and the SVG, and the FILE:LINE message of bad
# rows placed late in a shuffled file. The goldens in
# tests/data/cli/golden/eval_stream/ were written by the code before the
# change (RL_REGEN=1 rewrites them).
. "$(dirname "$0")/lib.sh"

GOLD=$FIX/golden/eval_stream
G=$TMP/gen
mkdir -p "$G"
awk -v dir="$G" -v n=400 -f "$HERE/gen_eval_project.awk" \
    && pass "random project generated" || fail "generator"
DB=$TMP/p.db
rl_ok --db "$DB" init && rl_ok --db "$DB" import labels "$G/labels.csv" \
    && rl_ok --db "$DB" import reviews "$G/reviews.csv" && pass "project"
DEMO=$TMP/demo.db
rl_ok --db "$DEMO" init \
    && rl_ok --db "$DEMO" import labels "$RL_SRC/share/relabel/demo/labels.csv" \
    && pass "demo project"

# same NAME DB ARGS...: eval's stdout, stderr and exit status against the
# golden NAME.out / NAME.err / NAME.rc.
same() {
    local name=$1 db=$2
    shift 2
    rl --db "$db" eval "$@"
    sed "s|$TMP/|TMP/|g" "$ERR" >"$TMP/err"
    echo "$rc" >"$TMP/rc"
    if [ -n "${RL_REGEN:-}" ]; then
        mkdir -p "$GOLD"
        cp "$OUT" "$GOLD/$name.out"
        cp "$TMP/err" "$GOLD/$name.err"
        cp "$TMP/rc" "$GOLD/$name.rc"
    fi
    if cmp -s "$GOLD/$name.out" "$OUT" && cmp -s "$GOLD/$name.err" "$TMP/err" \
        && cmp -s "$GOLD/$name.rc" "$TMP/rc"; then
        pass "$name: as before"
    else
        fail "$name: output differs from before"
        diff -u "$GOLD/$name.out" "$OUT" | head -20 | sed 's/^/#   /'
        diff -u "$GOLD/$name.err" "$TMP/err" | head -5 | sed 's/^/#   /'
    fi
}

same demo_text "$DEMO" "$RL_SRC/share/relabel/demo/predictions.csv"
same demo_csv "$DEMO" "$RL_SRC/share/relabel/demo/predictions.csv" \
    --format csv
for rule in relabel shankar tfds; do
    same "shuffled_$rule" "$DB" "$G/shuffled.csv" --rule "$rule"
    same "shuffled_${rule}_csv" "$DB" "$G/shuffled.csv" --rule "$rule" \
        --format csv
done
same shuffled_json "$DB" "$G/shuffled.csv" --format json --rule tfds
same ordered "$DB" "$G/ordered.csv" --format csv
same two_files "$DB" "$G/ordered.csv" "$G/single.csv" --resamples 50
# The same model in two files: the second file's first row repeats it.
same cross_file_dup "$DB" "$G/ordered.csv" "$G/shuffled.csv" --format csv
same alice "$DB" "$G/shuffled.csv" --consensus reviewer:alice --format csv
same dawid_skene "$DB" "$G/shuffled.csv" --consensus dawid-skene:0.7 \
    --format json
same plot "$DB" "$G/shuffled.csv" "$G/single.csv" --plot --subset dog \
    --svg "$TMP/plot.svg" --seed 7
if [ -n "${RL_REGEN:-}" ]; then
    cp "$TMP/plot.svg" "$GOLD/plot.svg"
fi
expect_same_file "$GOLD/plot.svg" "$TMP/plot.svg" "the SVG as before"
same stdin "$DB" - --model piped --format csv <"$G/single.csv"

# Bad rows late in a shuffled file: the first one in file order is named.
awk 'NR == 5001 { print "r0003.JPEG,vit,1,999" } { print }' \
    "$G/shuffled.csv" >"$TMP/dup.csv"
same dup_rank "$DB" "$TMP/dup.csv"
awk 'NR == 6001 { print "nope.JPEG,vit,1,999" } { print }' \
    "$TMP/dup.csv" >"$TMP/dup_unknown.csv"
same dup_then_unknown "$DB" "$TMP/dup_unknown.csv"
awk 'NR == 3001 { print "nope.JPEG,vit,1,999" } { print }' \
    "$TMP/dup.csv" >"$TMP/unknown_dup.csv"
same unknown_then_dup "$DB" "$TMP/unknown_dup.csv"
awk 'NR == 4001 { split($0, f, ","); print f[1] "," f[2] "," f[3] }
     { print }' "$G/ordered.csv" >"$TMP/dup_class.csv"
same dup_class "$DB" "$TMP/dup_class.csv"
# A duplicate in the first file comes before the second file's absence;
# a pipe is read once, shuffled or not.
same dup_then_missing "$DB" "$TMP/dup.csv" "$TMP/missing.csv"
same stdin_shuffled "$DB" - --format csv <"$G/shuffled.csv"
same stdin_dup "$DB" - <"$TMP/unknown_dup.csv"
finish
