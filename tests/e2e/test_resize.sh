#!/bin/bash
# test_resize.sh - a storm of resizes (50 sizes, some below the 60x15
# minimum) leaves the process alive and, back at the first size, a screen
# identical to the one before; too small shows a message and ignores marks;
# marks work after; starting too small and growing works too.
. "$(dirname "$0")/lib.sh"

W=120 H=36

# same_as FILE [SECONDS]: poll until the screen equals FILE.
same_as()
{
    local i=0 limit=${2:-5}

    while ! screen | cmp -s - "$1"; do
        i=$((i + 1))
        if [ $i -ge $((limit * 20)) ]; then
            screen | diff -u "$1" - >&2
            fail "screen differs from $(basename "$1") (diff above)"
        fi
        sleep 0.05
    done
}

resize()
{
    t resize-window -t rl -x "$1" -y "$2" || fail "resize-window $1x$2"
}

alive()
{
    finished && fail "relabel died ($1)"
    kill -0 "$PID" 2>/dev/null || fail "relabel is gone ($1)"
}

demo_db "$DB"
start_review $W $H
wait_for 'Image: astronaut_collins.JPEG '
wait_for '^c Correct '
PID=$(pid)
screen >"$TMP/before.txt"

# ---- the storm: 50 sizes, no waiting in between ------------------------
i=0
while [ $i -lt 50 ]; do
    w=$((30 + (i * 37) % 150)) h=$((6 + (i * 13) % 50))
    [ $((i % 10)) = 5 ] && w=40 h=10
    resize $w $h
    i=$((i + 1))
done
alive "after the storm"
# And one batch in a single tmux command: resizes faster than the loop.
set --
for s in 40x10 200x60 61x15 59x14 120x36 80x24 1x1 300x100 45x12 100x30; do
    set -- "$@" resize-window -t rl -x "${s%x*}" -y "${s#*x}" \;
done
t "$@" || fail "batched resize"
alive "after the batch"

# ---- too small: a message, and keys other than q do nothing ------------
resize 40 10
wait_for '^Terminal too small: relabel needs at'
wait_for '\(now 40x10\)'
send c w W
resize 59 $H
wait_for '59x36\)\.'
resize $W 14
wait_for '120x14\)\.'
expect "$(q "SELECT count(*) FROM review")" 0 "reviews after keys when too small"

# ---- back: the very same screen as before --------------------------------
resize $W $H
same_as "$TMP/before.txt"
alive "back at ${W}x$H"

# ---- resizes under the help screen and in full screen ----------------------
send '?'
wait_for '^ Keys of the review screen'
for s in 70x20 40x10 150x50 60x15; do
    resize "${s%x*}" "${s#*x}"
done
resize $W $H
wait_for '^ Keys of the review screen'
wait_for 'any other key returns'
send Escape
same_as "$TMP/before.txt"
send f
wait_gone 'Candidates \('
for s in 90x30 40x10 200x60; do
    resize "${s%x*}" "${s#*x}"
done
resize $W $H
wait_for '^ image 1 of 10 '
send f
same_as "$TMP/before.txt"

# ---- marks still work -------------------------------------------------------
send c
wait_for "$(row C n03127747)"
wait_for '\| saved$'
expect "$(state_of astronaut_collins.JPEG n03127747)" correct "mark after resizes"
alive "after a mark"
send q
wait_exit
expect "$STATUS" 0 "exit status"

# ---- started too small, then grown ----------------------------------------
resize 40 10
respawn_review
wait_for '^Terminal too small'
resize $W $H
wait_for 'Image: astronaut_collins.JPEG '
wait_for "$(row C n03127747)"
wait_for '^c Correct '
send w
wait_for "$(row W n04266014)"
expect "$(state_of astronaut_collins.JPEG n04266014)" wrong "mark after growing"
send q
wait_exit
expect "$STATUS" 0 "exit status"

# ---- symbols mode: the image, written directly, comes back too ----------
# Compared with colours (capture-pane -e), resets left out: tmux starts a
# row with one when the row above ended in other attributes.
ecap()
{
    t capture-pane -p -e -t rl | sed 's/\x1b\[0m//g'
}
# The text columns (right of the image pane) exactly, and every image
# row coloured again. The image itself may differ in detail: after the
# storm it is re-rendered from the pixels decoded for the largest size
# seen (a resize never decodes again), not decoded afresh.
PANE=$((W * 2 / 5))
text_part()
{
    t capture-pane -p -t rl | cut -c$((PANE + 1))-
}
coloured_rows()
{
    ecap | head -n $((H - 2)) | grep -c '48;5;\|38;5;'
}
same_colours()
{
    [ "$(text_part)" = "$(cat "$TMP/symbols_text.txt")" ] \
        && [ "$(coloured_rows)" -ge "$(cat "$TMP/symbols_rows.txt")" ]
}
RENDER=symbols
respawn_review
wait_for 'Image: astronaut_collins.JPEG '
wait_for '^c Correct '
poll "the image in colour" -- grep -q '48;5;' <(ecap)
PID=$(pid)
text_part >"$TMP/symbols_text.txt"
coloured_rows >"$TMP/symbols_rows.txt"
[ "$(cat "$TMP/symbols_rows.txt")" -gt $((H / 2)) ] \
    || fail "only $(cat "$TMP/symbols_rows.txt") coloured image rows"
i=0
while [ $i -lt 20 ]; do
    resize $((40 + (i * 53) % 140)) $((8 + (i * 7) % 45))
    i=$((i + 1))
done
resize 40 10
wait_for '^Terminal too small'
resize $W $H
poll "the same text and a coloured image after the storm" -- same_colours
alive "symbols mode"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
