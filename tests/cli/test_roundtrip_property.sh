#!/bin/bash
# test_roundtrip_property.sh - the round trip of every export format on
# random projects (roundtrip.py gen SEED: five reviewers and an
# adjudicator, hostile notes, main objects, flags, confirmations, added
# candidates). Per seed: the import stores exactly what was generated;
# then export -> import into a fresh project (same labels and
# predictions) -> export again, under majority and dawid-skene:
#   long             byte-identical, and both projects hold the same
#                    verdicts, roles, flags, notes, main objects, added
#                    candidates and timings (every field the long format
#                    carries)
#   wide             byte-identical (original, the four state lists,
#                    problematic, main), imported as one reviewer
#   real-json        byte-identical (correct class indices by number),
#                    from the project the wide export was imported into
#   tfds-multilabel  equal as JSON but for problematic_images' reviewer
#                    (initial_annots, problematic images and reasons)
#   label-studio     equal as JSON (data, predictions, annotations:
#                    reviewer, role, states, problematic, note, main,
#                    updated_at, the timing - lead_time and the first look
#                    and last change; the consensus annotation), and the
#                    project it was imported into holds the same timings
. "$(dirname "$0")/lib.sh"
need python3
PY="python3 $HERE/roundtrip.py"
CLASSES=$RL_SRC/share/relabel/classes.tsv

# fresh DIR NAME: a project with the seed's labels and predictions only.
fresh() {
    rm -f "$1/$2.db"
    rl_ok --db "$1/$2.db" init && rl_ok --db "$1/$2.db" import labels "$1/labels.csv" \
        && rl_ok --db "$1/$2.db" import predictions "$1/predictions.csv"
}

for seed in 1 2 3 4; do
    d=$TMP/s$seed
    mkdir -p "$d"
    $PY gen $seed "$CLASSES" "$d" || { fail "seed $seed: generator"; continue; }
    fresh "$d" a
    rl --db "$d/a.db" import reviews "$d/reviews.csv"
    expect_rc 0 "seed $seed: the multi-reviewer long file imports"
    $PY holds "$d/a.db" "$d/truth.json" && pass "seed $seed: the project holds every generated value" \
        || fail "seed $seed: the project differs from the generated file"

    rl_ok --db "$d/a.db" export -o "$d/long1.csv"
    fresh "$d" b
    rl_ok --db "$d/b.db" import reviews "$d/long1.csv"
    rl_ok --db "$d/b.db" export -o "$d/long2.csv"
    expect_same_file "$d/long1.csv" "$d/long2.csv" "seed $seed: long round trip byte-identical"
    $PY same "$d/a.db" "$d/b.db" && pass "seed $seed: long: the fresh project holds the same values" \
        || fail "seed $seed: long: the fresh project differs"

    for rule in majority dawid-skene:0.7; do
        rl_ok --db "$d/a.db" export --format wide --consensus $rule -o "$d/wide1.csv"
        fresh "$d" c
        rl_ok --db "$d/c.db" --reviewer consensus import reviews "$d/wide1.csv"
        rl_ok --db "$d/c.db" export --format wide -o "$d/wide2.csv"
        expect_same_file "$d/wide1.csv" "$d/wide2.csv" "seed $seed, $rule: wide round trip"

        rl_ok --db "$d/a.db" export --format real-json --count 200 --consensus $rule \
            -o "$d/real1.json"
        rl_ok --db "$d/c.db" export --format real-json --count 200 -o "$d/real2.json"
        expect_same_file "$d/real1.json" "$d/real2.json" "seed $seed, $rule: real-json agrees"

        rl_ok --db "$d/a.db" export --format tfds-multilabel --consensus $rule \
            -o "$d/tfds1.json"
        fresh "$d" t
        rl_ok --db "$d/t.db" --reviewer consensus import reviews "$d/tfds1.json"
        rl_ok --db "$d/t.db" export --format tfds-multilabel -o "$d/tfds2.json"
        $PY json tfds-multilabel "$d/tfds1.json" "$d/tfds2.json" \
            && pass "seed $seed, $rule: tfds-multilabel round trip" \
            || fail "seed $seed, $rule: tfds-multilabel round trip differs"

        rl_ok --db "$d/a.db" export --format label-studio --consensus $rule \
            -o "$d/ls1.json"
        fresh "$d" l
        rl_ok --db "$d/l.db" import reviews "$d/ls1.json"
        $PY same-timings "$d/a.db" "$d/l.db" \
            && pass "seed $seed, $rule: label-studio carries every timing" \
            || fail "seed $seed, $rule: label-studio: the timings differ"
        rl_ok --db "$d/l.db" export --format label-studio --consensus $rule \
            -o "$d/ls2.json"
        $PY json label-studio "$d/ls1.json" "$d/ls2.json" \
            && pass "seed $seed, $rule: label-studio round trip" \
            || fail "seed $seed, $rule: label-studio round trip differs"
    done
done
finish
