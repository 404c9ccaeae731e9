#!/bin/bash
# test_badjpeg.sh - a project whose images are every file of
# tests/data/jpeg/ (the render layer's fixtures), the two large ones of
# $RL_SHARED_DATA/badjpeg when it is there, and a file deleted after the
# import. Stepping through all of them with n, in --render ascii and in
# the default symbols mode: a good file shows an image and no message, a
# bad one a one-line "cannot show image: ..." and no stale image, the
# truncated one its picture and a warning; the session never dies and
# marks still work on a broken image.
. "$(dirname "$0")/lib.sh"

files=("$JPEGS"/*.JPEG)
if [ -d "$RL_SHARED_DATA/badjpeg" ]; then
    files+=("$RL_SHARED_DATA/badjpeg/large_4000x2664.JPEG"
            "$RL_SHARED_DATA/badjpeg/png_disguised.JPEG")
else
    echo "$TEST_NAME: $RL_SHARED_DATA/badjpeg absent: skipping the large" \
        "and PNG files"
fi
: >"$TMP/missing.JPEG"
files+=("$TMP/missing.JPEG")

{
    echo image,wnid
    for f in "${files[@]}"; do
        echo "$(basename "$f"),n02123045"
    done
} >"$TMP/labels.csv"
{
    echo image,path
    for f in "${files[@]}"; do
        echo "$(basename "$f"),$f"
    done
} >"$TMP/images.csv"
rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "import labels"
rl --db "$DB" import images "$TMP/images.csv" >/dev/null || fail "import images"
rm "$TMP/missing.JPEG"
n=${#files[@]}
expect "$(q "SELECT count(*) FROM image WHERE path IS NOT NULL")" "$n" "images"

# What the pane must say about each file; "" for a good one.
expected()
{
    case $1 in
    empty.JPEG) echo 'cannot show image: empty file' ;;
    text_not_image.JPEG) echo 'cannot show image: not a JPEG' ;;
    png_disguised.JPEG) echo 'cannot show image: not a JPEG \(PNG data\)' ;;
    missing.JPEG) echo 'cannot show image: No such file' ;;
    truncated.JPEG) echo 'truncated JPEG' ;;
    *) echo '' ;;
    esac
}

# Lines of the image pane (the left 48 columns at 120x36) that are not
# blank, as text and, with colours, as escape sequences of 256 colours.
pane_text_lines()
{
    screen | head -n 34 | cut -c1-48 | grep -c '[^ ]'
}
pane_colour_lines()
{
    t capture-pane -p -e -t rl | head -n 34 | grep -cE '\[(38|48);5;'
}

# The message (or none) for image NAME, once it is shown.
check_image()
{
    local name=$1 want

    want=$(expected "$name")
    wait_for "Image: $name"
    case $want in
    '')
        wait_gone 'cannot show image|truncated JPEG'
        if [ "$RENDER" = ascii ]; then
            poll "an image for $name" -- test "$(pane_text_lines)" -gt 0
        else
            poll "a coloured image for $name" -- test "$(pane_colour_lines)" -gt 0
        fi
        ;;
    'truncated JPEG')
        wait_for 'truncated JPEG: shown partly'
        [ "$(screen | grep -c 'truncated JPEG')" = 1 ] \
            || fail "the warning is not on one line"
        [ "$RENDER" = symbols ] \
            && poll "the partial image" -- test "$(pane_colour_lines)" -gt 0
        ;;
    *)
        wait_for "$want"
        [ "$(screen | grep -c 'cannot show image')" = 1 ] \
            || fail "the message for $name is not on one line"
        # The previous image is gone: nothing but the message in the pane.
        poll "a blank pane for $name" -- test "$(pane_text_lines)" = 1
        [ "$RENDER" = symbols ] && expect "$(pane_colour_lines)" 0 \
            "coloured lines left in the pane of $name"
        ;;
    esac
}

names=$(q "SELECT name FROM image ORDER BY name")
for RENDER in ascii symbols; do
    if [ "$RENDER" = ascii ]; then
        start_review 120 36
    else
        respawn_review
    fi
    first=1
    for name in $names; do
        [ $first = 1 ] || send n
        first=0
        check_image "$name"
    done
    # Round the queue once more, backwards, fast: keys typed ahead.
    for name in $names; do
        send N
    done
    wait_for "^ image $n of $n "
    check_image "$(echo "$names" | tail -n 1)"
    finished && fail "relabel ended ($RENDER)"
done

# A broken image can still be reviewed.
send :
typein empty.JPEG
send Enter
wait_for 'Image: empty.JPEG'
wait_for 'cannot show image: empty file'
send c
wait_for "$(row C n02123045)"
expect "$(state_of empty.JPEG n02123045)" correct "mark on a broken image"
send q
wait_exit
expect "$STATUS" 0 "exit status"
exit 0
