#!/bin/bash
# test_hostile_input.sh - issue 14's hostile input, case by case: ids with
# controls, a cyclic hierarchy, a FIFO among the images, a read-only
# folder, merging a project with itself by another path or with a damaged
# copy, an empty file, reviewer names, image names with edge spaces or a
# BOM, impossible dates, infinite scores, an unknown reviewer to export,
# a flag-only row, and a file size limit. Each refusal names FILE:LINE:
# field, exits 1 and stores nothing.
. "$(dirname "$0")/lib.sh"
need sqlite3

P=$TMP/p.db
rl_ok --db "$P" init || finish
rl_ok --db "$P" import labels "$FIX/labels.csv" || finish
rl_ok --db "$P" import reviews "$FIX/reviews.csv" || finish
IMG=ILSVRC2012_val_00000001.JPEG
WNID=n01751748
count() { q "$P" "$1"; }

# ---- 2. ids with controls, and a cyclic nodes.tsv, at init --classes ----
cls() {   # NAME WNID: a classes folder whose one class has id WNID
    mkdir -p "$TMP/$1"
    printf 'index\twnid\tnames\tgloss\n0\t%s\ta\tb\n' "$2" >"$TMP/$1/classes.tsv"
}
cls del $'x\x7fy'
cls c1 $'x\xc2\x9by'
cls c1b $'x\xc2\x9dy'
cls rlo $'ab\xe2\x80\xaecd'
cls lri $'ab\xe2\x81\xa6cd'
for d in del c1 c1b rlo lri; do
    rl --db "$TMP/$d.db" init --classes "$TMP/$d"
    expect_rc 1 "init --classes with a $d in a wnid"
    expect_err "$TMP/$d/classes.tsv:2: wnid: not a class id" "$d: FILE:LINE: field"
done
cls cyc n00000010
printf 'wnid\tis_class\tclass_index\tn_classes_below\tdepth_min\tparents\tnames\tgloss\n%s\n%s\n%s\n' \
    $'n00000001\t0\t\t1\t0\tn00000002\tthing\tx' \
    $'n00000002\t0\t\t1\t1\tn00000001\tstuff\tx' \
    $'n00000010\t1\t0\t1\t2\tn00000002\ta\tb' >"$TMP/cyc/nodes.tsv"
rl --db "$TMP/cyc.db" init --classes "$TMP/cyc"
expect_rc 1 "init --classes with a cyclic nodes.tsv"
expect_err "nodes.tsv:2: parents: a cycle: n00000001 is its own ancestor" \
    "the cycle is named"

# ---- 3. a FIFO named x.JPEG in import images DIR ------------------------
mkdir -p "$TMP/imgs"
cp "$RL_SRC/tests/data/jpeg/tiny_1x1.JPEG" "$TMP/imgs/$IMG"
mkfifo "$TMP/imgs/x.JPEG"
last_cmd="relabel import images DIR (with a FIFO)"
timeout 20 "$RELABEL" --db "$P" import images "$TMP/imgs" >"$OUT" 2>"$ERR"
rc=$?
expect_rc 1 "import images DIR refuses a FIFO (no hang)"
expect_err "x.JPEG: image: not a regular file" "the FIFO is named"
expect_eq "$(count "SELECT count(*) FROM image WHERE path IS NOT NULL")" 0 \
    "nothing stored"

# ---- 6. messages -----------------------------------------------------------
: >"$TMP/empty.db"
rl --db "$TMP/empty.db" stats
expect_rc 1 "stats on an empty file"
expect_err "an empty file, not a relabel project" "an empty file is called empty"
if grep -q "another program" "$ERR"; then
    fail "an empty file is not an SQLite file of another program"
else
    pass "not blamed on another program"
fi

ln "$P" "$TMP/hard.db"
ln -s "$P" "$TMP/sym.db"
for other in "$TMP/./p.db" "$TMP/hard.db" "$TMP/sym.db"; do
    t0=$(date +%s)
    rl --db "$P" merge "$other"
    t1=$(date +%s)
    expect_rc 1 "merge with itself as $(basename "$other")"
    expect_err "is this project itself" "the same file is named"
    [ $((t1 - t0)) -lt 5 ] && pass "refused at once" \
        || fail "took $((t1 - t0)) s (waited for its own lock)"
done
rm -f "$TMP/hard.db" "$TMP/sym.db"

