#!/bin/bash
# test_detail.sh - --detail low, for slow links: the next image costs
# well under half the bytes of a full-detail one (the same image, the same
# terminal), measured on what reaches the terminal (tmux pipe-pane).
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
RENDER=symbols
demo_db "$DB"

# bytes_for_next ARGS...: bytes written while moving to the next image,
# in $BYTES (no subshell: the tmux helpers keep state).
bytes_for_next() {
    local log=$TMP/pipe.$RUN.log
    if [ "$RUN" = 0 ]; then start_review 120 36 "$@"
    else respawn --db "$DB" review --render symbols "$@"; fi
    wait_for '^c Correct '
    wait_for 'image 1 of 10'
    : >"$log"
    t pipe-pane -o -t rl "cat >>$log"
    send n
    wait_for 'image 2 of 10'
    sleep 0.3
    t pipe-pane -t rl
    BYTES=$(wc -c <"$log")
}
bytes_for_next
full=$BYTES
bytes_for_next --detail low
low=$BYTES
echo "# next image: $full bytes at full detail, $low at --detail low"
[ "$full" -gt 5000 ] || fail "full detail wrote only $full bytes"
[ $((low * 2)) -lt "$full" ] \
    || fail "--detail low wrote $low bytes, not under half of $full"
echo "ok - --detail low writes under half the bytes"
send q
wait_exit
exit 0
