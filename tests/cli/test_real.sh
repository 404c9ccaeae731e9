#!/bin/bash
# test_real.sh - the full ImageNet-ReaL data through the binary: the
# 50,000 original labels, ReaL's 184,962 rated proposals as predictions,
# ReaL's labels as Correct and the rejected proposals as Wrong verdicts of
# reviewer "real". The real-json export must equal the label sets of
# real_labels.csv; then the long and wide round trips through fresh
# projects must be identical. Skipped when ../shared/data is absent.
# Takes about 15 s on an idle Debug build (three 210,000-verdict imports
# dominate); RL_SKIP_LARGE=1 skips it.
. "$(dirname "$0")/lib.sh"
[ "${RL_SKIP_LARGE:-0}" = 1 ] && skip_all "RL_SKIP_LARGE=1"
D=$RL_SHARED_DATA
for f in val_labels.csv real_labels.csv real_proposals.csv; do
    [ -r "$D/$f" ] || skip_all "$D/$f not found (shared data absent)"
done
need sqlite3
need python3
need awk

t0=$(date +%s%N)
db=$TMP/real.db
rl_ok --db "$db" init || finish

rl --db "$db" import labels "$D/val_labels.csv" --dataset val
expect_rc 0 "import the 50,000 original labels"
expect_out "50000 rows: 50000 new" "50,000 images created"

rl --db "$db" import predictions "$D/real_proposals.csv"
expect_rc 0 "import ReaL's proposals as predictions"
expect_out "184962 rows: 184962 new" "184,962 predictions"

# Verdicts from the data: ReaL labels are Correct, rejected proposals Wrong.
n_rows=$(($(wc -l <"$D/real_labels.csv") - 1))
n_correct=$(awk -F, 'NR > 1 && $2 != ""' "$D/real_labels.csv" | wc -l)
awk -F, 'NR == 1 { print "image,wnid"; next } $7 == 0 { print $1 "," $2 }' \
    "$D/real_proposals.csv" >"$TMP/wrong.csv"
n_wrong=$(($(wc -l <"$TMP/wrong.csv") - 1))
echo "# real_labels.csv: $n_rows rows, $n_correct labels; $n_wrong rejected proposals"

rl --db "$db" --reviewer real import reviews "$D/real_labels.csv" --state correct
expect_rc 0 "import ReaL labels as Correct"
expect_out "$n_rows rows: $n_correct new, 0 changed, $((n_rows - n_correct)) empty (no label), 0 unchanged" \
    "one Correct verdict per ReaL label; every row in one bucket"
rl --db "$db" --reviewer real import reviews "$TMP/wrong.csv" --state wrong
expect_rc 0 "import rejected proposals as Wrong"
expect_out "$n_wrong rows: $n_wrong new" "one Wrong verdict per rejected proposal"

expect_eq "$(q "$db" 'SELECT count(*) FROM image')" 50000 "50,000 images"
expect_eq "$(q "$db" 'SELECT count(*) FROM prediction')" 184962 "184,962 predictions"
expect_eq "$(q "$db" 'SELECT count(*) FROM candidate')" 210073 \
    "210,073 candidates (proposals plus the originals of unrated images)"
expect_eq "$(q "$db" 'SELECT count(*) FROM candidate WHERE added_by IS NOT NULL')" 0 \
    "every ReaL label was already a candidate"
expect_eq "$(q "$db" 'SELECT count(*) FROM review')" $((n_correct + n_wrong)) \
    "verdicts stored: Correct plus Wrong"
rl --db "$db" stats
expect_out "unreviewed           0" "stats: every candidate has a verdict"

# The real-json export equals the label sets of real_labels.csv.
rl_ok --db "$db" export --format real-json -o "$TMP/real.json"
python3 - "$RL_SRC/share/relabel/classes.tsv" "$D/real_labels.csv" \
    "$TMP/real.json" >"$TMP/cmp.txt" <<'EOF'
import csv, json, sys
classes, labels, export = sys.argv[1:4]
with open(classes) as f:
    idx = {r["wnid"]: int(r["index"]) for r in csv.DictReader(f, delimiter="\t")}
sets = {}
with open(labels) as f:
    for r in csv.DictReader(f):
        s = sets.setdefault(r["image"], [])
        if r["wnid"]:
            s.append(idx[r["wnid"]])
want = [sorted(sets[name]) for name in sorted(sets)]
with open(export) as f:
    got = json.load(f)
bad = [i for i in range(min(len(got), len(want))) if got[i] != want[i]]
print(f"images {len(got)} of {len(want)}; {len(bad)} differ")
for i in bad[:5]:
    print(f"  #{i}: got {got[i]}, want {want[i]}")
sys.exit(0 if len(got) == len(want) and not bad else 1)
EOF
if [ $? = 0 ]; then
    pass "real-json export equals ReaL's label sets ($(head -1 "$TMP/cmp.txt"))"
else
    fail "real-json export differs from ReaL's label sets"
    sed 's/^/#   /' "$TMP/cmp.txt"
fi

# Round trips through fresh projects holding only the original labels:
# export, import, export again. The long and the wide one are independent
# and run side by side to keep the test short.
rl_ok --db "$db" export -o "$TMP/long1.csv"
rl_ok --db "$db" export --format wide -o "$TMP/wide1.csv"
round_trip() {  # NAME FORMAT [GLOBAL OPTIONS]: log in $TMP/NAME.log
    local name=$1 fmt=$2 p=$TMP/$1.db
    shift 2
    {
        "$RELABEL" --db "$p" init &&
        "$RELABEL" --db "$p" import labels "$D/val_labels.csv" --dataset val &&
        "$RELABEL" --db "$p" "$@" import reviews "$TMP/${name}1.csv" &&
        "$RELABEL" --db "$p" export --format "$fmt" -o "$TMP/${name}2.csv" &&
        "$RELABEL" --db "$p" export --format real-json -o "$TMP/${name}.json"
    } >"$TMP/$name.log" 2>&1
}
round_trip long long &
pid_long=$!
round_trip wide wide --reviewer real &
pid_wide=$!
for name in long wide; do
    pid_var=pid_$name
    if wait "${!pid_var}"; then
        pass "$name export imports into a fresh project and exports again"
    else
        fail "$name round trip: a command failed"
        sed 's/^/#   /' "$TMP/$name.log"
    fi
done
expect_same_file "$TMP/long1.csv" "$TMP/long2.csv" \
    "long round trip: identical ($(($(wc -l <"$TMP/long1.csv") - 1)) verdicts)"
expect_same_file "$TMP/wide1.csv" "$TMP/wide2.csv" \
    "wide round trip: identical ($(($(wc -l <"$TMP/wide1.csv") - 1)) images)"
expect_same_file "$TMP/real.json" "$TMP/long.json" \
    "the long round trip gives the same real-json"
expect_same_file "$TMP/real.json" "$TMP/wide.json" \
    "the wide round trip gives the same real-json"

t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
printf '# took %d.%01d s\n' $((ms / 1000)) $((ms % 1000 / 100))
finish
