# test_eval.sh - `relabel eval`, `disagreements`, `stats --agreement` and
# `dawid-skene` on a four-image project checked by hand: the CSV output
# exactly, JSON that parses, the plot and SVG, every consensus rule, an
# adjudicator's verdict overriding the rule, and bad rows reported as
# FILE:LINE: field: what with exit status 1.
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
cat >"$TMP/labels.csv" <<'EOF'
image,wnid,dataset
i1.JPEG,151,val
i2.JPEG,0,val
i3.JPEG,404,v2
i4.JPEG,405,v2
EOF
# i1: 151 agreed correct, 152 a tie (unclear); i2: no correct class;
# i3: correct; i4: correct but flagged problematic by alice.
cat >"$TMP/reviews.csv" <<'EOF'
image,wnid,state,reviewer,problematic
i1.JPEG,151,correct,alice,
i1.JPEG,151,correct,bob,
i1.JPEG,152,correct,alice,
i1.JPEG,152,wrong,bob,
i2.JPEG,0,wrong,alice,
i2.JPEG,0,wrong,bob,
i3.JPEG,404,correct,alice,
i3.JPEG,404,correct,bob,
i4.JPEG,405,correct,alice,1
i4.JPEG,405,correct,bob,
EOF
# vit has no prediction for i2 and i4.
cat >"$TMP/preds.csv" <<'EOF'
image,model,rank,wnid
i1.JPEG,resnet,1,152
i1.JPEG,resnet,2,151
i2.JPEG,resnet,1,0
i3.JPEG,resnet,1,n02690373
i4.JPEG,resnet,1,405
i1.JPEG,vit,1,151
i3.JPEG,vit,2,404
i3.JPEG,vit,1,405
EOF

rl_ok --db "$DB" init && pass "init"
rl_ok --db "$DB" import labels "$TMP/labels.csv" && pass "labels"
rl_ok --db "$DB" import reviews "$TMP/reviews.csv" && pass "reviews"

# ---- csv, by hand ------------------------------------------------------
# Splits: i1 dog (151), i2 organism (0, tench), i3 i4 object. organism
# holds the dogs (i1 i2), no_dog is i2 i3 i4. Under rule relabel only i1
# and i3 count (i2 has no correct class, i4 is problematic). resnet's top-1
# on i1 is 152 (a tie: unclear), 151 at rank 2: multi-label 0, +unclear 1,
# top5_multilabel 1; vit's top-1 on i3 is 405 (unreviewed), 404 at rank 2.
# per_class_multilabel: one image per class, so it equals multilabel.
cat >"$TMP/want.csv" <<'EOF'
model,subset,n_top,top1,top5,n_multilabel,multilabel,multilabel_unclear,top5_multilabel,per_class_multilabel,ci_low,ci_high
resnet,all,4,0.750000,1.000000,2,0.500000,1.000000,1.000000,0.500000,,
resnet,object,2,1.000000,1.000000,1,1.000000,1.000000,1.000000,1.000000,,
resnet,organism,2,0.500000,1.000000,1,0.000000,1.000000,1.000000,0.000000,,
resnet,dog,1,0.000000,1.000000,1,0.000000,1.000000,1.000000,0.000000,,
resnet,organism_no_dog,1,1.000000,1.000000,0,,,,,,
resnet,no_dog,3,1.000000,1.000000,1,1.000000,1.000000,1.000000,1.000000,,
resnet,dataset:v2,2,1.000000,1.000000,1,1.000000,1.000000,1.000000,1.000000,,
resnet,dataset:val,2,0.500000,1.000000,1,0.000000,1.000000,1.000000,0.000000,,
vit,all,2,0.500000,1.000000,2,0.500000,0.500000,1.000000,0.500000,,
vit,object,1,0.000000,1.000000,1,0.000000,0.000000,1.000000,0.000000,,
vit,organism,1,1.000000,1.000000,1,1.000000,1.000000,1.000000,1.000000,,
vit,dog,1,1.000000,1.000000,1,1.000000,1.000000,1.000000,1.000000,,
vit,organism_no_dog,0,,,0,,,,,,
vit,no_dog,1,0.000000,1.000000,1,0.000000,0.000000,1.000000,0.000000,,
vit,dataset:v2,1,0.000000,1.000000,1,0.000000,0.000000,1.000000,0.000000,,
vit,dataset:val,1,1.000000,1.000000,1,1.000000,1.000000,1.000000,1.000000,,
EOF
rl_ok --db "$DB" eval "$TMP/preds.csv" --format csv --resamples 0 \
    && expect_same_file "$TMP/want.csv" "$OUT" "csv: every row as computed by hand"

rl_ok --db "$DB" eval "$TMP/preds.csv" --format csv
cp "$OUT" "$TMP/boot1.csv"
bad_ci=$(awk -F, 'NR > 1 && $7 != "" && !($11 <= $7 && $7 <= $12 && $11 >= 0 && $12 <= 1) { print }' "$OUT")
expect_eq "$bad_ci" "" "bootstrap interval holds the value, within [0,1]"
expect_eq "$(awk -F, 'NR > 1 { print NF }' "$OUT" | sort -u)" "12" "twelve columns on every row"
rl_ok --db "$DB" eval "$TMP/preds.csv" --format csv
expect_same_file "$TMP/boot1.csv" "$OUT" "fixed seed: the same output twice"

