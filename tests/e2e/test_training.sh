#!/bin/bash
# test_training.sh - a part of the demo's training task in training mode
# with feedback on error only: right answers move straight on, a wrong one
# shows the result panel (original label, gold with states) where a
# suggestion is stored for adjudication; quitting mid-part resumes at the
# same image; the part ends with its score, which must equal the one the
# database gives. Then a second reviewer does the task in evaluation mode
# and `relabel eval --humans` reports the accuracy the answers imply.
. "$(dirname "$0")/lib.sh"

DB=$TMP/xdg/relabel/demo.db
TASK='Demo: confusable classes'

# The first correct gold class of task position POS, or, when the gold
# has none, any class (the answer is then not scored).
gold_of() {
    q "SELECT coalesce((SELECT c.wnid FROM gold g JOIN class c ON c.id =
        g.class WHERE g.task = t.id AND g.image = ti.image AND g.state =
        'correct' ORDER BY c.idx LIMIT 1), 'n04044716')
       FROM task t JOIN task_image ti ON ti.task = t.id
       WHERE ti.pos = $1"
}
# True when the gold of position POS has no correct class.
unscored() {
    [ "$(q "SELECT count(*) FROM gold g JOIN task_image ti ON ti.task =
        g.task AND ti.image = g.image WHERE ti.pos = $1
        AND g.state = 'correct'")" = 0 ]
}
# A class that is wrong (not correct in the gold) for position POS.
wrong_of() {
    q "SELECT c.wnid FROM class c, task_image ti WHERE ti.pos = $1
       AND c.idx IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gold g
       WHERE g.task = ti.task AND g.image = ti.image AND g.class = c.id
       AND g.state = 'correct') ORDER BY c.idx LIMIT 1"
}
# answer WNID: pick it in the class search and confirm.
answer() {
    send +
    wait_for 'Pick a class +Search:'
    typein "$1"
    wait_for "^ *$1 "
    send Enter
    wait_for "Your label: +$1 "
    send Enter
}

start 120 36 demo train --render ascii --feedback error
wait_for 'Training tasks'
wait_for 'Completed 0 out of 10 images \(0 out of 1 parts\)'
send Enter
wait_for 'image 1 of 10, part 1 of 1'
wait_for 'Select the most specific class'

# Image 1 right: no feedback, straight to image 2.
answer "$(gold_of 0)"
wait_for 'image 2 of 10'
# Image 2, the Falcon 9: by the guide no class applies, so not scored.
unscored 1 || fail "the Falcon 9's gold should have no correct class"
answer "$(gold_of 1)"
wait_for 'Not scored: the gold has no correct class'
send Enter
wait_for 'image 3 of 10'
# Image 3 wrong: the result panel, with the gold and the original label.
w=$(wrong_of 2)
answer "$w"
wait_for 'Not correct'
wait_for 'Original label: n'
wait_for "\[C\] $(gold_of 2) "
send u
wait_for 'Your suggestion: Unclear'
expect "$(q "SELECT suggestion FROM answer a JOIN task_image ti ON
    ti.image = a.image AND ti.task = a.task WHERE ti.pos = 2")" unclear \
    "the suggestion is stored with the answer"
expect "$(q "SELECT count(*) FROM gold g JOIN class c ON c.id = g.class
    JOIN task_image ti ON ti.image = g.image WHERE ti.pos = 2
    AND c.wnid = '$w' AND g.state = 'correct'")" 0 \
    "and the gold is not changed by it"
send Enter
wait_for 'image 4 of 10'
answer "$(gold_of 3)"
wait_for 'image 5 of 10'

# Quit mid-part: home, then out. Four answers are stored.
send q
wait_for 'Completed 4 out of 10 images \(0 out of 1 parts\)'
send q
wait_exit
expect "$STATUS" 0 "relabel exits 0"
expect "$(q "SELECT count(*) FROM answer WHERE mode = 'training'")" 4 \
    "four training answers stored"

