#!/bin/bash
# test_locale_c.sh - issue 15: under LC_ALL=C (no UTF-8) the screen is
# ASCII: the ellipsis of a cut line is "...", the guide's bullets and
# quote bars are "*" and "|", and no byte above 0x7f reaches the terminal
# (it would show as garbage such as "M-b~@M-&"). Marks still work.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/c-locale.sh" <<EOS
#!/bin/sh
LC_ALL=C exec "$RELABEL" "\$@"
EOS
chmod +x "$TMP/c-locale.sh"
RELABEL=$TMP/c-locale.sh

demo_db "$DB"
start_review 80 24 --start chelsea_cat.JPEG
wait_for 'Image: chelsea_cat.JPEG '
wait_for '\.\.\.$'                       # a cut path line
ascii_only()
{
    ! t capture-pane -p -t rl | LC_ALL=C grep -q '[^ -~]'
}
ascii_only || fail "non-ASCII on the screen: $(t capture-pane -p -t rl \
    | LC_ALL=C grep -n '[^ -~]' | head -3)"
screen | grep -q 'M-' && fail "UTF-8 shown as meta characters"
send g
wait_for 'Guide 1/2: Tabby vs tiger cat vs Egyptian cat'
wait_for '^.* \* n02123045 tabby, tabby cat'
wait_for '\| tabby: "a cat with a grey or tawny coat'
ascii_only || fail "non-ASCII in the guide"
send Escape
wait_for 'Image: chelsea_cat.JPEG '
send c
wait_for '\| saved'
expect "$(q "SELECT count(*) FROM review")" 1 "a mark under LC_ALL=C"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
