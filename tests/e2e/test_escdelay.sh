#!/bin/bash
# test_escdelay.sh - issue 15: Esc takes effect at once (a 25 ms escape
# delay, not curses' default of a second), unless the user set ESCDELAY,
# which is then respected.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"
start_review 100 30
wait_for '^c Correct '
send '?'
wait_for '^ Keys of the review screen'
send Escape
wait_gone 'Keys of the review screen' 1    # well under curses' 1000 ms
send q
wait_exit

# ESCDELAY=3000 set by the user: a lone Esc waits those 3 s.
cat >"$TMP/escdelay.sh" <<EOS
#!/bin/sh
ESCDELAY=3000 exec "$RELABEL" "\$@"
EOS
chmod +x "$TMP/escdelay.sh"
RELABEL=$TMP/escdelay.sh
respawn_review
wait_for '^c Correct '
send '?'
wait_for '^ Keys of the review screen'
send Escape
sleep 1
screen | grep -q 'Keys of the review screen' \
    || fail "Esc acted at once although ESCDELAY=3000 was set"
wait_gone 'Keys of the review screen' 6
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
