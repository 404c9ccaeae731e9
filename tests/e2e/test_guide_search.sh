#!/bin/bash
# test_guide_search.sh - issue 15: guide search jumps to the first match
# and highlights it; a wnid prefix finds the entries of its classes; one
# Esc closes the guide alone, q closes every overlay.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
start_review 120 36 --start chelsea_cat.JPEG
wait_for 'Image: chelsea_cat.JPEG '
send g
wait_for 'Guide 1/2: Tabby vs tiger cat vs Egyptian cat'
wait_for '/ search .*\? help +q close all$'
# A phrase deep in the rays entry: the entry opens at it, highlighted.
send /
wait_for 'Search the guide:'
typein 'eye-spots'
send Enter
wait_for 'Guide 1/[0-9]+ \(search\): Stingray vs electric ray'
wait_for 'eye-spots'
t capture-pane -e -p -t rl | grep -q $'\e\\[[0-9;]*7meye-spots' \
    || fail "the match is not in reverse video"
screen | sed -n 2p | grep -q 'Stingray vs electric ray' \
    && fail "the entry was not scrolled to the match"
# A wnid prefix.
send /
wait_for 'Search the guide:'
typein n014980
send Enter
wait_for 'Guide 1/1 \(search\): Stingray vs electric ray'
wait_for '1 entry matches'
# ? lists the guide's keys; q there closes the help and the guide.
send '?'
wait_for '^ Keys of the labeling guide'
wait_for '^  /  +search the guide: words, or a wnid'
send q
wait_for 'Image: chelsea_cat.JPEG '
# From the class browser: one Esc per overlay.
send b
wait_for '^ +Classes +Search:'
send C-g
wait_for 'Guide 1/'
send Escape
wait_for '^ +Classes +Search:'
send Escape
wait_for 'Image: chelsea_cat.JPEG '
send b
wait_for '^ +Classes +Search:'
send C-g
wait_for 'Guide 1/'
send q
wait_for 'Image: chelsea_cat.JPEG '
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
