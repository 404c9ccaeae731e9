#!/bin/bash
# test_goto.sh - issue 15: `:` takes an image's exact name, a unique
# prefix, a part of the name or its number in the queue, and offers a
# list to pick from when several names match; `n` on the last image says
# it wrapped to the first.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '

go() {
    send :
    wait_for 'Go to image'
    typein "$1"
    send Enter
}

go chel                                # a unique prefix
wait_for 'Image: chelsea_cat.JPEG '
go 5                                   # a number: the fifth by name
wait_for 'Image: dahlia_flower.JPEG '
wait_for '^ image 5 of 10 '
go 99
wait_for 'no image 99: the queue has 10 images'
go zzz
wait_for "no image named 'zzz', nor one containing it"
go ra                                  # no prefix; three names contain it
wait_for "^ Images matching 'ra' \\(3\\)"
wait_for '^ >  1 cameraman_tripod_gray.JPEG'
wait_for '^    2 grace_hopper.JPEG'
wait_for '^    3 wall_clock_blurred_gray.JPEG'
send Down
wait_for '^ >  2 grace_hopper.JPEG'
send Enter
wait_for 'Image: grace_hopper.JPEG '
go ra
wait_for "^ Images matching 'ra'"
# `/` searches the rows (the shared list search), again: the next match.
send /
wait_for 'Search:'
typein CLOCK
send Enter
wait_for '^ >  3 wall_clock_blurred_gray.JPEG'
send /
wait_for 'Search: CLOCK'
send BSpace BSpace BSpace BSpace BSpace
typein gray
send Enter
wait_for '^ >  1 cameraman_tripod_gray.JPEG'
send /
send Enter                             # the same search: the next match
wait_for '^ >  3 wall_clock_blurred_gray.JPEG'
send Escape                            # nothing chosen
wait_for 'Image: grace_hopper.JPEG '
go summer_palace.JPEG                  # the exact name
wait_for 'Image: summer_palace.JPEG '

# n on the last image wraps, and says so.
go 10
wait_for 'Image: wall_clock_blurred_gray.JPEG '
send n
wait_for 'Image: astronaut_collins.JPEG '
wait_for 'wrapped to the first image'
send N
wait_for 'Image: wall_clock_blurred_gray.JPEG '
wait_for 'wrapped to the last image'
send n
wait_for 'Image: astronaut_collins.JPEG '
send n
wait_for 'Image: cameraman_tripod_gray.JPEG '
screen | grep -q wrapped && fail "a step that did not wrap says it did"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
