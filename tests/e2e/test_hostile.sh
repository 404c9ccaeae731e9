#!/bin/bash
# test_hostile.sh - image names and notes are data, never terminal input:
# a name holding an OSC 52 escape (which would set the clipboard) and one
# with a right-to-left override, a note with C1 controls. The screen shows
# them escaped ("\x1b", "\u202e", "\x9b"); not one of those bytes reaches
# the terminal (pipe-pane records all output; tmux, told to accept OSC 52,
# got no paste buffer); the database and `relabel export --format long`
# keep the bytes exactly, and carries the reviewer's timings.
. "$(dirname "$0")/lib.sh"

EVIL=$'evil\e]52;c;SGVsbG8=\a.JPEG'
RTL=$'rtl\u202egepj.JPEG'
NOTE=$'see \u0085corner \u009b31mred\u009b0m'
CAT=n02123045

{
    echo image,wnid
    printf '%s,%s\n' "$EVIL" $CAT "$RTL" $CAT plain.JPEG $CAT
} >"$TMP/labels.csv"
{
    echo image,wnid,state,reviewer,problematic,note
    printf '%s,%s,wrong,bob,1,%s\n' "$RTL" $CAT "$NOTE"
    printf '%s,%s,wrong,%s,1,%s\n' "$RTL" $CAT $REVIEWER "$NOTE"
} >"$TMP/bob.csv"
rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "import labels"
rl --db "$DB" import reviews "$TMP/bob.csv" >/dev/null || fail "import reviews"
expect "$(q "SELECT count(*) FROM image")" 3 "images"
# Stored byte for byte.
hex()
{
    printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F
}
expect "$(q "SELECT count(*) FROM image WHERE hex(name) = '$(hex "$EVIL")'")" 1 \
    "the escape in a name, stored"
expect "$(q "SELECT hex(note) FROM flag WHERE reviewer = '$REVIEWER'")" "$(hex "$NOTE")" \
    "the C1 controls in a note, stored"

start_review 120 36
t set -g set-clipboard on     # if OSC 52 got through, tmux would take it
: >"$TMP/out.bin"
t pipe-pane -o -t rl "cat >>'$TMP/out.bin'" || fail "pipe-pane"
wait_for '^c Correct '

# ---- the screen: every hostile character escaped ------------------------
send :
typein "$(printf 'evil\\x1b]52;c;SGVsbG8=\\x07.JPEG')"
send Enter
wait_for "no image named 'evil\\\\x1b\]52;c;SGVsbG8=\\\\x07\.JPEG'"
# (typed, the backslashes are text: no such image.) Go by position.
wait_for 'Image: evil\\x1b\]52;c;SGVsbG8=\\x07\.JPEG'
send c
wait_for "$(row C $CAT)"
send n
wait_for 'Image: plain\.JPEG'
send n
wait_for 'Image: rtl\\u202egepj\.JPEG'
wait_for 'PROBLEMATIC$'
wait_for 'Note: see \\x85corner \\x9b31mred\\x9b0m$'
wait_for 'reviewed by others too'
wait_for "$(sel W $CAT)"
send c
wait_for "$(row C $CAT)"
send i
wait_for 'Image: \(name hidden: i shows it\)'
send i
wait_for 'Image: rtl\\u202egepj\.JPEG'

# Names in the command line are escaped as well.
send q
wait_exit
respawn_review --start "$EVIL"
wait_for 'Image: evil\\x1b\]52;c;SGVsbG8=\\x07\.JPEG'
send q
wait_exit
respawn_review --start $'nope\e[2J'
wait_for "no image named 'nope\\\\x1b\[2J'"
send q
wait_exit
expect "$STATUS" 0 "exit status"

# ---- nothing raw reached the terminal -----------------------------------
poll "pipe-pane output" -- test -s "$TMP/out.bin"
grep -q $'\e]52' "$TMP/out.bin" && fail "OSC 52 reached the terminal"
grep -q $'\u202e' "$TMP/out.bin" && fail "U+202E reached the terminal"
grep -q $'\u0085\|\u009b' "$TMP/out.bin" && fail "a C1 control reached the terminal"
grep -q $'\a' "$TMP/out.bin" && fail "BEL reached the terminal"
[ -z "$(t list-buffers)" ] || fail "tmux got a paste buffer: $(t list-buffers)"

# ---- the export keeps the bytes --------------------------------------------
rl --db "$DB" export --format long >"$TMP/long.csv" || fail "export"
grep -qF "$EVIL" "$TMP/long.csv" || fail "the export lost the escape in a name"
grep -qF "$RTL" "$TMP/long.csv" || fail "the export lost U+202E in a name"
# A verdict row and an image row (the flag and its note) each for bob and
# for $REVIEWER; the note's C1 controls exported as stored.
expect "$(grep -cF "$RTL" "$TMP/long.csv")" 4 "rows of $RTL (bob and $REVIEWER)"
expect "$(grep -cF "$NOTE" "$TMP/long.csv")" 2 "the note, byte for byte, on both image rows"
# The reviewer's timings (every image shown): one image row each, ending
# in active_ms; plain.JPEG, shown but not marked, by a timing alone.
expect "$(grep -cE ",$REVIEWER,.*,[0-9]+\$" "$TMP/long.csv")" \
    "$(q "SELECT count(*) FROM timing WHERE reviewer = '$REVIEWER'")" \
    "an image row per timing"
expect "$(grep -c "^plain\.JPEG,,,$REVIEWER,,,,,,,,20.*Z,,[0-9]*\$" "$TMP/long.csv")" 1 \
    "plain.JPEG: a timing row, flag fields empty, no change"
expect "$(q "SELECT group_concat(state) FROM review
             WHERE reviewer = '$REVIEWER'")" correct,correct "marks"
exit 0
