#!/bin/bash
# test_import.sh - `relabel import` on the small fixtures in
# tests/data/cli: each kind on good input (counts printed and stored),
# --dry-run, re-import, and every bad file: exit 1, "relabel:
# FILE:LINE: field: what" first on stderr, and the project byte-for-byte
# unchanged (nothing from the file stored: one transaction).
. "$(dirname "$0")/lib.sh"
need sqlite3

db=$TMP/p.db
rl_ok --db "$db" init || finish

# ---- good input ------------------------------------------------------

F=$FIX/labels.csv
before=$(sha "$db")
rl --db "$db" import labels "$F" --dry-run
expect_rc 0 "labels --dry-run"
expect_out "dry run, nothing stored: $F: 5 rows: 5 new, 0 changed, 0 empty (no label), 0 unchanged" \
    "dry run reports what it would do"
expect_eq "$(sha "$db")" "$before" "dry run leaves the project byte-for-byte unchanged"
expect_eq "$(q "$db" 'SELECT count(*) FROM image')" 0 "dry run stored no image"

rl --db "$db" import labels "$F"
expect_rc 0 "import labels"
expect_out "$F: 5 rows: 5 new, 0 changed, 0 empty (no label), 0 unchanged" "labels: 5 new"
expect_eq "$(q "$db" 'SELECT count(*) FROM image')" 5 "5 images stored"
expect_eq "$(q "$db" 'SELECT count(*) FROM candidate')" 5 "each original label is a candidate"
expect_eq "$(q "$db" "SELECT c.wnid FROM image i JOIN class c ON c.id = i.label WHERE i.name = 'ILSVRC2012_val_00000003.JPEG'")" \
    n02085620 "class index 151 stored as its wnid"
expect_eq "$(q "$db" "SELECT count(*) FROM image WHERE name = 'odd, \"name\".JPEG'")" 1 \
    "a quoted name with a comma and quotes is stored unquoted"
rl --db "$db" import labels "$F"
expect_out "$F: 5 rows: 0 new, 0 changed, 0 empty (no label), 5 unchanged" "labels again: 5 unchanged"
# A dataset tag on the same labels is stored (eval's dataset:TAG subsets).
sqlite3 -csv -header "$db" "SELECT i.name AS image, c.wnid AS wnid FROM image i
    JOIN class c ON c.id = i.label ORDER BY i.name" >"$TMP/labels_notag.csv"
F=$TMP/labels_notag.csv
rl --db "$db" import labels "$F" --dataset v2
expect_rc 0 "labels again with --dataset v2"
expect_out "$F: 5 rows: 0 new, 5 changed, 0 empty (no label), 0 unchanged" \
    "the tag changes all 5 rows"
expect_eq "$(q "$db" "SELECT count(*) FROM image WHERE dataset = 'v2'")" 5 \
    "the tag is stored although every label is the same"
rl --db "$db" import labels "$F" --dataset v2
expect_out "$F: 5 rows: 0 new, 0 changed, 0 empty (no label), 5 unchanged" \
    "the same tag again: unchanged"

F=$FIX/predictions.csv
rl --db "$db" import predictions "$F"
expect_rc 0 "import predictions"
expect_out "$F: 9 rows: 9 new" "predictions: 9 new"
expect_eq "$(q "$db" 'SELECT count(*) FROM prediction')" 9 "9 predictions stored"
expect_eq "$(q "$db" 'SELECT group_concat(name) FROM (SELECT name FROM model ORDER BY name)')" \
    "resnet50,vit_b_16" "two models"
expect_eq "$(q "$db" 'SELECT count(*) FROM candidate')" 10 \
    "candidates: unique classes per image plus the original labels"

F=$FIX/reviews.csv
rl --db "$db" import reviews "$F"
expect_rc 0 "import reviews (long form)"
expect_out "$F: 12 rows: 12 new, 0 changed, 0 empty (no label), 0 unchanged" "reviews: 12 new"
expect_eq "$(q "$db" 'SELECT count(*) FROM review')" 12 "12 verdicts stored"
expect_eq "$(q "$db" "SELECT count(*) FROM candidate WHERE added_by = 'alice'")" 1 \
    "a class no model proposed became a candidate added by its reviewer"
expect_eq "$(q "$db" "SELECT note FROM flag WHERE reviewer = 'alice' AND note <> ''")" \
    "foggy, maybe a valley" "quoted note stored"
