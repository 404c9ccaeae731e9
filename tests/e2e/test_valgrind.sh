#!/bin/bash
# test_valgrind.sh - one review session under valgrind's memcheck, in the
# real chafa render path: marks, a bulk action, confirm, next image, undo,
# the help screen, quit; valgrind must report no errors (exit status 99
# otherwise). Skipped in the sanitizer build, which valgrind cannot run.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
if grep -q __asan_init "$RELABEL" 2>/dev/null; then
    skip "an AddressSanitizer build (valgrind cannot run it)"
fi
DB=$TMP/p.db
demo_db "$DB"
real=$RELABEL
RELABEL=$TMP/relabel-vg
cat >"$RELABEL" <<SH
#!/bin/sh
ps -o comm= -p \$\$ >/dev/null; : >"$TMP/vg.ran"
exec valgrind -q --error-exitcode=99 --track-fds=no \\
    --log-file="$TMP/vg.log" "$real" "\$@"
SH
chmod +x "$RELABEL"

start 120 36 --db "$DB" review
wait_for '^c Correct ' 60
send c
wait_for '\| saved' 30
send W
wait_for ' 0 unreviewed' 30
send Enter
wait_for 'image 2 of 10' 30
send n
wait_for 'image 3 of 10' 30
send z
wait_for 'undone: confirmation .*saved' 30
send z
wait_for 'undone: bulk mark .*saved' 30
send '?'
wait_for 'Keys of the review screen' 30
send x
wait_for '^c Correct ' 30
send q
wait_exit 60
if [ "$STATUS" != 0 ]; then
    sed 's/^/# /' "$TMP/vg.log" | head -60
    fail "relabel under valgrind exited $STATUS (99: memcheck errors)"
fi
[ -s "$TMP/vg.log" ] && { sed 's/^/# /' "$TMP/vg.log" | head -40;
    fail "valgrind reported something"; }
# The session did run under valgrind (its process was memcheck).
[ -f "$TMP/vg.ran" ] || fail "relabel did not run under valgrind"
echo "ok - a review session under valgrind: no errors"
expect "$(q 'SELECT count(*) FROM review')" 1 \
    "the marks left after undo are stored"
exit 0
