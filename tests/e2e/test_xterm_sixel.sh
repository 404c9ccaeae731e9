#!/bin/bash
# test_xterm_sixel.sh - relabel drawing sixel in a real terminal: Debian's
# xterm (-ti vt340, DejaVu Sans Mono, 10x20-pixel cells) on Xvfb, the
# screen taken with ImageMagick's import. xterm_relay.py carries keys in.
#   1. cameraman: the located picture matches the photo resized to its
#      displayed size (PSNR >= 28 dB); the text columns are pixel for
#      pixel those of the same screen drawn with symbols (text intact,
#      nothing of the picture over it); the gap column is background.
#   2. a mark: the picture region does not change, the status says saved.
#   3. n (the cat, shorter): the cat matches (>= 28 dB) and the pane rows
#      above and below it, where the square photo was, are background.
#   4. q: exit status 0, the mark is in the database.
# Skips (77) when Xvfb, xterm, ImageMagick or the font is missing. Slow:
# labelled large. Never leaves Xvfb or xterm running.
. "$(dirname "$0")/lib.sh"

for c in Xvfb xterm import convert compare; do
    command -v $c >/dev/null || skip "$c is not installed (apt-get install xvfb xterm imagemagick)"
done
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
fc-list 2>/dev/null | grep -q 'DejaVu Sans Mono' \
    || skip "font DejaVu Sans Mono is not installed (fonts-dejavu-core)"

W=120 H=40 CW=10 CH=20 BORDER=3   # 1 window border + 2 internal
XPID= XTPID=
stop_x()
{
    [ -n "$XTPID" ] && kill "$XTPID" 2>/dev/null
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    [ -n "$XPID" ] && wait "$XPID" 2>/dev/null
    XPID= XTPID=
}
trap 'stop_x; cleanup' EXIT

demo_db "$DB"
Xvfb -displayfd 9 -screen 0 1280x900x24 -nolisten tcp 9>"$TMP/display" \
    >"$TMP/xvfb.log" 2>&1 &
XPID=$!
poll "Xvfb to start" -- test -s "$TMP/display"
export DISPLAY=:$(head -n1 "$TMP/display")

# $1: render options. Starts xterm running relabel on cameraman.
start_xterm()
{
    rm -f "$TMP/keys" "$TMP/status"
    mkfifo "$TMP/keys"
    xterm -ti vt340 -fa 'DejaVu Sans Mono' -fs 12 -geometry ${W}x$H+0+0 \
        -xrm 'XTerm*cursorBlink: false' -e /usr/bin/python3 \
        "$HERE/xterm_relay.py" "$TMP/keys" "$TMP/status" -- env \
        TERM=xterm-256color LC_ALL=C.UTF-8 RELABEL_REVIEWER=$REVIEWER \
        "$RELABEL" --db "$DB" review --start cameraman_tripod_gray.JPEG \
        $1 >"$TMP/xterm.log" 2>&1 &
    XTPID=$!
}
keys() { printf '%s' "$1" >"$TMP/keys"; }
shot() { import -window root "$TMP/$1.png" || fail "import failed"; }
# crop IMG WxH+X+Y OUT
crop() { convert "$TMP/$1.png" -crop "$2" +repage "$TMP/$3.png"; }
psnr()
{
    compare -metric PSNR "$1" "$2" null: 2>&1 | awk '{print ($1 == "inf") ? 99 : int($1)}'
}
# background GEOMETRY WHAT: that part of the shot is all background (white)
background()
{
    crop shot "$1" part
    [ "$(convert "$TMP/part.png" -format '%[fx:minima.r*255]' info:)" -ge 250 ] \
        || fail "$2 is not background ($1)"
}
# The displayed-size reference: photo NAME to WxH (ImageMagick resampler).
ref() { convert "$DEMO/$1" -filter triangle -resize "$2!" "$TMP/ref.png"; }
# Best PSNR of the WxH box near (X, Y), +-3 pixels: prints "dB x y".
locate()
{
    local w=$1 h=$2 x0=$3 y0=$4 dx dy best=-1 bx=0 by=0 v

    for dy in 0 -1 1 -2 2 -3 3; do
        for dx in 0 -1 1 -2 2 -3 3; do
            crop shot "${w}x$h+$((x0 + dx))+$((y0 + dy))" cand
            v=$(psnr "$TMP/ref.png" "$TMP/cand.png")
            [ "$v" -gt "$best" ] && best=$v bx=$((x0 + dx)) by=$((y0 + dy))
        done
    done
    echo "$best $bx $by"
}
# Waits until the screen is the same twice in a row, 0.5 s apart.
settle()
{
    local i

    shot a
    for ((i = 0; i < 40; i++)); do
        sleep 0.5
        shot b
        [ "$(psnr "$TMP/a.png" "$TMP/b.png")" = 99 ] && break
        mv "$TMP/b.png" "$TMP/a.png"
    done
    mv "$TMP/b.png" "$TMP/shot.png"
}