expect_eq "$(q "$db" "SELECT count(*) FROM step WHERE kind = 'import'")" 2 \
    "one import step per reviewer in the event log"
expect_eq "$(q "$db" 'SELECT count(*) FROM event')" 15 \
    "12 verdicts, 1 flag, 1 note and 1 added candidate logged as events"
rl --db "$db" import reviews "$F"
expect_out "$F: 12 rows: 0 new, 0 changed, 0 empty (no label), 12 unchanged" "reviews again: 12 unchanged"
expect_eq "$(q "$db" 'SELECT count(*) FROM event')" 15 "and nothing new logged"

F=$FIX/reviews_wide.csv
rl --db "$db" --reviewer carol import reviews "$F"
expect_rc 0 "import reviews (wide form) as carol"
expect_out "$F: 2 rows: 2 new" "wide: 2 rows, each new"
expect_eq "$(q "$db" "SELECT c.wnid FROM flag f JOIN class c ON c.id = f.main JOIN image i ON i.id = f.image WHERE f.reviewer = 'carol' AND i.name = 'ILSVRC2012_val_00000003.JPEG'")" \
    n02085620 "wide: main object stored"
expect_eq "$(q "$db" "SELECT count(*) FROM flag WHERE reviewer = 'carol' AND problematic")" 1 \
    "wide: problematic flag stored"

printf 'image,wnid\nILSVRC2012_val_00000004.JPEG,n03126707\nILSVRC2012_val_00000004.JPEG,n02012849\n' \
    >"$TMP/dan.csv"
rl --db "$db" --reviewer dan import reviews "$TMP/dan.csv"
expect_rc 1 "a file without a state column needs --state"
expect_err_first "relabel: $TMP/dan.csv:1: state: no 'state' column" \
    "and says so with FILE:LINE: field"
rl --db "$db" --reviewer dan import reviews "$TMP/dan.csv" --state wrong
expect_rc 0 "--state wrong for a plain list"
expect_eq "$(q "$db" "SELECT count(*) FROM review WHERE reviewer = 'dan' AND state = 'wrong'")" 2 \
    "stored as dan's Wrong verdicts"
rl --db "$db" --reviewer dan import reviews "$TMP/dan.csv" --state maybe
expect_rc 1 "--state with a bad value"
expect_err "--state" "names the option"

# Images: a folder (wnid folders label), and a CSV of paths.
mkdir -p "$TMP/pics/n01443537" "$TMP/pics/misc"
: >"$TMP/pics/n01443537/goldie.JPEG"
: >"$TMP/pics/misc/ILSVRC2012_val_00000001.JPEG"
: >"$TMP/pics/misc/readme.txt"
rl --db "$db" import images "$TMP/pics"
expect_rc 0 "import a folder of images"
expect_out "2 rows" "two JPEGs found, the .txt ignored"
expect_eq "$(q "$db" "SELECT c.wnid FROM image i JOIN class c ON c.id = i.label WHERE i.name = 'goldie.JPEG'")" \
    n01443537 "a wnid folder labels its images"
expect_eq "$(q "$db" "SELECT path FROM image WHERE name = 'ILSVRC2012_val_00000001.JPEG'")" \
    "$(cd "$TMP" && pwd -P)/pics/misc/ILSVRC2012_val_00000001.JPEG" \
    "an existing image gets its file's absolute path"
printf 'image,path\nILSVRC2012_val_00000002.JPEG,pics/misc/readme.txt\n' >"$TMP/paths.csv"
rl --db "$db" import images "$TMP/paths.csv"
expect_rc 0 "import images from a CSV of relative paths"
expect_eq "$(q "$db" "SELECT path FROM image WHERE name = 'ILSVRC2012_val_00000002.JPEG'")" \
    "$(cd "$TMP" && pwd -P)/pics/misc/readme.txt" "paths are relative to the CSV's folder"

# Stats agree with the database.
rl --db "$db" stats
expect_rc 0 "stats"
for pair in "images:SELECT count(*) FROM image" \
            "predictions:SELECT count(*) FROM prediction" \
            "candidates:SELECT count(*) FROM candidate" \
            "events logged:SELECT count(*) FROM event"; do
    label=${pair%%:*}
    n=$(q "$db" "${pair#*:}")
    grep -qE "^$label +$n( |$)" "$OUT" && pass "stats: $label $n" \
        || { fail "stats: $label should be $n"; show; }
