#!/bin/bash
# test_team.sh - assign and merge on copies of one project, and the faults
# a shared server meets: a read-only project or folder, and a full disk
# (simulated with a file size limit). Each is refused with a clear message
# and leaves the project whole.
. "$(dirname "$0")/lib.sh"
need sqlite3
DEMO=$RL_SRC/share/relabel/demo

base=$TMP/base.db
rl_ok --db "$base" init || finish
rl_ok --db "$base" import labels "$DEMO/labels.csv"
rl_ok --db "$base" import images "$DEMO/images.csv"
rl_ok --db "$base" import predictions "$DEMO/predictions.csv"

# ---- assign ----------------------------------------------------------
rl --db "$base" assign alice bob carol
expect_rc 0 "assign splits the images among three reviewers"
expect_eq "$(q "$base" "SELECT group_concat(n, ' ') FROM (SELECT count(*)
    AS n FROM assignment GROUP BY reviewer ORDER BY reviewer)")" "4 3 3" \
    "ten images round robin: 4, 3, 3"
expect_eq "$(q "$base" 'SELECT count(DISTINCT image) FROM assignment')" 10 \
    "every image is assigned once"
rl --db "$base" assign alice bob --k 2 --replace
expect_rc 0 "assign --k 2 gives every image to both"
expect_eq "$(q "$base" "SELECT count(*) FROM assignment WHERE reviewer IN
    ('alice','bob')")" 20 "alice and bob have all ten each"
rl --db "$base" assign alice bob --k 3
expect_rc 1 "k larger than the number of reviewers is refused"
expect_err "k from 1 to" "with a message saying why"
rl --db "$base" assign --clear
expect_rc 0 "assign --clear"
expect_eq "$(q "$base" 'SELECT count(*) FROM assignment')" 0 \
    "no assignment is left"

# ---- merge -----------------------------------------------------------
cp "$base" "$TMP/laptop.db"
cat >"$TMP/here.csv" <<'CSV'
image,wnid,state,reviewer
chelsea_cat.JPEG,n02123045,correct,alice
chelsea_cat.JPEG,n02127052,wrong,alice
CSV
cat >"$TMP/there.csv" <<'CSV'
image,wnid,state,reviewer,problematic
chelsea_cat.JPEG,n02123045,correct,alice,
chelsea_cat.JPEG,n02127052,correct,alice,
coffee_cup.JPEG,n07920052,correct,bob,1
CSV
rl_ok --db "$base" import reviews "$TMP/here.csv"
rl_ok --db "$TMP/laptop.db" import reviews "$TMP/there.csv"
sum_before=$(sha "$TMP/laptop.db")
rl --db "$base" merge "$TMP/laptop.db" --conflicts "$TMP/conflicts.csv"
expect_rc 3 "merge with a conflict exits 3"
expect_err "1 reviews" "one new review is brought in"
expect_eq "$(sed -n 2p "$TMP/conflicts.csv")" \
    "chelsea_cat.JPEG,n02127052,alice,state,wrong,correct" \
    "the conflict is listed with both values"
expect_eq "$(q "$base" "SELECT state FROM review r JOIN class c ON c.id =
    r.class WHERE c.wnid = 'n02127052' AND reviewer = 'alice'")" wrong \
    "the conflicting verdict here is left as it was"
expect_eq "$(q "$base" "SELECT count(*) FROM review WHERE reviewer = 'bob'")" \
    1 "bob's verdict from the laptop is here"
expect_eq "$(q "$base" "SELECT problematic FROM flag WHERE reviewer =
    'bob'")" 1 "and his problematic flag"
expect_eq "$(sha "$TMP/laptop.db")" "$sum_before" \
    "the other copy is not modified"
events=$(q "$base" 'SELECT count(*) FROM event')
steps=$(q "$base" 'SELECT count(*) FROM step')
rl --db "$base" merge "$TMP/laptop.db" --conflicts "$TMP/c2.csv"
expect_rc 3 "merging again still reports the conflict"
expect_eq "$(q "$base" 'SELECT count(*) FROM event') $(q "$base" \
    'SELECT count(*) FROM step')" "$events $steps" \
    "merging twice adds no history the second time (idempotent)"
expect_eq "$(q "$base" 'PRAGMA integrity_check')" ok "integrity after merge"
rl --db "$base" merge "$base"
expect_rc 1 "a project cannot merge itself"
printf 'not a database' >"$TMP/junk.db"
rl --db "$base" merge "$TMP/junk.db"
expect_rc 1 "merging a file that is not a project fails"
expect_err "not a relabel project" "with a clear message"

# ---- read-only project, full disk ------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
    as_other() { "$@"; }
fi
ro=$TMP/ro
mkdir -p "$ro"
cp "$base" "$ro/p.db"
chmod 755 "$TMP" "$ro"
chmod 444 "$ro/p.db"
before=$(sha "$ro/p.db")
last_cmd="relabel import reviews (read-only project)"
as_other "$RELABEL" --db "$ro/p.db" import reviews "$TMP/there.csv" \
    >"$OUT" 2>"$ERR"
rc=$?
expect_rc 1 "a read-only project refuses an import"
expect_err "read-only" "saying the project file is read-only"
expect_eq "$(sha "$ro/p.db")" "$before" "and it is unchanged"

full=$TMP/full.db
cp "$base" "$full"
python3 - "$TMP/many.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("image,wnid,state,reviewer\n")
    for r in range(400):
        for img in ("chelsea_cat.JPEG", "coffee_cup.JPEG", "grace_hopper.JPEG"):
            f.write(f"{img},{r % 1000},wrong,r{r}\n")
PY
rl_ok --db "$full" stats >/dev/null
n_before=$(q "$full" 'SELECT count(*) FROM review')
last_cmd="relabel import reviews (file size limit)"
( ulimit -f 200; trap '' XFSZ
  "$RELABEL" --db "$full" import reviews "$TMP/many.csv" >"$OUT" 2>"$ERR" )
rc=$?
expect_rc 1 "an import that fills the disk fails"
expect_err "disk full" "saying the disk is full"
expect_err "nothing from" "and that nothing was stored"
expect_eq "$(q "$full" 'PRAGMA integrity_check')" ok "the project is whole"
expect_eq "$(q "$full" 'SELECT count(*) FROM review')" "$n_before" \
    "no review from the failed import"
finish
