#!/bin/bash
# test_filter_message.sh - at 80x24, F's answer ("filter: unreviewed
# (N images)") fits the status line whole: the line drops its own
# "filter: X" while the answer shows (it used to repeat the name first
# and cut the count off), and names the filter again after the next key.
# O's answer does not repeat the order either, and after a mark "saved"
# and after an undo its answer show whole: the counts before them give way.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
n=$(q "SELECT count(*) FROM image")
[ "$n" -ge 2 ] || fail "the demo project has $n images"

start_review 80 24
wait_for '\| filter: all'
send F
wait_for "filter: unreviewed \\($n images\\)"
line=$(screen | grep -F "filter: unreviewed ($n images)")
case $line in
*"filter unreviewed;"*|*"| filter: unreviewed |"*)
    fail "filter named twice: $line" ;;
esac
send n
wait_for "image 2 of $n \\(filter unreviewed; $n in all\\)"
screen | grep -q "($n images)" && fail "the answer should be gone"
screen | grep -q "| filter: unreviewed" && fail "filter named twice after n"
send O
wait_for 'order: disagree \(models'
line=$(screen | grep -F 'order: disagree (models')
case $line in
*"order: disagree |"*) fail "order named twice: $line" ;;
esac
send c
wait_for '\| saved *$'
expect "$(q "SELECT count(*) FROM review WHERE reviewer = '$REVIEWER'")" 1 \
    "the mark is stored when the line says saved"
send z
wait_for 'undone: mark on [^|]*, saved *$'
send q
wait_exit
expect "$STATUS" 0 "exit status"
echo "$TEST_NAME: ok"
