#!/bin/bash
# test_task_keys.sh - issue 15, training friction: `?` lists the task
# screen's keys from its table in each phase (the result panel's c is
# "suggest Correct"); 0 answers "no class applies / not in ImageNet"
# explicitly; z takes the last answer back, in the result panel and from
# the next image.
. "$(dirname "$0")/lib.sh"

DB=$TMP/xdg/relabel/demo.db
TASK='Demo: confusable classes'
answer_of() {   # POS: the stored answer's class ('' for none), or "unset"
    q "SELECT coalesce((SELECT coalesce(c.wnid, '') FROM answer a
        JOIN task_image ti ON ti.task = a.task AND ti.image = a.image
        LEFT JOIN class c ON c.id = a.class WHERE ti.pos = $1), 'unset')"
}

start 120 36 demo train "$TASK" --render ascii --feedback always
wait_for 'image 1 of 10, part 1 of 1'
wait_for 'Select the most specific class'
wait_for '^\+ pick a class  Enter confirm  0 no class  e external  g guide  z undo .*\? help  q home$'
send '?'
wait_for '^ Keys of the training task'
wait_for '^  0 +no class applies / not in ImageNet \(Enter confirms it\)'
wait_for '^  z +undo: take back the last answer'
screen | grep -q 'suggest that your label is Correct' \
    && fail "the result panel's keys are listed while answering"
send Escape
wait_for 'Select the most specific class'

# 0 Enter: the explicit none, on the cat (the gold has a correct class).
send 0
wait_for 'Your label: +\(no class applies / not in ImageNet\)'
send Enter
wait_for 'Not correct'
poll "the none answer is stored" -- test "$(answer_of 0)" = ''
# ? in the result panel: the suggestion keys, c first.
send '?'
wait_for '^  c +suggest that your label is Correct for this image'
wait_for '^  p +suggest that the image is problematic'
send x
wait_for 'Not correct'
# z in the result panel: the answer is taken back, asked for again.
send z
wait_for 'answer on image 1 taken back, saved'
wait_for 'Select the most specific class'
expect "$(answer_of 0)" unset "the answer after z"
send Enter
wait_for 'Not correct'
send Enter
wait_for 'image 2 of 10'
# The Falcon 9: by the guide no class applies; 0 agrees with the gold.
send 0 Enter
wait_for 'Agrees with the gold: no class applies \(not scored\)'
send Enter
wait_for 'image 3 of 10'
# z while answering image 3 takes back image 2's answer.
send z
wait_for 'answer on image 2 taken back, saved'
wait_for 'image 2 of 10'
expect "$(answer_of 1)" unset "image 2's answer after z"
expect "$(answer_of 0)" '' "image 1's answer is kept"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
