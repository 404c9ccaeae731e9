# test_export_json.sh - the JSON exports as other projects' code reads
# them: real-json by image number (--count, the empties counted on stderr,
# names off the numbering refused), read by timm's RealLabelsImagenet;
# tfds-multilabel read by TFDS's imagenet2012_multilabel builder and
# README recipe; label-studio checked against its labeling config and the
# long export. The readers are re-implemented from their documented
# behaviour in readers.py (standard library only). Every figure the
# readers print must equal relabel's own eval, and the hand computation.
. "$(dirname "$0")/lib.sh"
need python3

DB=$TMP/p.db
PY="python3 $RL_SRC/tests/cli/readers.py"
CLASSES=$RL_SRC/share/relabel/classes.tsv
# Images 1 2 (tench), 3 (Chihuahua), 5 (airliner), 6 (airship); no 4.
cat >"$TMP/labels.csv" <<'EOF'
image,wnid
ILSVRC2012_val_00000001.JPEG,n01440764
ILSVRC2012_val_00000002.JPEG,n01440764
ILSVRC2012_val_00000003.JPEG,n02085620
ILSVRC2012_val_00000005.JPEG,n02690373
ILSVRC2012_val_00000006.JPEG,n02692877
EOF
# 1: tench (0) correct, coho wrong. 2: great white shark (2) correct,
# goldfish wrong. 3: Chihuahua (151) correct; Japanese spaniel (152) a
# tie, so unclear. 5: airliner only unclear, flagged problematic by bob
# with a note holding a comma, quotes and a newline. 6: no verdict.
cat >"$TMP/reviews.csv" <<'EOF'
image,wnid,state,reviewer,problematic,note
ILSVRC2012_val_00000001.JPEG,n01440764,correct,alice,,
ILSVRC2012_val_00000001.JPEG,n01440764,correct,bob,,
ILSVRC2012_val_00000001.JPEG,n02536864,wrong,alice,,
ILSVRC2012_val_00000002.JPEG,n01484850,correct,alice,,
ILSVRC2012_val_00000002.JPEG,n01443537,wrong,bob,,
ILSVRC2012_val_00000003.JPEG,n02085620,correct,alice,,
ILSVRC2012_val_00000003.JPEG,n02085782,correct,alice,,
ILSVRC2012_val_00000003.JPEG,n02085782,wrong,bob,,
ILSVRC2012_val_00000005.JPEG,n02690373,unclear,bob,1,"a drawing, ""cartoon""
second line"
EOF
# m: 1 coho then tench; 2 shark; 3 Japanese spaniel then Chihuahua;
# 5 airliner; 6 airship. n: the original label everywhere.
cat >"$TMP/models.csv" <<'EOF'
image,model,rank,wnid
ILSVRC2012_val_00000001.JPEG,m,1,n02536864
ILSVRC2012_val_00000001.JPEG,m,2,n01440764
ILSVRC2012_val_00000002.JPEG,m,1,n01484850
ILSVRC2012_val_00000003.JPEG,m,1,n02085782
ILSVRC2012_val_00000003.JPEG,m,2,n02085620
ILSVRC2012_val_00000005.JPEG,m,1,n02690373
ILSVRC2012_val_00000006.JPEG,m,1,n02692877
ILSVRC2012_val_00000001.JPEG,n,1,n01440764
ILSVRC2012_val_00000002.JPEG,n,1,n01440764
ILSVRC2012_val_00000003.JPEG,n,1,n02085620
ILSVRC2012_val_00000005.JPEG,n,1,n02690373
ILSVRC2012_val_00000006.JPEG,n,1,n02692877
EOF
rl_ok --db "$DB" init && rl_ok --db "$DB" import labels "$TMP/labels.csv" \
    && rl_ok --db "$DB" import predictions "$TMP/models.csv" \
    && rl_ok --db "$DB" import reviews "$TMP/reviews.csv" && pass "project"

# ---- real-json ----------------------------------------------------------
# Lists 1..7: [0] [2] [151] (4 absent) [] (5: no correct class) (6: no
# verdict) (7 absent).
rl_ok --db "$DB" export --format real-json --count 7 -o "$TMP/real7.json"
expect_eq "$(cat "$TMP/real7.json")" "[[0], [2], [151], [], [], [], []]" \
    "real-json by image number, not by position"
expect_err "real-json: 4 of 7 lists written empty ([]): 2 images not in the project, 1 without a verdict, 1 with no class marked correct" \
    "stderr says how many lists are empty and why"
rl_ok --db "$DB" export --format real-json -o "$TMP/real.json"
expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), d[:3], sum(1 for x in d if x))' "$TMP/real.json")" \
    "50000 [[0], [2], [151]] 3" "50,000 lists by default, the validation set"
expect_err "49997 of 50000 lists written empty ([]): 49995 images not in the project" "... and says so"
rl --db "$DB" export --format real-json --count 5
expect_rc 1 "an image past --count is refused"
expect_err "is number 6, past --count 5" "... naming it"
rl --db "$DB" export --format wide --count 5
expect_rc 2 "--count belongs to real-json"