cp "$P" "$TMP/copy.db"
root=$(q "$P" "SELECT rootpage FROM sqlite_schema WHERE name = 'image'")
psize=$(q "$P" "PRAGMA page_size")
head -c 4000 /dev/zero | tr '\0' '\377' \
    | dd of="$TMP/copy.db" bs=1 seek=$((root * psize - psize + 50)) \
         conv=notrunc status=none
before=$(sha "$P")
rl --db "$P" merge "$TMP/copy.db"
expect_rc 1 "merge of a damaged copy"
expect_err "$TMP/copy.db: the copy is damaged" "the copy is blamed"
if grep -qF "$P:" "$ERR"; then
    fail "the main project is blamed: $(cat "$ERR")"
else
    pass "the main project is not blamed"
fi
expect_eq "$(sha "$P")" "$before" "the project is unchanged"

# A valid project in a read-only folder: the read-only commands work. As
# root, file modes do not bind: run them as nobody.
mkdir -p "$TMP/ro"
cp "$P" "$TMP/ro/p.db"
chmod 755 "$TMP" && chmod 555 "$TMP/ro" && chmod 644 "$TMP/ro/p.db"
as=()
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" != 0 ] || [ ${#as[@]} -gt 0 ]; then
    for args in "stats" "export" "export --format wide" \
                "eval $FIX/predictions.csv" "classes tabby" "disagreements"; do
        # shellcheck disable=SC2086
        last_cmd="relabel $args (read-only folder)"
        # shellcheck disable=SC2086
        "${as[@]}" "$RELABEL" --db "$TMP/ro/p.db" $args >"$OUT" 2>"$ERR"
        rc=$?
        expect_rc 0 "$args in a read-only folder"
    done
    [ -e "$TMP/ro/p.db-wal" ] && fail "a -wal file appeared" || pass "no -wal made"
else
    pass "# SKIP read-only folder: root without setpriv"
fi
chmod 755 "$TMP/ro"

# ---- 7. the smaller gaps ---------------------------------------------------
rev() {   # WHAT LINE...: a reviews import of these rows must be refused
    local what=$1 field=$2
    shift 2
    printf '%s\n' "${HEAD:-image,wnid,state,reviewer,problematic,updated_at}" >"$TMP/r.csv"
    printf '%s\n' "$@" >>"$TMP/r.csv"
    before=$(count "SELECT count(*) FROM review")
    before_t=$(count "SELECT count(*) FROM timing")
    rl --db "$P" import reviews "$TMP/r.csv"
    expect_rc 1 "$what"
    expect_err "$TMP/r.csv:${LINE:-2}: $field:" "$what: FILE:LINE: $field"
    expect_eq "$(count "SELECT count(*) FROM review")" "$before" "$what: nothing stored"
    expect_eq "$(count "SELECT count(*) FROM timing")" "$before_t" "$what: no timing stored"
}
rev "a reviewer name with a comma" reviewer "$IMG,$WNID,correct,\"a,b\",,"
rev "a reviewer name with ESC" reviewer "$IMG,$WNID,correct,$(printf 'a\033]2;x\a'),,"
rev "a reviewer name of 5000 characters" reviewer "$IMG,$WNID,correct,$(head -c 5000 /dev/zero | tr '\0' a),,"
rev "a reviewer name with U+202E" reviewer "$IMG,$WNID,correct,$(printf 'ab\xe2\x80\xaecd'),,"
rev "2026-02-30" updated_at "$IMG,$WNID,correct,bob,,2026-02-30T10:00:00Z"
rev "2025-02-29 (no leap year)" updated_at "$IMG,$WNID,correct,bob,,2025-02-29T10:00:00Z"
rev "2026-04-31" updated_at "$IMG,$WNID,correct,bob,,2026-04-31T10:00:00Z"
# The long form's timing columns (image rows).
HEAD=image,wnid,state,reviewer,first_shown,last_change,active_ms
T0=2026-01-02T03:04:05.000Z
rev "first_shown 2026-02-30" first_shown "$IMG,,,bob,2026-02-30T10:00:00Z,,5"
rev "last_change not a time" last_change "$IMG,,,bob,$T0,yesterday,5"
rev "active_ms negative" active_ms "$IMG,,,bob,$T0,,-5"
rev "active_ms not a number" active_ms "$IMG,,,bob,$T0,,12abc"
rev "active_ms without first_shown" first_shown "$IMG,,,bob,,,5"
rev "a timing on a verdict row" first_shown "$IMG,$WNID,correct,bob,$T0,,5"
LINE=3 rev "a bad timing after a good one (one transaction)" active_ms \
    "$IMG,,,bob,$T0,,5" "$IMG,,,ann,$T0,,1e3"
