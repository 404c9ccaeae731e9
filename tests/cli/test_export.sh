#!/bin/bash
# test_export.sh - `relabel export` in its three formats against golden
# files made by hand from the fixtures, one reviewer's view, -o written
# atomically, and the round trip: export, import into a fresh project,
# export again - identical, for the long and the wide form.
. "$(dirname "$0")/lib.sh"
need sqlite3

G=$FIX/golden
db=$TMP/p.db
rl_ok --db "$db" init || finish
rl_ok --db "$db" import labels "$FIX/labels.csv"
rl_ok --db "$db" import predictions "$FIX/predictions.csv"
rl_ok --db "$db" import reviews "$FIX/reviews.csv"

rl --db "$db" export
expect_rc 0 "export (long, to stdout)"
expect_same_file "$G/export_long.csv" "$OUT" \
    "long: every verdict by image, class index, reviewer; times kept"
[ -s "$ERR" ] && fail "export writes nothing to stderr" || pass "export: stderr empty"

rl --db "$db" export --format wide -o "$TMP/wide.csv"
expect_rc 0 "export --format wide -o FILE"
expect_same_file "$G/export_wide.csv" "$TMP/wide.csv" \
    "wide: majority per class, a tie is unclear"
[ -s "$OUT" ] && fail "-o FILE leaves stdout empty" || pass "-o FILE: stdout empty"
ls "$TMP"/wide.csv.tmp.* >/dev/null 2>&1 && fail "a temporary file was left beside the export" \
    || pass "no temporary file left beside the export"

rl --db "$db" export --format=wide --consensus reviewer:bob
expect_rc 0 "export --consensus reviewer:bob"
expect_same_file "$G/export_wide_bob.csv" "$OUT" "wide: only bob's verdicts"

# real-json is matched by image number: a name off the numbering is
# refused, nothing written. (test_export_json.sh covers the lists.)
rl --db "$db" export --format real-json --output "$TMP/real.json"
expect_rc 1 "export --format real-json with a name off the numbering"
expect_err "does not follow the numbering ILSVRC2012_val_%08d.JPEG; use --format wide, long or tfds-multilabel" \
    "real-json: the refusal points to the other formats"
[ -e "$TMP/real.json" ] && fail "real-json: nothing written" || pass "real-json: nothing written"

# Into a missing folder: an error naming the file. Over an existing file:
# replaced whole.
echo "old" >"$TMP/keep.csv"
rl --db "$db" export -o "$TMP/no/such/dir/x.csv"
expect_rc 1 "export into a missing folder"
expect_err "$TMP/no/such/dir/x.csv" "names the file it could not write"
rl --db "$db" export --format wide -o "$TMP/keep.csv" --consensus reviewer:bob
expect_rc 0 "export over an existing file"
expect_same_file "$G/export_wide_bob.csv" "$TMP/keep.csv" "replaces it whole"

# Export never writes to the project.
before=$(sha "$db")
rl --db "$db" export --format wide >/dev/null
expect_eq "$(sha "$db")" "$before" "export leaves the project byte-for-byte unchanged"

# ---- round trips -------------------------------------------------------

# fresh NAME: a new project with the catalog and the labels only.
fresh() {
    rl_ok --db "$TMP/$1.db" init && rl_ok --db "$TMP/$1.db" import labels "$FIX/labels.csv"
}

rl_ok --db "$db" export -o "$TMP/long1.csv"
fresh long
rl --db "$TMP/long.db" import reviews "$TMP/long1.csv"
expect_rc 0 "long export imports into a fresh project"
rl_ok --db "$TMP/long.db" export -o "$TMP/long2.csv"
expect_same_file "$TMP/long1.csv" "$TMP/long2.csv" "long round trip: identical"

# Give the wide form everything it carries: a main object, a flag.
rl_ok --db "$db" --reviewer carol import reviews "$FIX/reviews_wide.csv"
rl_ok --db "$db" export --format wide -o "$TMP/wide1.csv"
grep -q ',1,n01751748$' "$TMP/wide1.csv" && pass "(wide export carries a main object and a flag)" \
    || fail "wide export should carry carol's main object and flag"
fresh wide
rl --db "$TMP/wide.db" --reviewer consensus import reviews "$TMP/wide1.csv"
expect_rc 0 "wide export imports into a fresh project"
rl_ok --db "$TMP/wide.db" export --format wide -o "$TMP/wide2.csv"
expect_same_file "$TMP/wide1.csv" "$TMP/wide2.csv" "wide round trip: identical"
rl_ok --db "$db" export --format tfds-multilabel -o "$TMP/tfds1.json"
rl_ok --db "$TMP/wide.db" export --format tfds-multilabel -o "$TMP/tfds2.json"
# The wide form carries no notes: compare the label sets and who is
# problematic, not the reasons.
strip_reasons() { sed 's/"reason": "[^"]*", "reviewer": "[^"]*"/R/' "$1"; }
expect_eq "$(strip_reasons "$TMP/tfds1.json")" "$(strip_reasons "$TMP/tfds2.json")" \
    "and the TFDS JSON agrees (labels and problematic images)"

# Importing an export into the project it came from changes nothing.
before=$(q "$db" 'SELECT count(*) FROM event')
rl --db "$db" import reviews "$TMP/long1.csv"
expect_rc 0 "re-import of the long export"
expect_out "0 new, 0 changed, 0 empty (no label), 13 unchanged" "changes no verdict"
expect_out "stored: 0 verdicts, 0 roles, 0 main objects, 0 problematic flags, 0 notes" \
    "and the summary says no value of any kind was stored"
expect_eq "$(q "$db" 'SELECT count(*) FROM event')" "$before" "and logs nothing"

finish
