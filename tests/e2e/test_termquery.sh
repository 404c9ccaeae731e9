#!/bin/bash
# test_termquery.sh - terminal detection on a pty that answers the
# queries (termplay.py) as kitty, as `xterm -ti vt340`, as a VT100, not at
# all, and with a hostile reply: what `relabel doctor` prints, that a
# silent terminal holds up the review screen's first frame by about the
# 150 ms timeout only (measured; asserted < 1 s), that a key typed while
# the replies come is not lost, NO_COLOR, the per-user config file and
# its errors, and --print-terminal.
. "$(dirname "$0")/lib.sh"

PLAY=$HERE/termplay.py
[ -x /usr/bin/python3 ] || skip "python3 is not installed"
CFG=$TMP/xdg-config
mkdir -p "$CFG/relabel"

# play ROLE [termplay options] -- ARGS: relabel ARGS on a pty playing
# ROLE; its bytes in $OUT, the rest of termplay's report in $PLAYED.
play()
{
    local role=$1

    shift
    OUT=$TMP/out.$role.$RUN
    RUN=$((RUN + 1))
    # shellcheck disable=SC2086
    PLAYED=$(env -i $CLEAN_ENV TERM=${PTERM:-xterm-256color} \
        XDG_CONFIG_HOME="$CFG" ${PENV:-} /usr/bin/python3 "$PLAY" "$role" \
        --out "$OUT" "$@" "$RELABEL" "${ARGS[@]}") \
        || fail "termplay $role failed"
}

# doctor ROLE [relabel doctor options]
doctor()
{
    local role=$1

    shift
    ARGS=(doctor "$@")
    play "$role" --
    grep -q '^status=0' <<<"$PLAYED" || fail "doctor as $role: $PLAYED"
}

has()
{
    tr -d '\r' <"$OUT" | grep -Eq -- "$1" \
        || { tr -d '\r' <"$OUT" | cat -v >&2; fail "$2: no /$1/"; }
}

doctor kitty
has '^pixels: +kitty$' "kitty"
has '^colors: +full$' "kitty: truecolor"
has '^cell: +10x20 pixels$' "kitty: cell size from TIOCGWINSZ"
has 'replies: DA1, kitty graphics OK, XTGETTCAP RGB, XTVERSION kitty' \
    "kitty: the replies seen"
has 'terminal: +kitty\(0\.26\.5\)$' "kitty: XTVERSION shown"
echo "ok - kitty: kitty graphics, truecolor, 10x20 cells"

doctor xterm
has '^pixels: +sixel$' "vt340"
has 'pixels: sixel \(DA1 lists sixel \(4\)\)' "vt340: the reason"
has '^cell: +6x13 pixels$' "vt340: cell from TIOCGWINSZ (604x394 / 100x30)"
echo "ok - xterm -ti vt340: sixel"

doctor winsize
has '^cell: +10x20 pixels \(CSI 14 t\)|cell: 10x20 pixels \(CSI 14 t\)' \
    "cell from CSI 14 t (1000x600 / 100x30)"
echo "ok - cell size from CSI 14 t when TIOCGWINSZ has none"

doctor vt100
has '^pixels: +symbols$' "vt100"
has '^colors: +256$' "vt100 on an xterm-256color entry"
echo "ok - VT100 replies: 256-colour symbols"

doctor silent
has '^pixels: +symbols$' "silent"
has '^queries: +no DA1 reply in [0-9]+ ms$' "silent: the timeout said"
ms=$(tr -d '\r' <"$OUT" | sed -n 's/^queries: *no DA1 reply in \([0-9]*\) ms$/\1/p')
[ "$ms" -ge 100 ] && [ "$ms" -lt 1000 ] \
    || fail "silent terminal: queries took $ms ms"
echo "ok - silent terminal: symbols after $ms ms"

doctor hostile
after=$(tr -d '\r' <"$OUT" | sed 's/.*\x1b\[c//')
[ -n "$after" ] || fail "hostile: nothing printed"
if printf '%s' "$after" | grep -q $'\x1b\|\x07\|\xc2\x9b'; then
    printf '%s' "$after" | cat -v >&2
    fail "hostile reply echoed raw"
