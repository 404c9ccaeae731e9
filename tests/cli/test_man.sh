#!/bin/bash
# test_man.sh - the man page against the code: its ENVIRONMENT section
# names every variable the sources read with getenv(), its COMMANDS
# section every command of the binary's table, and it renders without
# groff warnings.
. "$(dirname "$0")/lib.sh"

MAN=$RL_SRC/share/man/relabel.1
[ -f "$MAN" ] || { fail "no $MAN"; finish; }
env_section=$(awk '/^\.SH ENVIRONMENT/ { on = 1; next } /^\.SH/ { on = 0 } on' "$MAN")
[ -n "$env_section" ] && pass "the man page has an ENVIRONMENT section" \
    || fail "the man page has no ENVIRONMENT section"

vars=$(grep -rhoE 'getenv\("[A-Za-z_0-9]+"\)' "$RL_SRC/src" "$RL_SRC/include" |
       sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
[ -n "$vars" ] && pass "the sources read $(echo $vars | wc -w) variables" \
    || fail "found no getenv() in the sources"
# What curses and the terminal detection read, named by the issue.
for v in $(printf '%s\n' $vars RELABEL_DB RELABEL_REVIEWER RELABEL_SHARE \
           XDG_DATA_HOME HOME VISUAL EDITOR NO_COLOR COLORTERM TERM TMUX \
           ESCDELAY LC_ALL | sort -u); do
    if printf '%s\n' "$env_section" | grep -qE "^\.B[IR]? .*\b$v\b"; then
        pass "ENVIRONMENT lists $v"
    else
        fail "ENVIRONMENT does not list $v"
    fi
done

cmds_section=$(awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$MAN")
rl __complete ""
for cmd in $(tail -n +2 "$OUT"); do
    m=$(printf '%s' "$cmd" | sed 's/-/\\\\-/g')
    if printf '%s\n' "$cmds_section" | grep -qE "^\.B $m( |$)"; then
        pass "COMMANDS describes $cmd"
    else
        fail "COMMANDS does not describe $cmd"
    fi
done

if command -v groff >/dev/null; then
    warn=$(groff -man -ww -z "$MAN" 2>&1)
    expect_eq "$warn" "" "groff renders it without warnings"
else
    echo "# groff is not installed: rendering not checked"
fi
grep -q "LICENSE" "$MAN" && pass "the man page names the licences" \
    || fail "the man page does not mention LICENSE"

finish
