#!/bin/bash
# test_utf8_cut.sh - a long class name in a 300-column class browser: the
# screen's 512-byte line buffers cut "xy" + 400 x "é" in the middle of a
# character, which used to show as a stray "\xc3" after the last é (in the
# search row, the detail line, the wrapped names and the tree row). Text is cut at
# character boundaries: no "\x" escape on the screen, the names end in é.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/cls"
name="xy$(printf 'é%.0s' $(seq 1 400))"
{
    printf 'index\twnid\tnames\tgloss\n'
    printf '0\tn00000001\t%s\tgloss\n1\tn00000002\tdog\ta dog\n' "$name"
} >"$TMP/cls/classes.tsv"
printf 'image,wnid\na.JPEG,n00000001\n' >"$TMP/labels.csv"
rl --db "$DB" init --classes "$TMP/cls" >/dev/null || fail "init --classes"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "labels"

start_review 300 30
wait_for 'Image: a\.JPEG'
send b
wait_for 'type to search'
typein x
wait_for '^ *n00000001 +0 +xyé+'
sleep 0.2
if screen | grep -q '\\x'; then
    fail "a character cut in half is shown as an escape: $(screen | grep -o '.\{8\}\\x.\{0,8\}' | head -3)"
fi
screen | grep -Eq '^ *n00000001 +0 +xyé+ - gloss' \
    || fail "the search row does not end in whole characters"
send C-u                    # clears the search: the tree again
wait_for '^ +xyé+  n00000001 0'
screen | grep -q '\\x' && fail "the tree row shows a cut character: $(screen | grep -o '.\{8\}\\x.\{0,8\}' | head -3)"
send Escape
wait_for 'Image: a\.JPEG'
screen | grep -q '\\x' && fail "the review screen shows a cut character"
send q
wait_exit
expect "$STATUS" 0 "exit status"
echo "$TEST_NAME: ok"