fi
echo "ok - a hostile reply is not echoed raw"

# ---- colour in text: NO_COLOR, --color; the picture keeps its colours --
PENV="NO_COLOR=1" doctor kitty
has '^text colour: +off$' "NO_COLOR"
has '^colors: +full$' "NO_COLOR keeps the picture's colours"
has '^pixels: +kitty$' "NO_COLOR keeps the picture"
PENV="NO_COLOR=1" doctor kitty --color=always
has '^text colour: +on$' "--color=always beats NO_COLOR"
doctor kitty --color never --colors 16 --pixels symbols
has '^text colour: +off$' "--color never"
has '^colors: +16$' "--colors 16"
has '^pixels: +symbols$' "--pixels symbols"
echo "ok - NO_COLOR and --color for text only; options beat detection"

# ---- the per-user config: beats detection, loses to options ----------
printf '# relabel\npixels = sixel\ncolors = 256\n' >"$CFG/relabel/config"
doctor kitty
has '^pixels: +sixel$' "config pixels"
has "pixels: sixel \\($CFG/relabel/config; detection found kitty\\)" \
    "config named"
has '^colors: +256$' "config colors"
doctor kitty --pixels auto
has '^pixels: +kitty$' "--pixels auto beats the config"
printf 'pixels = kitty\ncolour = 256\n' >"$CFG/relabel/config"
ARGS=(doctor)
play kitty --
grep -q '^status=1' <<<"$PLAYED" || fail "bad config: $PLAYED"
has "relabel: $CFG/relabel/config:2: colour: unknown key" \
    "bad config: FILE:LINE: field"
demo_db "$DB"
ARGS=(--db "$DB" review --render ascii)
play kitty --
grep -q '^status=1' <<<"$PLAYED" || fail "review with a bad config: $PLAYED"
has "config:2: colour: unknown key" "review: the bad config named"
rm "$CFG/relabel/config"
echo "ok - config file: beats detection, loses to options, errors FILE:LINE"

# ---- the review screen -----------------------------------------------
ARGS=(--db "$DB" review --render ascii)
play silent --after q --
grep -q '^status=0' <<<"$PLAYED" || fail "review on a silent terminal: $PLAYED"
ms=$(sed -n 's/^first_frame_ms=//p' <<<"$PLAYED")
echo "# silent terminal: first frame $ms ms after the queries"
[ "$ms" -ge 0 ] && [ "$ms" -lt 1000 ] \
    || fail "silent terminal: first frame after $ms ms"
has 'Candidates' "review drawn"

# q typed before the replies: still read, the screen quits by itself
play kitty --keys q --
grep -q '^status=0' <<<"$PLAYED" || fail "typed-ahead q lost: $PLAYED"
has 'Candidates' "review drawn before the q"
echo "ok - review: first frame in $ms ms when silent; a key typed early kept"

# a slow link: the replies come after the 150 ms, while the screen is up;
# read as keys, "ESC [ ? 63 ; 1 ; 2 ; 4 ... c" would mark candidates
play xterm --delay 400 --after q --
grep -q '^status=0' <<<"$PLAYED" || fail "slow terminal: $PLAYED"
expect "$(q 'SELECT count(*) FROM review')" 0 "marks made by a late reply"
echo "ok - a reply arriving late is not read as keys"

# typed before the replies: Down (as typed before keypad mode), a key
# curses does not know (dropped whole, not read as "9", "9", "~"), then c:
# the second candidate is marked
play kitty --keys $'\e[B\e[99~c' --after q --
grep -q '^status=0' <<<"$PLAYED" || fail "typed-ahead keys: $PLAYED"
expect "$(q 'SELECT group_concat(c.wnid || '"'"':'"'"' || r.state)
             FROM review r JOIN class c ON c.id = r.class')" \
    n04266014:correct "marks from keys typed during the queries"
echo "ok - typed-ahead Down and c: the second candidate marked"

ARGS=(--db "$DB" review --print-terminal)
play xterm --
grep -q '^status=0' <<<"$PLAYED" || fail "--print-terminal: $PLAYED"
has '^pixels: +sixel$' "--print-terminal"
echo "ok - review --print-terminal"
exit 0
