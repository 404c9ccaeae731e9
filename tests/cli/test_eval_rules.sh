# test_eval_rules.sh - `eval --rule relabel|shankar|tfds` and the subsets
# (all, object, organism with the dogs, dog, organism_no_dog, no_dog) on an
# eight-image project whose every figure is computed by hand below; the
# testbed summary over two models; --subset for the plots.
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
# v1 v2 dogs (151 152), v3 v4 other organisms (0 1), v5..v8 objects.
cat >"$TMP/labels.csv" <<'EOF'
image,wnid
v1.JPEG,151
v2.JPEG,152
v3.JPEG,0
v4.JPEG,1
v5.JPEG,404
v6.JPEG,405
v7.JPEG,406
v8.JPEG,407
EOF
# v4 has only an unclear class; v6 is problematic; v7 only a wrong one;
# v8 is unreviewed.
cat >"$TMP/reviews.csv" <<'EOF'
image,wnid,state,reviewer,problematic
v1.JPEG,151,correct,alice,
v1.JPEG,160,correct,alice,
v2.JPEG,152,wrong,alice,
v2.JPEG,153,correct,alice,
v3.JPEG,0,correct,alice,
v3.JPEG,2,unclear,alice,
v4.JPEG,1,unclear,alice,
v5.JPEG,404,correct,alice,
v6.JPEG,405,correct,alice,1
v7.JPEG,406,wrong,alice,
EOF
# m: v1 160 (correct; 151 at rank 2), v2 152 (wrong; 153 correct at
# rank 2), v3 2 (unclear), v4 1 (unclear), v5..v8 their labels.
cat >"$TMP/m.csv" <<'EOF'
image,wnid,rank
v1.JPEG,160,1
v1.JPEG,151,2
v2.JPEG,152,1
v2.JPEG,153,2
v3.JPEG,2,1
v4.JPEG,1,1
v5.JPEG,404,1
v6.JPEG,405,1
v7.JPEG,406,1
v8.JPEG,407,1
EOF
# n: the original label everywhere.
cut -d, -f1,2 "$TMP/labels.csv" >"$TMP/n.csv"

rl_ok --db "$DB" init && rl_ok --db "$DB" import labels "$TMP/labels.csv" \
    && rl_ok --db "$DB" import reviews "$TMP/reviews.csv" && pass "project"

row() {  # RULE MODEL SUBSET EXPECTED-ROW WHAT
    rl_ok --db "$DB" eval "$TMP/m.csv" "$TMP/n.csv" --format csv \
        --resamples 0 --rule "$1"
    expect_eq "$(grep "^$2,$3," "$OUT")" "$4" "$5"
}

# Columns: model,subset,n_top,top1,top5,n_multilabel,multilabel,
# multilabel_unclear,top5_multilabel,per_class_multilabel,ci_low,ci_high.
# top-1 (original) of m: v2 v4 v5 v6 v7 v8 = 6/8; top-5 adds v1: 7/8.

# relabel: v1 v2 v3 v5 (a correct class, not problematic) = 4.
# hits v1 v5 = 2/4; +unclear v3 = 3/4; top-5 v1 v2 v5 = 3/4;
# per class 151:1 152:0 0:0 404:1 = 2/4.
row relabel m all "m,all,8,0.750000,0.875000,4,0.500000,0.750000,0.750000,0.500000,," \
    "relabel: only images with a correct class"
# shankar: every reviewed image not problematic: v1 v2 v3 v4 v5 v7 = 6.
# hits v1 v5 = 2/6; +unclear v3 v4 = 4/6; top-5 v1 v2 v5 = 3/6;
# per class 151:1 152:0 0:0 1:0 404:1 406:0 = 2/6.
row shankar m all "m,all,8,0.750000,0.875000,6,0.333333,0.666667,0.500000,0.333333,," \
    "shankar: images without a correct class count as misses"
# tfds: the same 6; correct or unclear: v1 v3 v4 v5 = 4/6; top-5 adds v2
# = 5/6; per class 4/6.
row tfds m all "m,all,8,0.750000,0.875000,6,0.666667,0.666667,0.833333,0.666667,," \
    "tfds: unclear counts, per-class mean beside the micro figure"