# timm on real-json (7 lists for 7 images): non-empty lists 1 2 3.
# m: top-1 2 (shark) only = 1/3; top-5 adds 1 and 3 = 3/3.
# n: 1 and 3 = 2/3 both.
$PY timm "$CLASSES" "$TMP/models.csv" "$TMP/real7.json" 7 >"$TMP/timm.txt" 2>&1
expect_eq "$(cat "$TMP/timm.txt")" "m 0.333333 1.000000
n 0.666667 0.666667" "timm's RealLabelsImagenet reads real-json: ReaL top-1 and top-5"
# relabel's own eval counts the same images (5 is problematic and has no
# correct class either way): multilabel and top5_multilabel match timm.
rl_ok --db "$DB" eval "$TMP/models.csv" --format csv --resamples 0
expect_eq "$(awk -F, '$2 == "all" { print $1, $7, $9 }' "$OUT")" "m 0.333333 1.000000
n 0.666667 0.666667" "relabel eval gives timm's figures (multilabel, top5_multilabel)"

# ---- tfds-multilabel ---------------------------------------------------------
rl_ok --db "$DB" export --format tfds-multilabel -o "$TMP/tfds.json"
want='{"initial_annots": {
  "ILSVRC2012_val_00000001.JPEG": {"correct": ["n01440764"], "wrong": ["n02536864"]},
  "ILSVRC2012_val_00000002.JPEG": {"correct": ["n01484850"], "wrong": ["n01443537"]},
  "ILSVRC2012_val_00000003.JPEG": {"correct": ["n02085620"], "unclear": ["n02085782"]},
  "ILSVRC2012_val_00000005.JPEG": {"unclear": ["n02690373"]}
 },
 "problematic_images": {
  "ILSVRC2012_val_00000005.JPEG": {"reason": "a drawing, \"cartoon\"\nsecond line", "reviewer": "bob"}
 },
 "imagenet_m": []
}'
expect_eq "$(cat "$TMP/tfds.json")" "$want" \
    "tfds: initial_annots (missing keys for empty lists), reasons from the notes"
# TFDS's recipe: 5 problematic, 6 not annotated. m: 1 coho miss, 2 shark
# hit, 3 Japanese spaniel unclear = hit: micro 2/3; per class tench 1/2,
# Chihuahua 1/1 = 0.75. n: 1 hit, 2 tench miss, 3 hit: the same.
$PY tfds "$CLASSES" "$TMP/labels.csv" "$TMP/models.csv" "$TMP/tfds.json" >"$TMP/tfds.txt" 2>&1
expect_eq "$(cat "$TMP/tfds.txt")" "m 0.666667 0.750000
n 0.666667 0.750000" "TFDS's builder and README recipe read the export"
rl_ok --db "$DB" eval "$TMP/models.csv" --format csv --resamples 0 --rule tfds
expect_eq "$(awk -F, '$2 == "all" { print $1, $7, $10 }' "$OUT")" "m 0.666667 0.750000
n 0.666667 0.750000" "relabel eval --rule tfds gives the same micro and per-class figures"
# One reviewer: bob's labels; he flagged 5, and 2's shark is not his.
rl_ok --db "$DB" export --format tfds-multilabel --consensus reviewer:bob
expect_out '"ILSVRC2012_val_00000002.JPEG": {"wrong": ["n01443537"]},' \
    "tfds --consensus reviewer:bob: only bob's verdicts"
rl_ok --db "$DB" export --format tfds-multilabel --consensus dawid-skene:0.9
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" \
    && pass "tfds --consensus dawid-skene:0.9 writes valid JSON" \
    || fail "tfds with dawid-skene"

# ---- label-studio ---------------------------------------------------------
# bob spent 12.345 active seconds on image 5 (the review screen's timing).
need sqlite3
sqlite3 "$DB" "INSERT INTO timing(image, reviewer, first_shown, active_ms)
    SELECT id, 'bob', 0, 12345 FROM image WHERE name = 'ILSVRC2012_val_00000005.JPEG'"
rl_ok --db "$DB" export --format label-studio -o "$TMP/ls.json"
rl_ok --db "$DB" export -o "$TMP/long.csv"
$PY labelstudio "$CLASSES" "$RL_SRC/share/relabel/labelstudio.xml" "$TMP/ls.json" \
    "$TMP/long.csv" >"$TMP/ls.txt" 2>&1
expect_eq "$(cat "$TMP/ls.txt")" "ok 5 tasks" \
    "label-studio: fits its config, every stored verdict in its reviewer's annotation"
expect_eq "$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))[3]
a = [x for x in t["annotations"] if x["relabel_reviewer"] == "bob"][0]
r = {x["from_name"]: x["value"] for x in a["result"]}
g = [x for x in t["annotations"] if x["ground_truth"]][0]
print(t["data"]["name"], sorted(p["model_version"] for p in t["predictions"]),
      a["completed_by"], a["lead_time"], r["problematic"], r["note"]["text"],
      r["unclear"], g["relabel_reviewer"], len(g["result"]))' "$TMP/ls.json")" \
    "ILSVRC2012_val_00000005.JPEG ['m', 'n'] 2 12.345 {'choices': ['problematic']} ['a drawing, \"cartoon\"\\nsecond line'] {'choices': ['n02690373']} consensus 2" \
    "label-studio: predictions per model, bob's lead time, flag, note and verdict, the consensus"
rl --db "$DB" export --format label-studio --consensus loudest
expect_rc 2 "a bad consensus is a usage error"
rl --db "$DB" export --format long --consensus dawid-skene
expect_rc 2 "long (every reviewer's own rows) refuses dawid-skene"
expect_err "combined by no rule" "and says why"
rl --db "$DB" export --format long --consensus majority
expect_rc 2 "long refuses majority named (not ignored, as it was)"
expect_err "combined by no rule" "and says why"
finish