done
grep -qE '^alice +3 +8 ' "$OUT" && pass "stats: alice 3 images, 8 verdicts" \
    || { fail "stats: alice line"; show; }

# ---- bad input: nothing stored -------------------------------------

# bad KIND FILE EXPECTED [ARGS...]: the import fails, stderr starts with
# "relabel: FILE" + EXPECTED, and the project is unchanged.
bad() {
    local kind=$1 f=$2 want=$3 before reviews images
    shift 3
    before=$(sha "$db")
    reviews=$(q "$db" 'SELECT count(*) FROM review')
    images=$(q "$db" 'SELECT count(*) FROM image')
    rl --db "$db" "$@" import "$kind" "$f"
    expect_rc 1 "$(basename "$f")"
    expect_err_first "relabel: $f$want" "$(basename "$f"): $want"
    expect_err "relabel: nothing from $f was stored" "$(basename "$f"): says nothing was stored"
    expect_eq "$(sha "$db")" "$before" "$(basename "$f"): project byte-for-byte unchanged"
    expect_eq "$(q "$db" 'SELECT count(*) FROM review')/$(q "$db" 'SELECT count(*) FROM image')" \
        "$reviews/$images" "$(basename "$f"): review and image counts unchanged"
}

bad labels "$FIX/bad_labels_unknown_class.csv" ":3: wnid: unknown class 'n99999999'"
bad labels "$FIX/bad_labels_node.csv" ":3: wnid: 'n02084071' is a hierarchy node"
bad labels "$FIX/bad_labels_duplicate.csv" ":4: image: duplicate key (first on line 2)"
bad labels "$FIX/bad_labels_columns.csv" ":3: expected 2 fields, found 3"
bad labels "$FIX/bad_labels_utf8.csv" ":3: column image: not valid UTF-8"
bad labels "$FIX/bad_labels_header.csv" ":1: missing column 'wnid'"
bad predictions "$FIX/bad_predictions_unknown_image.csv" \
    ":3: image: unknown image 'ILSVRC2012_val_00009999.JPEG'"
bad predictions "$FIX/bad_predictions_rank.csv" \
    ":3: rank: expected a whole number from 1, found 'first'"
bad predictions "$FIX/bad_predictions_duplicate.csv" \
    ":4: wnid: duplicate key (first on line 2)"
bad reviews "$FIX/bad_reviews_state.csv" \
    ":3: state: expected correct, wrong, unclear or dont_know, found 'probably'"
bad reviews "$FIX/bad_reviews_unknown_image.csv" \
    ":3: image: unknown image 'ILSVRC2012_val_00009999.JPEG'"
bad reviews "$FIX/bad_reviews_unknown_class.csv" ":3: wnid: unknown class '1000'"
bad reviews "$FIX/bad_reviews_duplicate.csv" \
    ":4: wnid: duplicate key: ILSVRC2012_val_00000003.JPEG has a verdict on n02085620"
bad reviews "$FIX/bad_reviews_columns.csv" ":3: expected 4 fields, found 3"
bad reviews "$FIX/bad_reviews_utf8.csv" ":3: column note: not valid UTF-8"
bad reviews "$FIX/bad_reviews_time.csv" ":3: updated_at: expected a time"
bad reviews "$FIX/bad_reviews_wide.csv" ":3: wrong: duplicate key" --reviewer erin
printf 'image,path\nnew_x.JPEG,pics/misc/readme.txt\nnew_y.JPEG,pics/none.jpg\n' >"$TMP/badpaths.csv"
bad images "$TMP/badpaths.csv" ":3: path: "
expect_err "none.jpg: No such file or directory" "badpaths.csv: names the missing file"

# Unreadable input.
bad labels "$TMP/missing.csv" ": No such file or directory"
bad labels "$FIX" ": Is a directory"
if [ "$(id -u)" != 0 ]; then
    cp "$FIX/labels.csv" "$TMP/locked.csv"
    chmod 000 "$TMP/locked.csv"
    bad labels "$TMP/locked.csv" ": Permission denied"
else
    echo "# SKIP unreadable-file check: running as root"
fi

# A bad file with --dry-run fails the same way.
rl --db "$db" import labels "$FIX/bad_labels_duplicate.csv" --dry-run
expect_rc 1 "--dry-run of a bad file exits 1"
expect_err_first "relabel: $FIX/bad_labels_duplicate.csv:4: image: duplicate key" \
    "--dry-run reports the same error"

finish
