#!/bin/bash
# test_termxterm.sh - detection in a real terminal: Debian's xterm under
# Xvfb. `xterm -ti vt340` answers DA1 with sixel (4) and is drawn in
# sixel; plain `xterm` has no sixel and gets 256-colour symbols, as
# before; both name themselves by XTVERSION, and the cell size comes from
# the pixel size xterm puts in TIOCGWINSZ.
. "$(dirname "$0")/lib.sh"

command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed (package xvfb)"
command -v xterm >/dev/null 2>&1 || skip "xterm is not installed"

# A display of our own: Xvfb picks a free number and writes it to a file
# (a file, not a pipe of a process substitution, which may be gone before
# the first read: "no display number" after 0.2 s).
Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp 9>"$TMP/display" \
    >"$TMP/xvfb.log" 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; wait $XVFB 2>/dev/null; cleanup' EXIT
poll "Xvfb to start" -- test -s "$TMP/display"
n=$(head -n1 "$TMP/display")
[ -n "$n" ] || fail "Xvfb gave no display number: $(cat "$TMP/xvfb.log")"

# in_xterm NAME XTERM-OPTIONS...: relabel doctor in xterm; report in $OUT
in_xterm()
{
    local name=$1

    shift
    OUT=$TMP/doctor.$name
    # shellcheck disable=SC2086
    env -i $CLEAN_ENV DISPLAY=":$n" timeout 20 xterm "$@" -geometry 100x30 \
        -e sh -c "TERM=xterm-256color '$RELABEL' doctor >'$OUT.tmp' 2>&1;
                  mv '$OUT.tmp' '$OUT'" 2>/dev/null
    [ -s "$OUT" ] || fail "doctor in xterm $* printed nothing"
}

has()
{
    grep -Eq -- "$1" "$OUT" || { cat "$OUT" >&2; fail "$2: no /$1/"; }
}

in_xterm vt340 -ti vt340
has '^pixels: +sixel$' "xterm -ti vt340"
has '^terminal: +XTerm\([0-9]+\)$' "XTVERSION"
has '^cell: +[0-9]+x[0-9]+ pixels$' "cell size"
has 'cell: [0-9]+x[0-9]+ pixels \(TIOCGWINSZ\)' "cell size from TIOCGWINSZ"
echo "ok - xterm -ti vt340: sixel, $(sed -n 's/^cell: *//p' "$OUT") cells"

in_xterm plain
has '^pixels: +symbols$' "plain xterm"
has '^colors: +256$' "plain xterm: 256 colours, as before"
echo "ok - plain xterm: 256-colour symbols"
exit 0
