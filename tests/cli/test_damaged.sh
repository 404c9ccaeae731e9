#!/bin/bash
# test_damaged.sh - a project whose data pages are damaged (bytes flipped
# in the middle of the file: page 1 and the schema read fine) is refused by
# every command that writes, with a message saying it is damaged and how to
# recover, and the file stays byte-identical; `check` says so, and
# `check --repair` writes a readable copy, keeping the damaged file.
. "$(dirname "$0")/lib.sh"
need sqlite3
need python3
DEMO=$RL_SRC/share/relabel/demo

db=$TMP/p.db
rl_ok --db "$db" init || finish
rl_ok --db "$db" import labels "$DEMO/labels.csv"
rl_ok --db "$db" import predictions "$DEMO/predictions.csv"
# SQLite 3.40 reports the assignment table's NOT NULL columns falsely
# ("NULL value in assignment.image"): a sound project stays sound.
rl_ok --db "$db" assign alice bob
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$db" "$TMP/other.db"
rl --db "$db" check
expect_rc 0 "check: a sound project"
expect_out "sound" "says it is sound"

# Flip bytes inside a page of the prediction table (leaf data, not page 1).
page=$(sqlite3 "$db" "SELECT max(pageno) FROM dbstat WHERE name = 'pred'
    AND pagetype = 'leaf'" 2>/dev/null)
[ -n "$page" ] || page=$(( $(stat -c %s "$db") / 4096 / 2 ))
python3 - "$db" "$page" <<'PY'
import sys
path, page = sys.argv[1], int(sys.argv[2])
with open(path, 'r+b') as f:
    off = (page - 1) * 4096
    f.seek(off)
    b = bytearray(f.read(4096))
    for i in range(0, 12):          # the b-tree page header
        b[i] ^= 0x5a
    f.seek(off)
    f.write(b)
PY
before=$(sha "$db")

printf 'image,wnid\nnew_image.JPEG,n01440764\n' >"$TMP/one.csv"
rl --db "$db" import labels "$TMP/one.csv"
expect_rc 1 "import labels refuses a damaged project"
expect_err "damaged" "saying the file is damaged"
expect_err "check --repair" "and how to recover"
rl --db "$db" import reviews "$FIX/reviews.csv"
expect_rc 1 "import reviews refuses it"
rl --db "$db" merge "$TMP/other.db"
expect_rc 1 "merge refuses it"
expect_err "damaged" "merge says why"
rl --db "$db" assign alice bob
expect_rc 1 "assign refuses it"
expect_err "damaged" "assign says why"
rl --db "$db" assign --clear
expect_rc 1 "assign --clear refuses it"
rl --db "$db" task create t1 --split dog --sample 2
expect_rc 1 "task create refuses it"
expect_eq "$(sha "$db")" "$before" "the damaged file is byte-identical"

rl --db "$db" check
expect_rc 1 "check: exit 1 on a damaged project"
expect_err "integrity check" "naming the integrity check"
rl --db "$db" check --repair
expect_rc 0 "check --repair writes a copy"
expect_out "repaired copy: $db.repaired" "naming the copy"
expect_eq "$(sha "$db")" "$before" "and keeps the damaged file unchanged"
rl --db "$db.repaired" check
expect_rc 0 "the repaired copy is sound"
n=$(q "$db.repaired" 'SELECT count(*) FROM image')
expect_eq "$n" "$(q "$TMP/other.db" 'SELECT count(*) FROM image')" \
    "the repaired copy keeps every image (their table was not damaged)"
rl --db "$db.repaired" import labels "$TMP/one.csv"
expect_rc 0 "the repaired copy takes writes again"
rl --db "$db" check --repair
expect_rc 1 "repair never overwrites an existing copy"
finish
