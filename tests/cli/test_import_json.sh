# test_import_json.sh - `import reviews FILE.json`: TFDS's
# human_accuracy JSON and a Label Studio export read back through the same
# writer as a CSV import. Round trips: tfds export -> fresh project ->
# tfds export identical; label-studio export -> fresh project -> the
# label-studio and wide exports identical, the long export identical but
# for each verdict's time (Label Studio keeps one time per annotation);
# timings through lead_time and relabel_first_shown/_last_change, and from
# a Label Studio export made elsewhere (created_at, lead_time).
# Bad input: FILE:LINE: field: what, exit 1, nothing stored.
. "$(dirname "$0")/lib.sh"
need sqlite3

q() { sqlite3 "$1" "$2"; }
db=$TMP/p.db
rl_ok --db "$db" init && rl_ok --db "$db" import labels "$FIX/labels.csv" \
    && rl_ok --db "$db" import predictions "$FIX/predictions.csv" \
    && rl_ok --db "$db" import reviews "$FIX/reviews.csv" && pass "project"
fresh() {  # NAME: a new project with the same labels and predictions
    rl_ok --db "$TMP/$1.db" init
    rl_ok --db "$TMP/$1.db" import labels "$FIX/labels.csv"
    rl_ok --db "$TMP/$1.db" import predictions "$FIX/predictions.csv"
}

# ---- TFDS -------------------------------------------------------------------
# One reviewer's marks export and re-import as that reviewer unchanged.
rl_ok --db "$db" export --format tfds-multilabel --consensus reviewer:alice \
    -o "$TMP/alice.json"
fresh tfds
rl_ok --db "$TMP/tfds.db" --reviewer alice import reviews "$TMP/alice.json"
expect_out "alice.json: " "tfds import summary names the JSON file"
rl_ok --db "$TMP/tfds.db" export --format tfds-multilabel -o "$TMP/alice2.json"
expect_same_file "$TMP/alice.json" "$TMP/alice2.json" \
    "tfds round trip: identical, problematic reason (the note) included"
expect_eq "$(q "$TMP/tfds.db" "SELECT note FROM flag WHERE problematic")" \
    "foggy, maybe a valley" "the reason is stored as the note"
expect_eq "$(q "$TMP/tfds.db" "SELECT what FROM step WHERE kind = 'import' AND reviewer = 'alice'")" \
    "import alice.json.csv" "logged as an import under the file's name"

# ---- Label Studio -----------------------------------------------------------
# With timings (one beside alice's flag, bob's alone on image 1, alice's
# without a change): lead_time and relabel_first_shown/_last_change.
rl_ok --db "$db" import reviews "$FIX/reviews_timing.csv"
rl_ok --db "$db" export --format label-studio -o "$TMP/ls.json"
fresh ls
rl_ok --db "$TMP/ls.db" import reviews "$TMP/ls.json"
rl_ok --db "$TMP/ls.db" export --format label-studio -o "$TMP/ls2.json"
expect_same_file "$TMP/ls.json" "$TMP/ls2.json" "label-studio round trip: identical"
rl_ok --db "$db" export --format wide -o "$TMP/a.csv"
rl_ok --db "$TMP/ls.db" export --format wide -o "$TMP/b.csv"
expect_same_file "$TMP/a.csv" "$TMP/b.csv" "label-studio round trip: the wide export agrees"
rl_ok --db "$db" export -o "$TMP/long1.csv"
rl_ok --db "$TMP/ls.db" export -o "$TMP/long2.csv"
expect_eq "$(cut -d, -f1-4 "$TMP/long2.csv")" "$(cut -d, -f1-4 "$TMP/long1.csv")" \
    "label-studio round trip: every verdict of every reviewer"
expect_eq "$(q "$TMP/ls.db" "SELECT reviewer || ':' || problematic || ':' || note FROM flag WHERE problematic")" \
    "alice:1:foggy, maybe a valley" "the flag and the note come back"
timings() { q "$1" "SELECT group_concat(i.name || ':' || t.reviewer || ':' || t.first_shown
    || ':' || coalesce(t.last_change, '-') || ':' || t.active_ms, ' ') FROM (SELECT * FROM
    timing ORDER BY image, reviewer) t JOIN image i ON i.id = t.image"; }
