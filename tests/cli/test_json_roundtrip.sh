# test_json_roundtrip.sh - a property test of the JSON formats: on 12
# random projects (fixed seeds: the same projects every run) with 1-4
# reviewers, every state, problematic flags and notes holding commas,
# quotes, newlines and non-ASCII text, export -> import into a fresh
# project -> export is identical for label-studio (everything it carries)
# and for tfds-multilabel (one reviewer's marks, as TFDS holds them), and
# the reviewers' verdicts survive the label-studio trip exactly.
. "$(dirname "$0")/lib.sh"
need python3
need sqlite3

gen() {  # SEED DIR: labels.csv, predictions.csv, reviews.csv in DIR
    python3 - "$1" "$2" "$RL_SRC" <<'EOF'
import csv, random, sys
rnd = random.Random(int(sys.argv[1]))
d = sys.argv[2]
wnids = [l.split("\t")[1] for l in
         open(sys.argv[3] + "/share/relabel/classes.tsv")
         if l[0].isdigit()]
images = ["ILSVRC2012_val_%08d.JPEG" % n
          for n in sorted(rnd.sample(range(1, 200), rnd.randint(1, 12)))]
reviewers = rnd.sample(["alice", "bob", "carol", "dan"], rnd.randint(1, 4))
notes = ["", "a, b", 'say "fish"', "two\nlines", "caf\u00e9 \u00e0 c\u00f4t\u00e9",
         "tab\there"]
with open(d + "/labels.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["image", "wnid"])
    for im in images:
        w.writerow([im, rnd.choice(wnids)])
cands = {im: rnd.sample(wnids, rnd.randint(1, 6)) for im in images}
with open(d + "/predictions.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["image", "model", "rank", "wnid"])
    for im in images:
        for m in ["m1", "m2"][:rnd.randint(1, 2)]:
            for r, c in enumerate(rnd.sample(cands[im], len(cands[im]))):
                w.writerow([im, m, r + 1, c])
with open(d + "/reviews.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["image", "wnid", "state", "reviewer", "problematic",
                "updated_at", "note"])
    for im in images:
        for who in reviewers:
            if rnd.random() < 0.3:
                continue
            t = "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
                rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23),
                rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999))
            for c in rnd.sample(cands[im], rnd.randint(0, len(cands[im]))):
                w.writerow([im, c, rnd.choice(["correct", "wrong", "unclear",
                            "dont_know"]), who, "", t, ""])
            if rnd.random() < 0.3:
                w.writerow([im, "", "", who, rnd.choice(["1", "0"]), t,
                            rnd.choice(notes)])
EOF
}

project() {  # DB DIR [REVIEWS]
    "$RELABEL" --db "$1" init >/dev/null &&
    "$RELABEL" --db "$1" import labels "$2/labels.csv" >/dev/null &&
    "$RELABEL" --db "$1" import predictions "$2/predictions.csv" >/dev/null &&
    { [ -z "${3:-}" ] || "$RELABEL" --db "$1" import reviews "$3" >/dev/null; }
}

bad=0
for seed in $(seq 1 12); do
    d=$TMP/s$seed
    mkdir -p "$d"
    gen "$seed" "$d"
    project "$d/a.db" "$d" "$d/reviews.csv" || { fail "seed $seed: project"; continue; }
    # Label Studio: everything it carries.
    "$RELABEL" --db "$d/a.db" export --format label-studio -o "$d/ls1.json" &&
    project "$d/b.db" "$d" "$d/ls1.json" &&
    "$RELABEL" --db "$d/b.db" export --format label-studio -o "$d/ls2.json" ||
        { fail "seed $seed: label-studio trip runs"; bad=1; continue; }
    cmp -s "$d/ls1.json" "$d/ls2.json" ||
        { fail "seed $seed: label-studio export -> import -> export identical"; bad=1; }
    "$RELABEL" --db "$d/a.db" export | cut -d, -f1-4 >"$d/l1" 
    "$RELABEL" --db "$d/b.db" export | cut -d, -f1-4 >"$d/l2"
    cmp -s "$d/l1" "$d/l2" ||
        { fail "seed $seed: every reviewer's verdicts survive label-studio"; bad=1; }
    # TFDS: one reviewer's marks (majority of one is that reviewer's).
    who=$(sqlite3 "$d/a.db" "SELECT reviewer FROM review UNION SELECT reviewer FROM flag ORDER BY 1 LIMIT 1")
    [ -n "$who" ] || continue
    "$RELABEL" --db "$d/a.db" export --format tfds-multilabel \
        --consensus "reviewer:$who" -o "$d/t1.json" &&
    project "$d/c.db" "$d" &&
    "$RELABEL" --db "$d/c.db" --reviewer "$who" import reviews "$d/t1.json" >/dev/null &&
    "$RELABEL" --db "$d/c.db" export --format tfds-multilabel -o "$d/t2.json" ||
        { fail "seed $seed: tfds trip runs"; bad=1; continue; }
    cmp -s "$d/t1.json" "$d/t2.json" ||
        { fail "seed $seed: tfds export -> import -> export identical"; bad=1; }
done
[ "$bad" = 0 ] && pass "12 random projects: label-studio and tfds-multilabel round trips identical"
finish
