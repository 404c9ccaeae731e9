#!/bin/bash
# test_stats_live.sh - the counters `relabel stats` reads follow the
# review screen: after marks, a bulk mark, a flag, a confirmation, an
# undo and a redo in the real binary, stats prints the COUNT queries'
# numbers and `relabel check` finds every counter equal to its count;
# after each action too (a second session, between keys).
. "$(dirname "$0")/lib.sh"

A=astronaut_collins.JPEG B=cameraman_tripod_gray.JPEG
HELMET=n03127747 DOME=n03220513

demo_db "$DB"

# stats_agree WHAT: stats prints what the tables hold, and check finds
# no counter drifted.
stats_agree()
{
    local out line want

    out=$(rl --db "$DB" stats) || fail "$1: stats failed"
    want="images all reviewed  $(q "SELECT count(*) FROM (SELECT image,
          count(*) n FROM candidate GROUP BY image) c JOIN (SELECT image,
          count(DISTINCT class) n FROM review GROUP BY image) r
          USING (image) WHERE c.n = r.n")"
    printf '%s\n' "$out" | grep -qxF "$want" || fail "$1: stats lacks '$want'"
    want="reviewed candidates  $(q "SELECT count(*) FROM (SELECT DISTINCT
          image, class FROM review)")"
    printf '%s\n' "$out" | grep -qxF "$want" || fail "$1: stats lacks '$want'"
    want="problematic images   $(q "SELECT count(DISTINCT image) FROM flag
          WHERE problematic")"
    printf '%s\n' "$out" | grep -qxF "$want" || fail "$1: stats lacks '$want'"
    want="events logged        $(q "SELECT count(*) FROM event")"
    printf '%s\n' "$out" | grep -qxF "$want" || fail "$1: stats lacks '$want'"
    line=$(printf '%s\n' "$out" | grep "^$REVIEWER ")
    want=$(q "SELECT printf('%-20s %8d %9d %9d %11d', '$REVIEWER',
              count(DISTINCT image), count(*),
              (SELECT count(*) FROM flag WHERE reviewer = '$REVIEWER'
               AND done), (SELECT count(*) FROM flag
               WHERE reviewer = '$REVIEWER' AND problematic))
              FROM review WHERE reviewer = '$REVIEWER'")
    expect "$line" "$want" "$1: the reviewer's line"
    rl --db "$DB" check >"$TMP/check.out" 2>&1 ||
        fail "$1: check: $(cat "$TMP/check.out")"
    grep -q 'statistics counters agree' "$TMP/check.out" ||
        fail "$1: check does not say the counters agree"
}

# ---- session 1: marks, a bulk mark, a flag, a confirmation ----------
start_review 120 36
wait_for "Image: $A "
send c
wait_for "$(row C $HELMET)"
wait_for '\| saved'
send W
wait_for '\| 0 unreviewed'
send p
wait_for 'PROBLEMATIC$'
send Enter
wait_for "Image: $B "
send c
wait_for "$(row C $DOME)"
send q
wait_exit
stats_agree "after session 1"
expect "$(q "SELECT count(*) FROM flag WHERE done AND reviewer = '$REVIEWER'")" \
    1 "one image confirmed"

# ---- session 2: undo back across the confirmation, redo ------------
respawn_review
wait_for "Image: "
send z
wait_for 'undone: mark on .*, saved'
stats_agree "after an undo (the screen still open)"
send z
wait_for 'undone: .*saved'
send z
wait_for 'undone: .*saved'
stats_agree "after three undos"
send Z
wait_for 'redone: .*saved'
stats_agree "after a redo"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
