#!/bin/bash
# test_refuse.sh - a file that is not a relabel project, one from a newer
# relabel (user_version higher), and damaged projects are refused by every
# command with a clear message, and left byte-for-byte unchanged.
. "$(dirname "$0")/lib.sh"
need sqlite3

# A good project to damage, with everything in the main file.
good=$TMP/good.db
rl_ok --db "$good" init || finish
rl_ok --db "$good" import labels "$FIX/labels.csv"
rl_ok --db "$good" import predictions "$FIX/predictions.csv"
rl_ok --db "$good" import reviews "$FIX/reviews.csv"
size=$(stat -c %s "$good")

# overwrite FILE OFFSET COUNT: COUNT bytes of 0xa5 at OFFSET.
overwrite() {
    head -c "$3" /dev/zero | tr '\0' '\245' \
        | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

sqlite3 "$TMP/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES(1);'
sqlite3 "$TMP/otherapp.db" 'PRAGMA application_id = 42; CREATE TABLE t(x);'
printf 'image,wnid\na.JPEG,n01440764\n' >"$TMP/text.db"
cp "$good" "$TMP/newer.db"
ver=$(q "$good" 'PRAGMA user_version')
sqlite3 "$TMP/newer.db" "PRAGMA user_version = $((ver + 1))"
cp "$good" "$TMP/header.db"
overwrite "$TMP/header.db" 0 100
head -c 12288 "$good" >"$TMP/cut.db"
cp "$good" "$TMP/damaged.db"
overwrite "$TMP/damaged.db" $((size / 2)) $((size - size / 2))

# check_all FILE WHAT MESSAGE...: every command fails with one of the
# messages (a pattern for grep -E) and leaves FILE unchanged.
check_all() {
    local f=$1 what=$2 pat=$3 before args
    before=$(sha "$f")
    for args in "init" "import labels $FIX/labels.csv" \
                "import labels $FIX/labels.csv --dry-run" \
                "import reviews $FIX/reviews.csv" \
                "export -o $TMP/out.csv" "export --format wide -o $TMP/out.csv" \
                "export --format real-json -o $TMP/out.json" "stats" \
                "review"; do
        # shellcheck disable=SC2086
        rl --db "$f" $args </dev/null
        if [ "$rc" = 1 ]; then
            pass "$what: $args exits 1"
        else
            fail "$what: $args: exit status $rc, expected 1"
            show
        fi
        if grep -qF "$f" "$ERR" && grep -qE "$pat" "$ERR"; then
            pass "$what: $args: message names the file and the problem"
        else
            fail "$what: $args: stderr should name $f and match /$pat/"
            show
        fi
        if [ "$(sha "$f")" = "$before" ]; then
            pass "$what: $args: file byte-for-byte unchanged"
        else
            fail "$what: $args: the file changed"
        fi
        if [ -s "$f-wal" ]; then
            fail "$what: $args: left a non-empty $f-wal"
        fi
    done
    expect_absent "$TMP/out.csv" "$what: no export file was written"
    expect_absent "$TMP/out.json" "$what: no JSON export was written"
}

check_all "$TMP/other.db" "SQLite file of another program" \
    "not a relabel project|not overwriting"
check_all "$TMP/otherapp.db" "SQLite file with another application_id" \
    "not a relabel project|not overwriting"
check_all "$TMP/text.db" "text file" \
    "not a relabel project|not overwriting"
check_all "$TMP/newer.db" "project from a newer relabel" \
    "newer relabel|not overwriting"
check_all "$TMP/header.db" "project with a garbage header" \
    "not a relabel project|not overwriting"
check_all "$TMP/cut.db" "truncated project" \
    "damaged|malformed|not overwriting"
check_all "$TMP/damaged.db" "project damaged after its schema" \
    "damaged|malformed|not overwriting"

# The good project still works, so the failures above are the damage.
rl --db "$good" stats
expect_rc 0 "the undamaged original still opens"

finish