# ---- other rules -------------------------------------------------------
# bob: i1/152 wrong, so i1's set is {151}; bob did not flag i4.
rl_ok --db "$DB" eval "$TMP/preds.csv" --format csv --resamples 0 \
    --consensus reviewer:bob \
    && expect_out "resnet,all,4,0.750000,1.000000,3,0.666667,0.666667,1.000000,0.666667,," \
        "reviewer:bob: bob's labels and bob's flags"
rl_ok --db "$DB" eval "$TMP/preds.csv" --format csv --consensus dawid-skene \
    && expect_eq "$(wc -l <"$OUT")" "17" "dawid-skene: 16 rows and a header"
rl --db "$DB" eval "$TMP/preds.csv" --consensus reviewer:zoe
expect_rc 1 "a reviewer with no reviews"
expect_err "no reviews by 'zoe'" "... says so"

# ---- text, json, plot, svg --------------------------------------------
rl_ok --db "$DB" eval "$TMP/preds.csv" --plot --svg "$TMP/plot.svg"
expect_out "multi-label accuracy (rule relabel): on the 2 images with a correct class," \
    "text says who multi-label accuracy counts"
expect_out "1 without a correct class, 1 flagged" \
    "text counts the images left out"
expect_out "model vit: 2 images scored, 2 without a prediction" "a model missing images"
expect_out "multi-label drop val -> v2" "the drop between dataset tags"
expect_out "A resnet: top-1 75.00%, multi-label 50.00%" "plot legend, first model"
expect_out "B vit: top-1 50.00%, multi-label 50.00%" "plot legend, second model"
grid=$(grep '^ *[0-9.%]* |' "$OUT" | cut -d'|' -f2-)
if printf '%s\n' "$grid" | grep -q A && printf '%s\n' "$grid" | grep -q B; then
    pass "plot shows both points"
else
    fail "plot shows both points"
fi
if grep -q '<svg' "$TMP/plot.svg" && grep -q '>resnet</text>' "$TMP/plot.svg" \
    && grep -q 'stroke-dasharray' "$TMP/plot.svg"; then
    pass "svg written: points, labels, diagonal"
else
    fail "svg written"
fi
if command -v python3 >/dev/null 2>&1; then
    rl_ok --db "$DB" eval "$TMP/preds.csv" --format json
    if python3 - "$OUT" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["models"][0]
assert m["model"] == "resnet" and m["scored"] == 4 and m["missing"] == 0
a = m["subsets"][0]
assert a["subset"] == "all" and a["multilabel"] == 0.5 and a["top1"] == 0.75
assert a["ci_low"] <= 0.5 <= a["ci_high"]
assert m["subsets"][4]["subset"] == "organism_no_dog"
assert m["subsets"][4]["multilabel"] is None
assert a["top5_multilabel"] == 1.0 and a["per_class_multilabel"] == 0.5
assert m["drops"][0]["from"] == "val" and m["drops"][0]["to"] == "v2"
assert d["rule"] == "relabel" and d["no_correct"] == 1
assert d["left_out"] == {"unreviewed": 0, "problematic": 1}
EOF
    then pass "json parses and holds the numbers"; else fail "json"; fi
fi

# A file without a model column is one model named after the file.
printf 'image,wnid\ni1.JPEG,151\ni3.JPEG,n02690373\n' >"$TMP/my-model.v1.csv"
rl_ok --db "$DB" eval "$TMP/my-model.v1.csv" --format csv --resamples 0 \
    && expect_out "my-model.v1,all,2,1.000000,1.000000,2,1.000000,1.000000,1.000000,1.000000,," \
        "model named after the file"

# ---- bad input ----------------------------------------------------------
bad() {  # CSV-TEXT EXPECTED-STDERR-PREFIX WHAT
    printf '%b' "$1" >"$TMP/bad.csv"
    rl --db "$DB" eval "$TMP/bad.csv"
    expect_rc 1 "$3"
    expect_err_first "relabel: $TMP/bad.csv:$2" "$3: FILE:LINE: field"
}
bad 'image,wnid\ni1.JPEG,151\nnope.JPEG,1\n' "3: image: unknown image 'nope.JPEG'" "unknown image"
bad 'image,wnid\ni1.JPEG,n99999999\n' "2: wnid: unknown class" "unknown class"
bad 'image,wnid,rank\ni1.JPEG,1,first\n' "2: rank: expected a whole number" "bad rank"
bad 'image,wnid,rank\ni1.JPEG,1,1\ni1.JPEG,2,1\n' "3: rank: duplicate" "duplicate rank"
bad 'image,model\ni1.JPEG,x\n' "1: missing column 'wnid'" "missing column"
bad 'image,wnid\ni1.JPEG,1,2\n' "2: " "wrong number of fields"
rl --db "$DB" eval "$TMP/missing.csv"
expect_rc 1 "missing file"
rl --db "$DB" eval "$TMP/preds.csv" --format xml
expect_rc 2 "unknown format"
rl --db "$DB" eval "$TMP/preds.csv" --format csv --plot
expect_rc 2 "--plot with csv"
rl --db "$DB" eval "$TMP/preds.csv" --threshold 0.9
expect_rc 2 "--threshold without dawid-skene"
rl --db "$DB" eval
expect_rc 2 "no predictions file"
rl eval "$TMP/preds.csv"
expect_rc 2 "no project"