# Again: the task resumes at image 5.
respawn demo train "$TASK" --render ascii --feedback error
wait_for 'image 5 of 10, part 1 of 1'
for pos in 4 5 6 7 8 9; do
    answer "$(gold_of $pos)"
    if unscored $pos; then
        # No class applies: on error, the panel says why it is not scored.
        wait_for 'Not scored: the gold has no correct class'
        send Enter
    fi
    [ $pos -lt 9 ] && wait_for "image $((pos + 2)) of 10"
done
wait_for 'Part 1 of 1 done'
want=$(q "SELECT count(*) FROM answer a WHERE a.reviewer = '$REVIEWER' AND
    EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task AND g.image =
    a.image AND g.class = a.class AND g.state = 'correct')")
scored=$(q "SELECT count(*) FROM answer a WHERE a.reviewer = '$REVIEWER' AND
    EXISTS (SELECT 1 FROM gold g WHERE g.task = a.task AND g.image =
    a.image AND g.state = 'correct')")
expect "$want $scored" "6 7" "database: 6 of 7 scored answers correct"
wait_for "Score: $want of $scored correct"
wait_for 'Mistakes:'
# Mistakes name the classes and give their glosses, not bare wnids.
wait_for 'coffee_cup.JPEG: yours tench, Tinca tinca \(freshwater'
wait_for 'right: espresso \(strong black coffee'
send Enter
# Issue 15 bug 3: a finished task lists every answer against its gold.
wait_for "Task complete: 10 answered, $want of $scored scored answers correct"
wait_for '^ >\[ok\]  1 chelsea_cat.JPEG: yours tabby, tabby cat; gold: tabby'
wait_for '\[--\]  2 falcon9_rocket.JPEG: yours .*not scored'
wait_for '\[no\]  3 coffee_cup.JPEG: yours '
send q
wait_exit
respawn demo train --render ascii --feedback error
wait_for 'Completed 10 out of 10 images .*Enter: review answers'
send Enter
wait_for '\[no\]  3 coffee_cup.JPEG: yours '
send Down Down
wait_for '>\[no\]  3 coffee_cup.JPEG'
send Enter
wait_for 'image 3 of 10'
wait_for 'Not correct'
wait_for 'Enter returns to them'
send Enter
wait_for 'Task complete: 10 answered'
# `/` searches the answers (the shared list search) by image name.
send /
wait_for 'Search:'
typein dahlia
send Enter
wait_for '^ >\[..\] +[0-9]+ dahlia_flower.JPEG'
send q
wait_for 'Training tasks'
send q
wait_exit

# Evaluation mode for another reviewer, no feedback at all.
respawn --db "$DB" --reviewer eve train "$TASK" --render ascii \
    --feedback never
wait_for 'image 1 of 10'
wait_for 'evaluation: no feedback'
for pos in 0 1 2 3 4 5 6 7 8 9; do
    if [ $pos = 3 ]; then
        answer "$(wrong_of $pos)"     # one mistake, and no panel for it
    else
        answer "$(gold_of $pos)"
    fi
    [ $pos -lt 9 ] && wait_for "image $((pos + 2)) of 10"
done
wait_for 'no score shown'
send q
wait_exit
expect "$(q "SELECT count(*) FROM answer WHERE reviewer = 'eve' AND mode =
    'evaluation'")" 10 "ten evaluation answers for eve"
out=$(rl --db "$DB" eval --humans --format csv)
case "$out" in
*"eve,all,7,0.857143,"*) echo "ok - eval --humans: eve 6 of 7 (0.857)" ;;
*) fail "eval --humans: expected eve,all,7,0.857143 in: $out" ;;
esac
case "$out" in
*"$REVIEWER,"*) fail "training-mode answers must not count: $out" ;;
*) echo "ok - training answers are not in eval --humans" ;;
esac
exit 0
