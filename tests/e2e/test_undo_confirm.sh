#!/bin/bash
# test_undo_confirm.sh - issue 15 bug 2: a confirmation is an undo step
# of its own, and redo brings back what undo took, the confirmation too.
# A W Enter, z undoes only the Enter (and says so); Z confirms again.
# Five images confirmed, five undos and five redos: five confirmed.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
confirmed()
{
    q "SELECT count(*) FROM flag WHERE reviewer = '$REVIEWER' AND done"
}

start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '
for i in 1 2 3 4 5; do
    send A
    wait_for '\| saved'
    send W
    wait_for ' 0 unreviewed'
    send Enter
    wait_for "^ image $((i + 1)) of 10 "
done
expect "$(confirmed)" 5 "confirmed after five A W Enter"
marks=$(q "SELECT count(*) FROM review WHERE reviewer = '$REVIEWER'")

# z right after Enter undoes the confirmation alone, on its image.
send z
wait_for 'undone: confirmation \(dahlia_flower.JPEG\), saved'
wait_for 'Image: dahlia_flower.JPEG '
expect "$(confirmed)" 4 "confirmed after z"
expect "$(q "SELECT count(*) FROM review WHERE reviewer = '$REVIEWER'")" \
    "$marks" "marks after undoing the confirmation"
send z
wait_for 'undone: bulk mark of [0-9]+ candidates? \(dahlia_flower.JPEG\)'
send Z
wait_for 'redone: bulk mark of'
send Z
wait_for 'redone: confirmation \(dahlia_flower.JPEG\), saved'
expect "$(confirmed)" 5 "confirmed after z z Z Z"

# Five levels down and back up, one key at a time.
# steps_are KIND N: the reviewer has N steps of KIND stored.
steps_are()
{
    [ "$(q "SELECT count(*) FROM step WHERE reviewer = '$REVIEWER'
            AND kind = '$1'")" = "$2" ]
}
for i in 1 2 3 4 5; do
    send z
    poll "undo $i stored" -- steps_are undo $((2 + i))
done
expect "$(confirmed)" 3 "confirmed after five undos"
for i in 1 2 3 4 5; do
    send Z
    poll "redo $i stored" -- steps_are redo $((2 + i))
done
wait_for 'redone: confirmation \(dahlia_flower.JPEG\), saved'
expect "$(confirmed)" 5 "confirmed after five undos and five redos"
expect "$(q "SELECT count(*) FROM review WHERE reviewer = '$REVIEWER'")" \
    "$marks" "marks after five undos and five redos"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
