#!/bin/bash
# test_suspend.sh - ctrl-Z stops relabel with the terminal given back
# (curses leaves the alternate screen), SIGCONT (fg) brings the screen
# back whole, image included, and marking goes on; nothing is lost.
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
RENDER=symbols
demo_db "$DB"
# The kernel never stops a process in an orphaned process group (nobody
# could continue it), and a tmux pane's group is one: its parent is the
# tmux server. A shell with job control puts each job in a process group
# of its own and gives it the terminal; start relabel that way, as the
# wrapper's child.
real=$RELABEL
RELABEL=$TMP/relabel-jobctl
cat >"$RELABEL" <<PY
#!/usr/bin/python3
import os, signal, sys
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
os.setpgid(0, 0)
os.tcsetpgrp(0, os.getpgrp())
for s in (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
    signal.signal(s, signal.SIG_DFL)
os.execv("$real", ["$real"] + sys.argv[1:])
PY
chmod +x "$RELABEL"
start_review 120 36
wait_for '^c Correct '
p=$(pid)
send c
wait_for '\| saved'
before=$(screen)

send C-z
poll "relabel stopped" 5 -- sh -c "ps -o stat= -p $p | grep -q T"
expect "$(t display -p -t rl '#{alternate_on}')" 0 \
    "while stopped, the terminal is out of the alternate screen"
# What fg does.
kill -CONT "$p"
poll "relabel running" 5 -- sh -c "ps -o stat= -p $p | grep -qv T"
wait_for '^c Correct '
expect "$(t display -p -t rl '#{alternate_on}')" 1 \
    "after fg, back in the alternate screen"
# The image pane is written again: the same screen as before ctrl-Z.
poll "screen restored" 5 -- sh -c '[ "$(tmux -L '"$SOCK"' capture-pane -p -t rl)" = "$1" ]' _ "$before"
echo "ok - the screen after fg is the screen before ctrl-Z"
send w
wait_for '\| saved'
expect "$(q "SELECT count(*) FROM review")" 2 "both marks are stored"
send q
wait_exit
expect "$STATUS" 0 "relabel exits 0"
exit 0
