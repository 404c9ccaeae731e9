#!/bin/bash
# test_fifo_guide.sh - FIFOs and links out of the guide folder never hang
# or leak into the screen. The shown image's file was replaced by a FIFO
# (the prefetch worker would block in open() for good), and the guide's
# pictures are a link to a FIFO and a link to a JPEG outside the guide
# folder. The screen says why each is not shown; q, then SIGTERM, end
# relabel at once with the terminal restored.
. "$(dirname "$0")/lib.sh"

CAT=chelsea_cat.JPEG
mkdir -p "$TMP/img" "$TMP/g"
cp "$DEMO"/*.JPEG "$TMP/img/"
{
    echo image,path
    for f in "$DEMO"/*.JPEG; do echo "$(basename "$f"),img/$(basename "$f")"; done
} >"$TMP/images.csv"
rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$DEMO/labels.csv" >/dev/null || fail "labels"
rl --db "$DB" import images "$TMP/images.csv" >/dev/null || fail "images"
rl --db "$DB" import predictions "$DEMO/predictions.csv" >/dev/null \
    || fail "predictions"
rm "$TMP/img/$CAT" && mkfifo "$TMP/img/$CAT" || fail "mkfifo"

cp "$DEMO/$CAT" "$TMP/outside.jpg"
mkdir "$TMP/g/sub" && mkfifo "$TMP/g/sub/pipe" || fail "mkfifo"
ln -s "$TMP/g/sub/pipe" "$TMP/g/pipe.jpg"
ln -s "$TMP/outside.jpg" "$TMP/g/out.jpg"
cat >"$TMP/g/hostile.md" <<'EOF'
---
title: Hostile pictures
classes: *
---
A picture that is a FIFO:

![fifo picture](pipe.jpg)

And one that lives elsewhere:

![secret picture](out.jpg)
EOF
rl --db "$DB" config guides "$TMP/g" >/dev/null || fail "config guides"

start_review 120 40 --start "$CAT"
wait_for "Image: $CAT"
wait_for 'not a regular file' 10
send g
wait_for 'Guide 1/1: Hostile pictures' 10
wait_for '\[image outside the guide folder: secret picture\]' 10
wait_for 'not shown: not a regular file' 10
send q
wait_for "Image: $CAT"
send q
wait_exit 10
expect "$STATUS" 0 "q ends relabel"
grep -q 'echo' "$RC_FILE.stty" || fail "the terminal was left without echo"

# SIGTERM, while the FIFO image is the one shown.
respawn_review --start "$CAT"
wait_for "Image: $CAT"
wait_for 'not a regular file' 10
kill -TERM "$(pid)"
wait_exit 10
echo "$TEST_NAME: ok (exit $STATUS after SIGTERM)"
