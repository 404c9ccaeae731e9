#!/bin/bash
# test_chafa.sh - the default render (symbols through chafa, no --render
# ascii) in a 256-colour terminal: most rows of the image pane carry
# 256-colour escapes (38;5 / 48;5) and block or symbol characters. A mark
# then redraws the text without writing the image again (tmux pipe-pane
# records every byte relabel sends), and leaves the image rows as they
# were; moving to the next image does write one.
. "$(dirname "$0")/lib.sh"

export LC_ALL=C.UTF-8          # ${line:0:N} counts characters
RENDER=symbols
W=120 H=36 PANE_COLS=48 PANE_ROWS=34   # the pane is 2/5 of the width

demo_db "$DB"
start_review $W $H
wait_for 'Image: astronaut_collins.JPEG '
wait_for '^c Correct '
expect "$(pane '#{pane_width}x#{pane_height}')" ${W}x$H "pane size"
t show -gv default-terminal | grep -qx tmux-256color \
    || fail "TERM in the pane is not tmux-256color"

colour_rows()
{
    t capture-pane -p -e -t rl | head -n $PANE_ROWS | grep -cE '\[(38|48);5;'
}
# Left PANE_COLS characters of the pane rows (plain text).
image_part()
{
    local line

    screen | head -n $PANE_ROWS | while IFS= read -r line; do
        printf '%s\n' "${line:0:$PANE_COLS}"
    done
}

poll "colour in the image pane" -- test "$(colour_rows)" -gt 0
n_colour=$(colour_rows)
[ "$n_colour" -ge $((PANE_ROWS / 2)) ] \
    || fail "only $n_colour of $PANE_ROWS pane rows have 256-colour escapes"
n_blocks=$(image_part | grep -c '[▀▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐░▒▓▔▕▖▗▘▙▚▛▜▝▞▟]')
[ "$n_blocks" -ge $((n_colour / 2)) ] \
    || fail "only $n_blocks rows with block symbols ($n_colour with colour)"
# The text part has colours too, but of the 8 basic ones: 38;5 is the image.
[ "$(screen | grep -c 'Candidates (3)')" = 1 ] || fail "no candidate list"

image_part >"$TMP/image.before"
screen >"$TMP/plain.before"
t capture-pane -p -e -t rl >"$TMP/screen.before"

# ---- one mark: text redrawn, image not written --------------------------
: >"$TMP/out.bin"
t pipe-pane -o -t rl "cat >>'$TMP/out.bin'" || fail "pipe-pane"
send c
wait_for "$(row C n03127747)"
poll "the mark's bytes through pipe-pane" -- grep -q 'saved' "$TMP/out.bin"
bytes=$(wc -c <"$TMP/out.bin")
if grep -qE $'\e\\[[0-9;]*(38|48);5;' "$TMP/out.bin"; then
    fail "a mark wrote the image again ($bytes bytes, with 256-colour escapes)"
fi
[ "$bytes" -lt 4000 ] || fail "a mark wrote $bytes bytes"
image_part | cmp -s - "$TMP/image.before" \
    || fail "the image part of the screen changed after a mark"
# Rows whose text the mark did not change are the same, colours included
# (capture-pane -e starts a row with a reset when the row above ended in
# other attributes: resets are left out of the comparison).
t capture-pane -p -e -t rl >"$TMP/screen.after"
mapfile -t pb <"$TMP/plain.before"
mapfile -t pa < <(screen)
mapfile -t eb < <(sed 's/\x1b\[0m//g' "$TMP/screen.before")
mapfile -t ea < <(sed 's/\x1b\[0m//g' "$TMP/screen.after")
same=0
for ((i = 0; i < H; i++)); do
    [ "${pb[i]-}" = "${pa[i]-}" ] || continue
    [ "${eb[i]-}" = "${ea[i]-}" ] || fail "row $i: same text, other colours"
    same=$((same + 1))
done
[ $same -ge $((H / 2)) ] || fail "only $same rows unchanged by a mark"
expect "$(state_of astronaut_collins.JPEG n03127747)" correct "stored mark"

# ---- the next image: written once ----------------------------------------
: >"$TMP/out.bin"
send n
wait_for 'Image: cameraman_tripod_gray.JPEG '
poll "the next image's bytes" -- grep -qE $'\e\\[[0-9;]*(38|48);5;' "$TMP/out.bin"
poll "colour in the next image" -- test "$(colour_rows)" -ge $((PANE_ROWS / 2))
image_part | cmp -s - "$TMP/image.before" && fail "the image did not change"
t pipe-pane -t rl

send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