unset HEAD
rl --db "$P" --reviewer 'a,b' stats
expect_rc 2 "--reviewer with a comma (the same rule)"
rl --db "$P" --reviewer "$(printf 'ab\xe2\x80\xaecd')" stats
expect_rc 2 "--reviewer with U+202E (the same rule)"
printf 'image,wnid,state,reviewer,updated_at\n%s\n' "$IMG,$WNID,correct,bob,2024-02-29T10:00:00Z" >"$TMP/leap.csv"
rl --db "$P" import reviews "$TMP/leap.csv"
expect_rc 0 "2024-02-29 (a leap year) is a date"

names() {  # WHAT NAME: a labels import creating image NAME is refused
    printf 'image,wnid\n%s,%s\n' "$2" "$WNID" >"$TMP/l.csv"
    before=$(count "SELECT count(*) FROM image")
    rl --db "$P" import labels "$TMP/l.csv"
    expect_rc 1 "an image name $1"
    expect_err "$TMP/l.csv:2: image:" "$1: FILE:LINE: image"
    expect_eq "$(count "SELECT count(*) FROM image")" "$before" "$1: no near-duplicate"
}
names "with a leading space" " $IMG"
names "with a trailing space" "$IMG "
names "starting with a BOM" $'\xef\xbb\xbf'"$IMG"
printf 'image,path\n %s,%s\n' "$IMG" "imgs/$IMG" >"$TMP/ip.csv"
rl --db "$P" import images "$TMP/ip.csv"
expect_rc 1 "import images: an image name with a leading space"
expect_err "$TMP/ip.csv:2: image:" "import images: FILE:LINE: image"

for s in inf -inf nan infinity 1e999; do
    printf 'image,model,wnid,score\n%s,m,%s,%s\n' "$IMG" "$WNID" "$s" >"$TMP/pr.csv"
    rl --db "$P" import predictions "$TMP/pr.csv"
    expect_rc 1 "a score of $s"
    expect_err "$TMP/pr.csv:2: score:" "$s: FILE:LINE: score"
done
expect_eq "$(count "SELECT count(*) FROM prediction")" 0 "no prediction stored"

rl --db "$P" export --consensus reviewer:TYPO
expect_rc 1 "export --consensus reviewer:TYPO"
expect_err "unknown reviewer 'TYPO'" "the unknown reviewer is named"
rl --db "$P" export --format wide --consensus reviewer:alice
expect_rc 0 "export --consensus reviewer:alice (known)"

printf 'image,wnid,state,reviewer,problematic\n%s,,,alice,1\n' "$IMG" >"$TMP/flag.csv"
rl --db "$P" import reviews "$TMP/flag.csv"
expect_rc 0 "a flag-only row"
expect_out "1 rows: 1 new, 0 changed" "the flag-only row is counted (new)"
printf 'image,wnid,state,reviewer,problematic\n%s,,,alice,0\n' "$IMG" >"$TMP/flag0.csv"
rl --db "$P" import reviews "$TMP/flag0.csv"
expect_out "1 rows: 0 new, 1 changed" "a flag-only row changing a flag: changed"
rl --db "$P" import reviews "$TMP/flag.csv"
rl --db "$P" import reviews "$TMP/flag.csv"
expect_out "0 changed, 0 empty (no label), 1 unchanged" "the same flag again: unchanged"
expect_eq "$(count "SELECT problematic FROM flag f JOIN image i ON i.id = f.image WHERE i.name = '$IMG' AND reviewer = 'alice'")" 1 "and stored"

# ---- 5. a file size limit: EFBIG and the message, not death by SIGXFSZ ----
{
    echo image,wnid
    seq 1 60000 | sed "s/.*/big_&.JPEG,$WNID/"
} >"$TMP/big.csv"
before=$(count "SELECT count(*) FROM image")
# 200 KiB more than the project now: the write-ahead log hits the limit.
limit=$(( $(stat -c %s "$P") / 1024 + 200 ))
last_cmd="relabel import labels big.csv (ulimit -f $limit)"
( ulimit -f $limit; exec "$RELABEL" --db "$P" import labels "$TMP/big.csv" ) >"$OUT" 2>"$ERR"
rc=$?
expect_rc 1 "an import over ulimit -f exits 1, not 153"
expect_err "file size limit" "the file size limit is named"
expect_eq "$(count "SELECT count(*) FROM image")" "$before" "nothing stored"
expect_eq "$(count "PRAGMA integrity_check")" ok "the project is whole"

finish