# ---- agreement -------------------------------------------------------------
# alice/bob: C-C, C-W, W-W, C-C, C-C: p_o 0.8, p_e 14/25, kappa 0.545.
rl_ok --db "$DB" stats --agreement
if grep -q '^alice  *bob  *5  *80.00%  *0.545  *80.00%  *0.545$' "$OUT"; then
    pass "stats --agreement: Cohen's kappa of alice and bob"
else
    fail "stats --agreement: Cohen's kappa of alice and bob"
    show
fi
expect_out "Fleiss' kappa over 5 candidates" "stats --agreement: Fleiss"
rl --db "$DB" stats --agreements
expect_rc 2 "stats: unknown flag"

# ---- disagreements and adjudication ----------------------------------------
rl_ok --db "$DB" disagreements
expect_out "i1.JPEG  n02085782 Japanese spaniel:  correct: alice  wrong: bob" \
    "the tie is listed with who said what"
expect_out "1 candidates on 1 images where reviewers differ (0 adjudicated, 1 open)" \
    "disagreement count"
if command -v sqlite3 >/dev/null 2>&1; then
    printf 'image,wnid,state,reviewer\ni1.JPEG,152,wrong,carol\n' >"$TMP/adj.csv"
    rl_ok --db "$DB" import reviews "$TMP/adj.csv"
    sqlite3 "$DB" "UPDATE review SET role_code = 1 WHERE reviewer = 'carol'"
    rl_ok --db "$DB" disagreements --format csv
    cat >"$TMP/want_dis.csv" <<'EOF'
image,wnid,reviewer,state,role
i1.JPEG,n02085782,alice,correct,reviewer
i1.JPEG,n02085782,bob,wrong,reviewer
i1.JPEG,n02085782,carol,wrong,adjudicator
EOF
    expect_same_file "$TMP/want_dis.csv" "$OUT" "disagreements csv with the adjudication"
    rl_ok --db "$DB" disagreements --open
    expect_out "0 candidates on 0 images where reviewers differ (0 adjudicated, 0 open)" \
        "--open: nothing left once adjudicated"
    # The adjudicator's wrong is final: resnet's top-1 on i1 no longer
    # counts even as unclear, under every rule.
    for rule in majority reviewer:alice dawid-skene; do
        rl_ok --db "$DB" eval "$TMP/preds.csv" --format csv --resamples 0 \
            --consensus "$rule"
        line=$(grep '^resnet,dog,' "$OUT")
        expect_eq "${line%%,,}" "resnet,dog,1,0.000000,1.000000,1,0.000000,0.000000,1.000000,0.000000" \
            "$rule: the adjudicator's verdict is final"
    done
    rl_ok --db "$DB" stats --agreement
    expect_out "Fleiss' kappa over 5 candidates" "adjudications are no ratings"
fi

# ---- dawid-skene on raw votes ----------------------------------------------
cat >"$TMP/votes.csv" <<'EOF'
image,wnid,votes_no,votes_maybe,votes_yes,in_real
a.JPEG,n01440764,0,0,5,1
a.JPEG,n01443537,5,0,0,0
a.JPEG,n01484850,1,1,3,0
b.JPEG,n01491361,4,1,0,0
c.JPEG,n01496331,0,1,4,1
EOF
rl_ok dawid-skene "$TMP/votes.csv" --threshold 0.5 --posteriors "$TMP/post.csv"
expect_out "5 pairs on 3 images" "dawid-skene: counts"
expect_out "pairs: 4 agree of 5 (80.00%); precision 66.67%, recall 100.00%" \
    "dawid-skene: agreement with in_real"
expect_out "images with exactly the reference set: 2 of 3" "dawid-skene: exact sets"
expect_eq "$(sed -n 2p "$TMP/post.csv" | cut -d, -f1,2,4)" "a.JPEG,n01440764,1" \
    "dawid-skene: posteriors written"
printf 'image,wnid,votes_no,votes_maybe,votes_yes\na,b,1,x,1\n' >"$TMP/badvotes.csv"
rl dawid-skene "$TMP/badvotes.csv"
expect_rc 1 "dawid-skene: bad count"
expect_err_first "relabel: $TMP/badvotes.csv:2: votes_maybe:" "dawid-skene: FILE:LINE: field"

rl_ok --db "$DB" eval --help && expect_out "multi-label" "eval --help"
finish
