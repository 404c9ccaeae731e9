# test_eval_real.sh - the published figures from the real data in
# ../shared/data: val_labels.csv as original labels, ReaL's labels as
# correct reviews and its other rated proposals as wrong, then val_labels.csv
# evaluated as a model must give multi-label accuracy 42,164 / 46,837 =
# 90.02% (the share of non-empty ReaL sets holding the original label)
# under rule relabel; under shankar and tfds every reviewed image counts,
# the 3,163 empty sets as misses: 42,164 / 50,000 = 84.33%. Per class
# (TFDS's recipe, 50 images a class) the figures are 89.66% and 84.33%.
# Dawid-Skene on the raw votes must reproduce ReaL's sets as closely as
# vote counts allow (98.03% of pairs: every count pattern decided the way
# most of its pairs are). Skipped when the data is absent.
. "$(dirname "$0")/lib.sh"

D=$RL_SHARED_DATA
for f in val_labels.csv real_labels.csv real_proposals.csv; do
    [ -r "$D/$f" ] || skip_all "$D/$f not found (the shared real data)"
done
DB=$TMP/real.db

rl_ok --db "$DB" init && pass "init"
rl_ok --db "$DB" import labels "$D/val_labels.csv" --dataset val \
    && expect_out "50000 rows: 50000 new" "50,000 original labels"
# Every rated proposal wrong, then ReaL's labels correct (overwriting).
rl_ok --db "$DB" import reviews "$D/real_proposals.csv" --state wrong \
    && expect_out "184962 rows" "184,962 rated proposals"
rl_ok --db "$DB" import reviews "$D/real_labels.csv" --state correct \
    && expect_out "25111 new, 32442 changed" "ReaL's 57,553 labels"

rl_ok --db "$DB" eval "$D/val_labels.csv" --format csv
expect_out "val_labels,all,50000,1.000000,1.000000,46837,0.900228,0.900228,0.900228,0.896585," \
    "multi-label accuracy 0.900228 on 46,837 images, per class 0.896585"
hits=$(awk -F, '$2 == "all" { printf "%.0f", $6 * $7 }' "$OUT")
expect_eq "$hits" "42164" "42,164 images' ReaL sets hold the original label"
expect_eq "$(cut -d, -f2 "$OUT" | tr '\n' ' ')" \
    "subset all object organism dog organism_no_dog no_dog dataset:val " "subsets"
# object 590 classes x 50, organism 410 x 50 (dogs included), dog 118 x
# 50, organism_no_dog 292 x 50, no_dog 882 x 50.
expect_eq "$(awk -F, 'NR > 1 && $2 !~ /dataset/ { printf "%s=%s ", $2, $3 }' "$OUT")" \
    "all=50000 object=29500 organism=20500 dog=5900 organism_no_dog=14600 no_dog=44100 " \
    "subset sizes: 590, 410 (with the dogs), 118, 292 and 882 classes"
for rule in shankar tfds; do
    rl_ok --db "$DB" eval "$D/val_labels.csv" --format csv --resamples 0 --rule $rule
    expect_out "val_labels,all,50000,1.000000,1.000000,50000,0.843280,0.843280,0.843280,0.843280,," \
        "$rule: 42,164 of all 50,000 reviewed images"
    expect_out "val_labels,organism,20500,1.000000,1.000000,20500,0.841610," \
        "$rule: organism with the dogs"
done
rl_ok --db "$DB" eval "$D/val_labels.csv"
expect_out "multi-label accuracy (rule relabel): on the 46837 images with a correct class," \
    "text: who is counted"
expect_out "(left out: 3163 without a correct class, 0 flagged" \
    "text: the 3,163 empty ReaL sets are left out"
expect_out "  all              50000 100.00% 100.00%   46837      90.02%   90.02%  90.02%    89.66%  89.75-90.29%" \
    "text: 90.02% on all images"

# The field's readers on the exports (tests/cli/readers.py): timm's
# RealLabelsImagenet on real-json gives ReaL's 90.02%, TFDS's recipe on
# tfds-multilabel 84.33% (micro and per class), as eval does.
if command -v python3 >/dev/null 2>&1; then
    PY="python3 $RL_SRC/tests/cli/readers.py"
    CLASSES=$RL_SRC/share/relabel/classes.tsv
    awk -F, 'NR == 1 { print "image,model,rank,wnid"; next }
             { print $1 ",val_labels,1," $2 }' "$D/val_labels.csv" >"$TMP/model.csv"
    rl_ok --db "$DB" export --format real-json -o "$TMP/real.json"
    expect_err "3163 of 50000 lists written empty ([]): 0 images not in the project, 0 without a verdict, 3163 with no class marked correct" \
        "real-json: ReaL's 3,163 empty sets, and why"
    expect_eq "$($PY timm "$CLASSES" "$TMP/model.csv" "$TMP/real.json" 50000)" \
        "val_labels 0.900228 0.900228" "timm's reader on real-json: 90.02%"
    rl_ok --db "$DB" export --format tfds-multilabel -o "$TMP/tfds.json"
    expect_eq "$($PY tfds "$CLASSES" "$D/val_labels.csv" "$TMP/model.csv" "$TMP/tfds.json")" \
        "val_labels 0.843280 0.843280" "TFDS's recipe on tfds-multilabel: 84.33%"
fi

rl_ok dawid-skene "$D/real_proposals.csv"
expect_out "184962 pairs on 24889 images" "dawid-skene: the rated pairs"
expect_out "pairs: 181325 agree of 184962 (98.03%)" \
    "dawid-skene: 98.03% of pairs agree with in_real"
finish
