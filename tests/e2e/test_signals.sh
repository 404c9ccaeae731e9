#!/bin/bash
# test_signals.sh - SIGTERM, SIGHUP and ^C (SIGINT) end relabel cleanly:
# exit status 0, the terminal restored (main screen, cursor shown, keypad
# mode off: tmux's own view of the pane), marks kept. Also while a prompt
# is open, and when the terminal goes away (tmux server killed): relabel
# ends instead of spinning on a dead terminal.
. "$(dirname "$0")/lib.sh"

demo_db "$DB"

# restored WHAT: relabel has ended with 0 and left the terminal as found.
restored()
{
    wait_exit
    expect "$STATUS" 0 "exit status after $1"
    wait_for '^\[relabel exited with status 0\]'
    expect "$(pane 'alt=#{alternate_on} cursor=#{cursor_flag} keypad=#{keypad_cursor_flag}#{keypad_flag}')" \
        "alt=0 cursor=1 keypad=00" "terminal after $1"
}

# gone PID: the process has ended (or is a zombie nobody reaps).
gone()
{
    ! kill -0 "$1" 2>/dev/null \
        || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]
}

# ---- SIGTERM --------------------------------------------------------------
start_review 120 36
wait_for 'Image: astronaut_collins.JPEG '
send c
wait_for "$(row C n03127747)"
wait_for '\| saved$'
expect "$(pane '#{alternate_on}#{cursor_flag}')" 10 "terminal while running"
kill -TERM "$(pid)"
restored SIGTERM
expect "$(state_of astronaut_collins.JPEG n03127747)" correct "mark after SIGTERM"

# ---- SIGHUP -----------------------------------------------------------------
respawn_review
wait_for 'Image: astronaut_collins.JPEG '
wait_for "$(sel . n04266014)"
send w
wait_for "$(row W n04266014)"
kill -HUP "$(pid)"
restored SIGHUP
expect "$(state_of astronaut_collins.JPEG n04266014)" wrong "mark after SIGHUP"

# ---- ^C -----------------------------------------------------------------------
respawn_review
wait_for 'Image: astronaut_collins.JPEG '
send C-c
restored "^C"

# ---- SIGTERM while a prompt is open: the prompt is cancelled -------------
respawn_review
wait_for 'Image: astronaut_collins.JPEG '
send P
wait_for '^Problematic note:'
typein 'half typed'
wait_for '^Problematic note: half typed'
kill -TERM "$(pid)"
restored "SIGTERM in a prompt"
expect "$(q "SELECT count(*) FROM flag WHERE note <> ''")" 0 "note after SIGTERM"

# ---- the terminal goes away: in the main loop, then in a prompt -----------
for where in loop prompt; do
    respawn_review
    wait_for 'Image: astronaut_collins.JPEG '
    if [ $where = prompt ]; then
        send :
        wait_for '^Go to image:'
    fi
    PID=$(pid)
    t kill-server
    poll "relabel to end after a hangup ($where)" 3 -- gone "$PID"
    start 120 36 --version
    wait_for "^relabel [0-9]"
done

expect "$(q "PRAGMA integrity_check")" ok "integrity_check"
expect "$(q "SELECT count(*) FROM review")" 2 "reviews kept"
exit 0