# Pane: 48 columns of 38 rows; the text from column 49 (0-based).
TEXT_X=$((BORDER + 49 * CW)) TEXT_W=$(((W - 49) * CW)) TEXT_H=$((38 * CH))

# ---- symbols first: the reference for the text columns ------------------
start_xterm "--pixels symbols"
settle
crop shot "${TEXT_W}x$TEXT_H+$TEXT_X+$BORDER" text_symbols
keys q
poll "relabel (symbols) to end" 20 -- test -s "$TMP/status"
kill "$XTPID" 2>/dev/null; wait "$XTPID" 2>/dev/null; XTPID=

# ---- sixel ---------------------------------------------------------------
start_xterm ""    # no options: detection must choose sixel and the cell size
settle
cp "$TMP/shot.png" "$TMP/shot1.png"
# cameraman 500x500 in 480x756 px: 480x480, 24 rows, centred: row 7
ref cameraman_tripod_gray.JPEG 480x480
read -r db x y < <(locate 480 480 $BORDER $((BORDER + 7 * CH)))
echo "# cameraman: ${db} dB at ($x, $y)"
[ "$db" -ge 28 ] || fail "cameraman picture only $db dB against the photo"
crop shot "${TEXT_W}x$TEXT_H+$TEXT_X+$BORDER" text_sixel
v=$(psnr "$TMP/text_symbols.png" "$TMP/text_sixel.png")
[ "$v" = 99 ] || fail "text columns differ from the symbols screen ($v dB)"
# column 48: the gap between picture and text is background
background "${CW}x$TEXT_H+$((BORDER + 48 * CW))+$BORDER" \
    "the column between picture and text"
crop shot "480x480+$x+$y" pic1

# ---- a mark: the picture stays, untouched --------------------------------
keys c
settle
crop shot "480x480+$x+$y" pic2
v=$(psnr "$TMP/pic1.png" "$TMP/pic2.png")
[ "$v" -ge 45 ] || fail "a mark changed the picture ($v dB)"
shot_text=$(convert "$TMP/shot.png" -crop "${TEXT_W}x$TEXT_H+$TEXT_X+$BORDER" +repage "$TMP/text2.png"; psnr "$TMP/text_sixel.png" "$TMP/text2.png")
[ "$shot_text" != 99 ] || fail "the mark did not change the text"

# ---- next: the cat, shorter; nothing of the square photo is left ---------
keys n
sleep 1
settle
cp "$TMP/shot.png" "$TMP/shot3.png"
ref chelsea_cat.JPEG 477x318
# 500x333 in 480x756: 480x320, then whole sixel bands: 477x318; 16 rows,
# centred: row 11
read -r db x y < <(locate 477 318 $BORDER $((BORDER + 11 * CH)))
echo "# chelsea_cat: ${db} dB at ($x, $y)"
[ "$db" -ge 28 ] || fail "cat picture only $db dB against the photo"
for band in "480x$((11 * CH))+$BORDER+$BORDER" \
            "480x$((10 * CH))+$BORDER+$((BORDER + 27 * CH))"; do
    background "$band" "a pane band outside the cat (the last picture?)"
done
keys q
poll "relabel to end" 20 -- test -s "$TMP/status"
expect "$(cat "$TMP/status")" 0 "exit status"
[ -n "$(q "SELECT 1 FROM review r JOIN image i ON i.id = r.image WHERE
        i.name = 'cameraman_tripod_gray.JPEG' AND r.reviewer = '$REVIEWER'
        AND r.state = 'correct'")" ] || fail "the mark is not stored"
[ -d "${RL_XTERM_SHOTS:-/nonexistent}" ] \
    && cp "$TMP"/shot1.png "$TMP"/shot3.png "$RL_XTERM_SHOTS"/
stop_x
exit 0
