#!/bin/bash
# test_export.sh - `relabel export` in its three formats against golden
# files made by hand from the fixtures, one reviewer's view, -o written
# atomically, and the round trip: export, import into a fresh project,
# export again - identical, for the long and the wide form. Timings in
# the long form: stored, exported, merged with stored ones by the rule of
# `relabel merge`, and long files of before the timing columns.
. "$(dirname "$0")/lib.sh"
need sqlite3

G=$FIX/golden
db=$TMP/p.db
rl_ok --db "$db" init || finish
rl_ok --db "$db" import labels "$FIX/labels.csv"
rl_ok --db "$db" import predictions "$FIX/predictions.csv"
rl_ok --db "$db" import reviews "$FIX/reviews.csv"
# Timings (image rows of first_shown, last_change, active_ms): one beside
# alice's flag on image 2, two of a timing only.
rl --db "$db" import reviews "$FIX/reviews_timing.csv"
expect_rc 0 "import of image rows holding timings"
expect_out "3 rows: 3 new, 0 changed" "each timing row counted new"
expect_out ", 3 timings" "the summary counts the timings stored"
expect_eq "$(q "$db" "SELECT group_concat(reviewer || ':' || first_shown || ':'
    || coalesce(last_change, '-') || ':' || active_ms, ' ') FROM (SELECT *
    FROM timing ORDER BY image, reviewer)")" \
    "bob:1767434340000:-:4200 alice:1767326340000:1767326401000:61000 alice:1767484799001:1767484802000:3000" \
    "the timings stored to the millisecond (no last_change: NULL)"
expect_eq "$(q "$db" "SELECT count(*) FROM flag")" 1 \
    "a row of a timing only invents no flag row"

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
expect_out "0 new, 0 changed, 0 empty (no label), 15 unchanged" "changes no verdict"
expect_out "stored: 0 verdicts, 0 roles, 0 main objects, 0 problematic flags, 0 notes" \
    "and the summary says no value of any kind was stored"
expect_out "0 added candidates, 0 timings" "nor any timing"
expect_eq "$(q "$db" 'SELECT count(*) FROM event')" "$before" "and logs nothing"

# A timing meeting a stored one merges as `relabel merge` merges: the
# earliest first look, the latest change, the longer attention (max,
# not sum). bob on image 1 has 09:59:00, no change, 4200 ms; this row has
# a later look, a change and less attention: only last_change moves. On
# alice's image 2 (03:59:00, 04:00:01, 61000) an earlier look, an earlier
# change and more attention: first_shown and active_ms move.
cat >"$TMP/t2.csv" <<'EOF'
image,wnid,state,reviewer,first_shown,last_change,active_ms
ILSVRC2012_val_00000001.JPEG,,,bob,2026-01-03T10:30:00.000Z,2026-01-03T10:31:00.000Z,100
ILSVRC2012_val_00000002.JPEG,,,alice,2026-01-02T03:00:00.000Z,2026-01-02T03:30:00.000Z,70000
ILSVRC2012_val_00000004.JPEG,,,alice,2026-01-02T03:00:00.000Z,,0
EOF
rl --db "$db" import reviews "$TMP/t2.csv"
expect_rc 0 "import of timings over stored ones"
expect_out "3 rows: 1 new, 2 changed, 0 empty (no label), 0 unchanged" \
    "two extend a stored timing, one is new"
expect_eq "$(q "$db" "SELECT group_concat(reviewer || ':' || first_shown || ':'
    || coalesce(last_change, '-') || ':' || active_ms, ' ') FROM (SELECT t.*
    FROM timing t JOIN image i ON i.id = t.image AND i.name LIKE 'ILSVRC%'
    ORDER BY i.name, reviewer)")" \
    "bob:1767434340000:1767436260000:4200 alice:1767322800000:1767326401000:70000 alice:1767322800000:-:0" \
    "merged: min first_shown, max last_change, max active_ms"
rl --db "$db" import reviews "$TMP/t2.csv"
expect_out "0 new, 0 changed, 0 empty (no label), 3 unchanged" "the same timings again: unchanged"
expect_out ", 0 timings" "and nothing stored"

# An adjudicator's main object settles the image's, as their verdicts
# settle states: alice and bob chose n01751748 (both classes correct), the
# adjudicator judge chose n01737021 - the consensus main is judge's, before
# and after a long round trip (the role rides on judge's verdict row).
cat >"$TMP/adj.csv" <<'EOF'
image,wnid,state,reviewer,role,main,updated_at
ILSVRC2012_val_00000001.JPEG,n01751748,correct,alice,,1,2026-01-05T00:00:00.000Z
ILSVRC2012_val_00000001.JPEG,n01737021,correct,alice,,,2026-01-05T00:00:01.000Z
ILSVRC2012_val_00000001.JPEG,n01751748,correct,bob,,1,2026-01-05T00:00:02.000Z
ILSVRC2012_val_00000001.JPEG,n01737021,correct,bob,,,2026-01-05T00:00:03.000Z
ILSVRC2012_val_00000001.JPEG,n01737021,correct,judge,adjudicator,1,2026-01-05T00:00:04.000Z
EOF
fresh adj
rl_ok --db "$TMP/adj.db" import predictions "$FIX/predictions.csv"
rl_ok --db "$TMP/adj.db" import reviews "$TMP/adj.csv"
rl_ok --db "$TMP/adj.db" export --format wide -o "$TMP/adjw1.csv"
expect_eq "$(grep '^ILSVRC2012_val_00000001' "$TMP/adjw1.csv" | cut -d, -f8)" n01737021 \
    "wide: the adjudicator's main object, not the two reviewers'"
rl_ok --db "$TMP/adj.db" export -o "$TMP/adjl.csv"
fresh adj2
rl_ok --db "$TMP/adj2.db" import predictions "$FIX/predictions.csv"
rl_ok --db "$TMP/adj2.db" import reviews "$TMP/adjl.csv"
rl_ok --db "$TMP/adj2.db" export --format wide -o "$TMP/adjw2.csv"
expect_same_file "$TMP/adjw1.csv" "$TMP/adjw2.csv" \
    "and after export long -> import -> export wide"

# A long file of before the timing columns (eleven columns) still imports.
cat >"$TMP/old.csv" <<'EOF'
image,wnid,state,reviewer,role,main,problematic,note,done,added_by,updated_at
ILSVRC2012_val_00000004.JPEG,n03126707,wrong,dave,reviewer,,,,,,2026-01-05T00:00:00.000Z
ILSVRC2012_val_00000004.JPEG,,,dave,,,1,"old, file",0,,2026-01-05T00:00:01.000Z
EOF
fresh old
rl --db "$TMP/old.db" import reviews "$TMP/old.csv"
expect_rc 0 "a long file without the timing columns imports"
expect_eq "$(q "$TMP/old.db" "SELECT (SELECT count(*) FROM review) || ' '
    || (SELECT note FROM flag) || ' ' || (SELECT count(*) FROM timing)")" \
    "1 old, file 0" "its verdict and flag stored, no timing"

finish