expect_eq "$(timings "$TMP/ls.db")" "$(timings "$db")" \
    "label-studio round trip: every timing, to the millisecond"
expect_eq "$(q "$TMP/ls.db" "SELECT count(*) FROM flag")" 1 \
    "and bob's timing alone (an annotation with no result) makes no flag"

# A Label Studio export made by Label Studio: lead_time in seconds, no
# relabel_ keys; created_at stands for the first look.
I2=ILSVRC2012_val_00000002.JPEG
cat >"$TMP/native.json" <<EOF
[{"id": 7, "data": {"image": "/data/upload/1/$I2"},
  "annotations": [{"id": 9, "completed_by": 3, "was_cancelled": false,
   "ground_truth": false, "created_at": "2021-03-09T22:16:08.728353Z",
   "updated_at": "2021-03-09T22:16:09.000000Z", "lead_time": 4.288,
   "result": [{"from_name": "correct", "to_name": "image",
    "type": "choices", "value": {"choices": ["n09193705"]}}]}]}]
EOF
fresh native
rl --db "$TMP/native.db" import reviews "$TMP/native.json"
expect_rc 0 "a Label Studio export made elsewhere imports"
expect_out ", 1 timings" "its annotation's timing is counted"
expect_eq "$(timings "$TMP/native.db")" "$I2:ls:3:1615328168728:-:4288" \
    "lead_time 4.288 s -> 4288 ms, first look at created_at (to the ms)"

# ---- bad input -------------------------------------------------------------
fresh bad
before=$(q "$TMP/bad.db" "SELECT count(*) FROM review")
badjson() {  # JSON EXPECTED-STDERR-AFTER-FILE WHAT
    printf '%b' "$1" >"$TMP/bad.json"
    rl --db "$TMP/bad.db" import reviews "$TMP/bad.json"
    expect_rc 1 "$3"
    expect_err_first "relabel: $TMP/bad.json:$2" "$3: FILE:LINE: field"
    expect_eq "$(q "$TMP/bad.db" "SELECT count(*) FROM review")" "$before" "$3: nothing stored"
}
I1=ILSVRC2012_val_00000001.JPEG
badjson '{"initial_annots": {\n "'$I1'": {"correct": ["n01751748"]}' \
    "2: expected ',' or '}'" "truncated JSON"
badjson '{"initial_annots": {\n "nope.JPEG": {}}}' \
    "2: image: unknown image 'nope.JPEG'" "unknown image"
badjson '{"initial_annots": {"'$I1'": {\n"correct": ["n01751748",\n "n99999999"]}}}' \
    "3: correct: unknown class 'n99999999'" "unknown class"
badjson '{"initial_annots": {"'$I1'": {"correct": ["n01751748"],\n "wrong": ["n01751748"]}}}' \
    "2: wrong: duplicate: this reviewer's verdict on the class is at line 1 already 'n01751748'" \
    "a class twice"
badjson '{"initial_annots": {"'$I1'": {\n"maybe": []}}}' \
    "2: state: expected correct, wrong or unclear, found 'maybe'" "unknown state"
badjson '[{"data": {"image": "x/'$I1'"}, "annotations": [\n {"result": []}]}]' \
    "2: completed_by: no reviewer" "label-studio annotation without a reviewer"
badjson '{"tasks": []}' "1: format: neither TFDS" "neither format"
badjson '[{"data": {"image": "x/'$I1'"}, "annotations": [\n {"completed_by": 1, "result": [],\n "relabel_first_shown": "2026-01-01T00:00:00Z", "lead_time": -3}]}]' \
    "2: lead_time: expected seconds (0 or more)" "label-studio: a negative lead_time"
badjson '[{"data": {"image": "x/'$I1'"}, "annotations": [\n {"completed_by": 1, "result": [],\n "created_at": "yesterday"}]}]' \
    "2: created_at: expected a time 'yesterday'" "label-studio: created_at not a time"
rl --db "$TMP/bad.db" import reviews "$TMP/ls.json" --format yaml
expect_rc 2 "--format: tfds-multilabel or label-studio"
finish
