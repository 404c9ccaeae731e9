#!/bin/bash
# test_kill9.sh - a mark the screen has acknowledged ("saved") survives
# kill -9 right after: the project passes PRAGMA integrity_check, and every
# acknowledged mark is in review and, as a 'do' 'mark' step, in event.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '
PID=$(pid)

# mark KEY IMAGE WNID LETTER: the selected row is WNID; mark it, wait for
# the screen to show it saved.
acked=()
mark()
{
    wait_for "Image: $2 "
    wait_for "$(sel . "$3")"
    send "$1"
    wait_for "$(row "$4" "$3")"
    wait_for '\| saved$'
    acked+=("$2|$3|$5")
}
mark c astronaut_collins.JPEG n03127747 C correct
mark w astronaut_collins.JPEG n04266014 W wrong
mark u astronaut_collins.JPEG n03355925 U unclear
send n
mark 1 cameraman_tripod_gray.JPEG n03220513 C correct
mark 2 cameraman_tripod_gray.JPEG n04485082 W wrong
mark 4 cameraman_tripod_gray.JPEG n04069434 D dont_know
send n
mark c chelsea_cat.JPEG n02123159 C correct
mark d chelsea_cat.JPEG n02123045 D dont_know
kill -9 "$PID"
wait_exit
expect "$STATUS" 137 "exit status after kill -9"

expect "$(q "PRAGMA integrity_check")" ok "integrity_check"
expect "$(q "PRAGMA foreign_key_check")" "" "foreign_key_check"
want=$(printf '%s\n' "${acked[@]}" | sort)
got=$(q "SELECT i.name || '|' || c.wnid || '|' || r.state FROM review r
         JOIN image i ON i.id = r.image JOIN class c ON c.id = r.class
         WHERE r.reviewer = '$REVIEWER'" | sort)
expect "$got" "$want" "stored reviews"
expect "$(q "SELECT count(*) FROM event e JOIN step s ON s.id = e.step
             WHERE s.kind = 'do' AND s.what = 'mark'")" ${#acked[@]} \
    "events of mark steps"
got=$(q "SELECT i.name || '|' || c.wnid || '|' || e.after FROM event e
         JOIN step s ON s.id = e.step JOIN image i ON i.id = e.image
         JOIN class c ON c.id = e.class
         WHERE s.kind = 'do' AND s.what = 'mark'" | sort)
expect "$got" "$want" "logged marks"

# The next session carries on where the killed one was.
respawn_review
wait_for 'Image: cameraman_tripod_gray.JPEG '   # the first one not finished
wait_for "$(row C n03220513)"
wait_for "$(row D n04069434)"
send z
wait_for 'Image: chelsea_cat.JPEG '
wait_for "$(row . n02123045)"
expect "$(state_of chelsea_cat.JPEG n02123045)" '' "undo after kill -9"
send q
wait_exit
expect "$STATUS" 0 "exit status"
expect "$(q "PRAGMA integrity_check")" ok "integrity_check at the end"
exit 0
