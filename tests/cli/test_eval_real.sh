# test_eval_real.sh - the published figures from the real data in
# ../shared/data: val_labels.csv as original labels, ReaL's labels as
# correct reviews and its other rated proposals as wrong, then val_labels.csv
# evaluated as a model must give multi-label accuracy 42,164 / 46,837 =
# 90.02% (the share of non-empty ReaL sets holding the original label).
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
expect_out "val_labels,all,50000,1.000000,1.000000,46837,0.900228,0.900228," \
    "multi-label accuracy 0.900228 on 46,837 images"
hits=$(awk -F, '$2 == "all" { printf "%.0f", $6 * $7 }' "$OUT")
expect_eq "$hits" "42164" "42,164 images' ReaL sets hold the original label"
expect_eq "$(cut -d, -f2 "$OUT" | tr '\n' ' ')" \
    "subset all dog organism object dataset:val " "subsets"
expect_eq "$(awk -F, '$2 != "all" && $2 !~ /dataset/ && NR > 1 { n += $3 } END { print n }' "$OUT")" \
    "50000" "dog + organism + object cover every image"
rl_ok --db "$DB" eval "$D/val_labels.csv"
expect_out "multi-label accuracy: on the 46837 images with a correct class" \
    "text: who is counted"
expect_out "(left out: 3163 without a correct class, 0 flagged problematic)" \
    "text: the 3,163 empty ReaL sets are left out"
expect_out "  all           50000 100.00% 100.00%   46837      90.02%   90.02%  89.75-90.29%" \
    "text: 90.02% on all images"

rl_ok dawid-skene "$D/real_proposals.csv"
expect_out "184962 pairs on 24889 images" "dawid-skene: the rated pairs"
expect_out "pairs: 181325 agree of 184962 (98.03%)" \
    "dawid-skene: 98.03% of pairs agree with in_real"
finish
