#!/bin/bash
# test_undo_restart.sh - undo and redo live in the database: after a
# restart, z undoes the previous session's last mark and jumps to its
# image; several levels go back across two images; Z redoes, also after
# another restart; a new mark drops what was left to redo.
. "$(dirname "$0")/lib.sh"

A=astronaut_collins.JPEG B=cameraman_tripod_gray.JPEG
HELMET=n03127747 SHUTTLE=n04266014
DOME=n03220513 TRIPOD=n04485082

demo_db "$DB"

# check IMAGE WNID LETTER STATE: the screen shows IMAGE with WNID marked
# LETTER, and the database has STATE ('' for none).
check()
{
    wait_for "Image: $1 "
    wait_for "$(row $3 $2)"
    expect "$(state_of "$1" "$2")" "$4" "$2 on $1"
}

# ---- session 1: two marks on each of two images ----------------------
start_review 120 36
wait_for "Image: $A "
send c
check $A $HELMET C correct
send w
check $A $SHUTTLE W wrong
send n
wait_for "Image: $B "
send c
check $B $DOME C correct
send u
check $B $TRIPOD U unclear
send q
wait_exit

# ---- session 2: undo three levels, redo two ---------------------------
respawn_review
wait_for "Image: $A "                  # the first unfinished image
send z
wait_for 'undone: mark on .*, saved'
check $B $TRIPOD . ''                  # jumped to the previous session's image
check $B $DOME C correct
send z
check $B $DOME . ''
send z
check $A $SHUTTLE . ''                 # back across to the first image
check $A $HELMET C correct
send Z
wait_for 'redone: mark on .*, saved'
check $A $SHUTTLE W wrong
send Z
check $B $DOME C correct
check $B $TRIPOD . ''
expect "$(q "SELECT group_concat(kind || ':' || what, ' ') FROM
             (SELECT * FROM step WHERE reviewer = '$REVIEWER' ORDER BY id)")" \
    "do:mark do:mark do:mark do:mark undo:undo undo:undo undo:undo redo:redo redo:redo" \
    "steps after session 2"
send q
wait_exit

# ---- session 3: the last undo is still there to redo ---------------------
respawn_review
wait_for "Image: $A "
send Z
wait_for 'redone: mark on .*, saved'
check $B $TRIPOD U unclear
send Z
wait_for 'nothing to redo'
send z
check $B $TRIPOD . ''
send z
check $B $DOME . ''
# Undo selects the candidate it changed. A new mark: what was undone can
# no longer be redone.
wait_for "$(sel . $DOME)"
send d
check $B $DOME D dont_know
send Z
wait_for 'nothing to redo'
send z
check $B $DOME . ''
send z
check $A $SHUTTLE . ''
send z
check $A $HELMET . ''
send z
wait_for 'nothing to undo'
expect "$(q "SELECT count(*) FROM review")" 0 "reviews after undoing all"
# The log keeps everything: 5 marks, and every undo / redo as its own step.
expect "$(q "SELECT count(*) FROM step WHERE kind = 'do'")" 5 "do steps"
expect "$(q "SELECT count(*) FROM step WHERE kind = 'undo'")" 8 "undo steps"
expect "$(q "SELECT count(*) FROM step WHERE kind = 'redo'")" 3 "redo steps"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
