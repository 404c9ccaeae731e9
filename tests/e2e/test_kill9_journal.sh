#!/bin/bash
# test_kill9_journal.sh - marks made while another process holds the
# project's write lock (as an import's final transaction does) are saved
# at once to the journal of marks (DB-marks) and shown; kill -9 of both
# the reviewer and the lock holder then loses none: `relabel check` names
# them, the next writable open applies them as the reviewer's own steps
# (same uids), and undo in the next session undoes the last of them.
. "$(dirname "$0")/lib.sh"

LOCKER=
stop_locker()
{
    exec 7>&-
    [ -n "$LOCKER" ] && kill -9 "$LOCKER" 2>/dev/null
    [ -n "$LOCKER" ] && wait "$LOCKER" 2>/dev/null
    LOCKER=
}
trap 'stop_locker; cleanup' EXIT

locked()
{
    ! sqlite3 "$DB" "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;" \
        >/dev/null 2>&1
}

demo_db "$DB"
start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '
PID=$(pid)

# Another process takes the write lock and keeps it.
mkfifo "$TMP/lock.in"
sqlite3 "$DB" <"$TMP/lock.in" >/dev/null 2>&1 &
LOCKER=$!
exec 7>"$TMP/lock.in"
echo ".timeout 5000" >&7
echo "BEGIN IMMEDIATE; CREATE TEMP TABLE held(x);" >&7
poll "the other process holds the lock" 10 -- locked

# mark KEY IMAGE WNID LETTER STATE: the selected row is WNID; mark it and
# wait for the screen to say saved, within a second.
acked=()
mark()
{
    local t0 ms
    wait_for "Image: $2 "
    wait_for "$(sel . "$3")"
    t0=$(date +%s%N)
    send "$1"
    wait_for "$(row "$4" "$3")"
    wait_for '\| saved$'
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$ms" -lt 1000 ] || fail "mark $1 on $2 took $ms ms to say saved"
    acked+=("$2|$3|$5")
}
mark c astronaut_collins.JPEG n03127747 C correct
mark w astronaut_collins.JPEG n04266014 W wrong
send n
mark 1 cameraman_tripod_gray.JPEG n03220513 C correct
screen | grep -q 'not saved' && fail "a mark said not saved"
locked || fail "the lock was let go before the marks were checked"
expect "$(q "SELECT count(*) FROM review WHERE reviewer = '$REVIEWER'")" 0 \
    "the project does not have them yet"
expect "$(sqlite3 "$DB-marks" "SELECT count(*) FROM pending")" 3 \
    "three steps wait in the journal"
uids=$(sqlite3 "$DB-marks" "SELECT uid FROM pending ORDER BY seq")

# Back on the first image: its marks are shown from the journal.
send N
wait_for 'Image: astronaut_collins.JPEG '
wait_for "$(row C n03127747)"
wait_for "$(row W n04266014)"

kill -9 "$PID"
wait_exit
expect "$STATUS" 137 "exit status after kill -9"
stop_locker
locked && fail "the lock outlived its holder"

out=$(rl --db "$DB" check)
case $out in
*"3 marks of 1 reviewer"*) ;;
*) fail "check does not tell the waiting marks: $out" ;;
esac
expect "$(q "SELECT count(*) FROM review WHERE reviewer = '$REVIEWER'")" 0 \
    "check changes nothing"

# The next session's open applies them.
respawn_review
wait_for 'Image: astronaut_collins.JPEG '   # the first one not finished
wait_for "$(row C n03127747)"
wait_for "$(row W n04266014)"
want=$(printf '%s\n' "${acked[@]}" | sort)
got=$(q "SELECT i.name || '|' || c.wnid || '|' || r.state FROM review r
         JOIN image i ON i.id = r.image JOIN class c ON c.id = r.class
         WHERE r.reviewer = '$REVIEWER'" | sort)
expect "$got" "$want" "every acknowledged mark is stored"
expect "$(q "SELECT uid FROM step WHERE reviewer = '$REVIEWER' ORDER BY id")" \
    "$uids" "as the reviewer's steps, in order, with the journal's uids"
expect "$(sqlite3 "$DB-marks" "SELECT count(*) FROM pending")" 0 \
    "the journal is empty"
send z
wait_for 'Image: cameraman_tripod_gray.JPEG '
wait_for "$(row . n03220513)"
expect "$(state_of cameraman_tripod_gray.JPEG n03220513)" '' \
    "undo undoes the last journaled mark"
send q
wait_exit
expect "$STATUS" 0 "exit status"
expect "$(q "PRAGMA integrity_check")" ok "integrity_check"
exit 0
