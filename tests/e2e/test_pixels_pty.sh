#!/bin/bash
# test_pixels_pty.sh - real pixels through a pseudo-terminal (no tmux:
# tmux 3.3 keeps no sixel and needs passthrough for kitty): relabel with
# no options in a pty that answers its queries as kitty, then as a sixel
# xterm, so it must choose the mode itself; pty_pixels.py decodes the picture
# bytes and compares them with the photo (see there). Then the mark it
# made is in the database.
. "$(dirname "$0")/lib.sh"

command -v convert >/dev/null && command -v identify >/dev/null \
    || skip "ImageMagick (convert, identify) is not installed"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"

for mode in kitty sixel; do
    rm -f "$DB"
    demo_db "$DB"
    /usr/bin/python3 "$HERE/pty_pixels.py" "$RELABEL" "$DB" $mode "$DEMO" \
        || fail "$mode: pictures not as expected"
    n=$(q "SELECT count(*) FROM review r JOIN image i ON i.id = r.image
           WHERE i.name = 'astronaut_collins.JPEG' AND r.state = 'correct'
           AND r.reviewer = '$REVIEWER'")
    [ "$n" = 1 ] || fail "$mode: the mark is not stored ($n marks)"
done
exit 0