# n under each rule: relabel v1 v3 v5 of 4 = 3/4; shankar 3/6 (+unclear:
# v4's label is unclear, 4/6); tfds counts v4 too: 4/6.
row relabel n all "n,all,8,1.000000,1.000000,4,0.750000,0.750000,0.750000,0.750000,," "relabel: n"
row shankar n all "n,all,8,1.000000,1.000000,6,0.500000,0.666667,0.500000,0.500000,," "shankar: n"
row tfds n all "n,all,8,1.000000,1.000000,6,0.666667,0.666667,0.666667,0.666667,," "tfds: n"

# Subsets under shankar, model m.
# dog v1 v2: top-1 v2 = 1/2, top-5 2/2; hits v1 = 1/2, top-5 2/2.
row shankar m dog "m,dog,2,0.500000,1.000000,2,0.500000,0.500000,1.000000,0.500000,," \
    "dog: the 118 dog classes"
# organism v1..v4 (dogs included): top-1 v2 v4 = 2/4, top-5 v1 v2 v4 =
# 3/4; hits v1 = 1/4; +unclear v3 v4 = 3/4; top-5 v1 v2 = 2/4.
row shankar m organism "m,organism,4,0.500000,0.750000,4,0.250000,0.750000,0.500000,0.250000,," \
    "organism includes the dogs, as Shankar et al.'s code"
# organism_no_dog v3 v4: top-1 v4 = 1/2; no hit; +unclear 2/2.
row shankar m organism_no_dog "m,organism_no_dog,2,0.500000,0.500000,2,0.000000,1.000000,0.000000,0.000000,," \
    "organism_no_dog: the old 'organism'"
# object v5..v8: top-1 4/4; counted v5 v7 (v6 problematic, v8
# unreviewed): hit v5 = 1/2.
row shankar m object "m,object,4,1.000000,1.000000,2,0.500000,0.500000,0.500000,0.500000,," \
    "object"
# no_dog v3..v8: top-1 v4..v8 = 5/6; counted v3 v4 v5 v7: hit v5 = 1/4;
# +unclear v3 v4 v5 = 3/4.
row shankar m no_dog "m,no_dog,6,0.833333,0.833333,4,0.250000,0.750000,0.250000,0.250000,," \
    "no_dog: organisms without dogs plus objects"

# Text: who is counted, and the testbed over the two models.
rl_ok --db "$DB" eval "$TMP/m.csv" "$TMP/n.csv" --rule shankar --resamples 0
expect_out "multi-label accuracy (rule shankar): on the 6 reviewed images not flagged" \
    "text names the rule and its denominator"
expect_out "problematic, 2 of them without a correct class (left out: 1 unreviewed," \
    "text: v4 and v7 counted without a correct class, v8 left out"
expect_out "testbed: 2 models; best / median / worst" "testbed heading"
# all: top-1 n 100, m 75 (median 87.5); top-5 100 / 93.75 / 87.5;
# multi-label n 50, m 33.33 (median 41.67).
if grep -q '^  all  *100.00 /  87.50 /  75.00 100.00 /  93.75 /  87.50  50.00 /  41.67 /  33.33$' "$OUT"; then
    pass "testbed row: best / median / worst per measure"
else
    fail "testbed row"
    grep -A3 testbed "$OUT" | sed 's/^/#   /'
fi
expect_eq "$(grep -c '^  organism_no_dog \|^  no_dog ' "$OUT")" "6" \
    "every subset in the model tables and the testbed"

# --subset picks what the plots show: dog, m top-1 50% / multi-label 50%.
rl_ok --db "$DB" eval "$TMP/m.csv" --rule shankar --plot --subset dog \
    --svg "$TMP/dog.svg" --resamples 0
expect_out "A m: top-1 50.00%, multi-label 50.00%" "plot of the dog subset"
if grep -q 'subset dog' "$TMP/dog.svg" && grep -q 'stroke-dasharray' "$TMP/dog.svg"; then
    pass "svg names the subset and draws y = x"
else
    fail "svg of a subset"
fi
rl --db "$DB" eval "$TMP/m.csv" --subset cats
expect_rc 2 "an unknown subset is a usage error"
rl --db "$DB" eval "$TMP/m.csv" --rule real
expect_rc 2 "an unknown rule is a usage error"
expect_err "unknown rule 'real' (relabel, shankar or tfds)" "... naming the rules"
finish
