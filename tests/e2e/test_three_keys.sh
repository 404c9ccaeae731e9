#!/bin/bash
# test_three_keys.sh - the common case costs three keys: the consensus top
# guess is the first row and selected, `c` marks it Correct, `W` the rest
# Wrong, Enter confirms and moves on. Keys are typed ahead, as a fast
# reviewer does, without waiting for the screen in between. The project
# is the one `relabel demo` creates in $XDG_DATA_HOME.
. "$(dirname "$0")/lib.sh"

DB=$TMP/xdg/relabel/demo.db
expect "$(rl demo --where)" "$DB" "relabel demo --where"
start 120 36 demo --render ascii
wait_for '^c Correct '
[ -f "$DB" ] || fail "relabel demo did not create $DB"

# Image names in queue order (by name), from the database.
names=$(q "SELECT name FROM image ORDER BY name")
set -- $names
n=$#
i=0
for img in "$@"; do
    i=$((i + 1))
    wait_for "Image: $img "
    wait_for "^ image $i of $n \| [0-9]+ unreviewed"
    # Every candidate row, in screen order, matches the consensus order.
    want=$(cands_of "$img" | tr '\n' ' ')
    got=$(screen | sed -nE 's/^.* [ >]\[[.CWUD]\] [ G] (n[0-9]{8}) .*$/\1/p' \
          | tr '\n' ' ')
    expect "$got" "$want" "candidate order of $img"
    top=$(cands_of "$img" | head -n 1)
    wait_for "$(sel . $top)"
    [ $i -gt 3 ] && break

    send c W Enter
    if [ $i -lt $n ]; then
        next=$(q "SELECT name FROM image ORDER BY name LIMIT 1 OFFSET $i")
        wait_for "Image: $next "
    fi
    ncand=$(cands_of "$img" | wc -l)
    expect "$(q "SELECT group_concat(c.wnid) FROM review r
                 JOIN class c ON c.id = r.class JOIN image m ON m.id = r.image
                 WHERE m.name = '$img' AND r.state = 'correct'")" "$top" \
        "correct on $img"
    expect "$(q "SELECT count(*) FROM review r JOIN image m ON m.id = r.image
                 WHERE m.name = '$img' AND r.state = 'wrong'")" \
        $((ncand - 1)) "wrong on $img"
    expect "$(q "SELECT done FROM flag f JOIN image m ON m.id = f.image
                 WHERE m.name = '$img' AND f.reviewer = '$REVIEWER'")" 1 \
        "done on $img"
done
# Three images, nine keys, nine steps: c (mark), W (bulk), Enter (confirm).
expect "$(q "SELECT group_concat(what, ' ') FROM (SELECT what FROM step
             WHERE kind = 'do' ORDER BY id)")" \
    "mark bulk confirm mark bulk confirm mark bulk confirm" "steps"
expect "$(q "SELECT count(*) FROM flag WHERE done")" 3 "images done"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
