#!/bin/bash
# test_classes_guide.sh - the class search and browser, and the labeling
# guide beside the image: + adds a class found by a mistyped name and it
# can be marked at once; b browses the hierarchy with search as you type
# and Tab for a class's neighbours; g opens the guide entries covering
# the image's candidates, renders the guide's own image, / searches it.
. "$(dirname "$0")/lib.sh"

DB=$TMP/p.db
RENDER=ascii
demo_db "$DB"

start_review 120 40 --start chelsea_cat.JPEG
wait_for 'Image: chelsea_cat.JPEG'
wait_for "$(row . n02123045)"

# + : a one-letter typo still finds the dalmatian; Enter adds it.
send +
wait_for 'Pick a class +Search:'
typein dalmation
wait_for '^ *n02110341 +251 +dalmatian'
send Enter
wait_for "$(sel . n02110341)"
wait_for 'added n02110341, saved'
expect "$(q "SELECT added_by FROM candidate x JOIN class c ON c.id = x.class
    JOIN image i ON i.id = x.image WHERE i.name = 'chelsea_cat.JPEG'
    AND c.wnid = 'n02110341'")" "$REVIEWER" "the added class is a candidate"
send w
wait_for "$(row W n02110341)"
expect "$(state_of chelsea_cat.JPEG n02110341)" wrong \
    "and can be marked right away"
# A class already there is refused, with a message.
send +
wait_for 'Pick a class'
typein n02123045
wait_for '^ *n02123045 +281'
send Enter
wait_for 'is a candidate already'

# b : the browser opens on the selected candidate (the mark moved the
# selection on to the next unreviewed one, the tiger cat), in the tree.
send b
wait_for '^ +Classes +Search:'
wait_for '^ +tiger cat +n02123159 282'
wait_for '\- domestic cat +\(5 classes\)'
typein walker
wait_for '^ *n02089867 +166 +Walker hound'
send Tab
wait_for 'neighbours of n02089867 Walker hound'
wait_for 'n02089973 +167 +English foxhound'
# ^G: the guide entry of the selected class, from the browser.
send Up Down
send C-g
wait_for 'Guide 1/2: English foxhound vs Walker hound|Guide 1/2: .*[Ff]oxhound'
# One Esc closes one overlay: the guide, then the browser at once,
# whatever it showed (issue 15).
send Escape
wait_for 'neighbours of n02089867 Walker hound'
send Escape
wait_for 'Image: chelsea_cat.JPEG'
# Backspace leaves the neighbours; ctrl-U clears the search.
send b
wait_for '^ +Classes +Search:'
typein walker
wait_for '^ *n02089867 +166 +Walker hound'
send Tab
wait_for 'neighbours of n02089867 Walker hound'
send BSpace
wait_for '^ *n02089867 +166 +Walker hound'
send C-u
wait_for '1860 nodes: type to search'
# Folding: the first row is the root; Left folds it.
wait_for '^ +- entity +\(1000 classes\)'
send Left
wait_for '^ +\+ entity +\(1000 classes\)'
send Right
wait_for '^ +- entity +\(1000 classes\)'
send Escape
wait_for 'Image: chelsea_cat.JPEG'

# g : the guide for the cat candidates, with its photo drawn.
send k k k k
wait_for "$(sel . n02123159)"
send g
wait_for 'Guide 1/2: Tabby vs tiger cat vs Egyptian cat'
found=
for i in $(seq 1 30); do
    # The guide's own image: rows of the ASCII ramp in the text column.
    if screen | cut -c52- | grep -Eq '^[ .:=+*#%@-]{30,}$'; then
        found=yes
        break
    fi
    send j j j
    sleep 0.05
done
[ -n "$found" ] || fail "the guide's image is not drawn"
echo "ok - the guide's photo is drawn in the panel"
screen | grep -q 'image not shown' && fail "a guide image failed to load"
send Tab
wait_for 'Guide 2/2: Verdicts and general rules'
send /
wait_for 'Search the guide:'
typein 'whip-like tail'
send Enter
wait_for 'Guide 1/[0-9]+ \(search\): Stingray vs electric ray'
send Escape
wait_for "$(sel . n02123159)"
send q
wait_exit
expect "$STATUS" 0 "relabel exits 0"

out=$(rl --db "$DB" classes dalmation --limit 1)
case "$out" in
n02110341*) echo "ok - relabel classes ranks the dalmatian first" ;;
*) fail "relabel classes dalmation: $out" ;;
esac
exit 0
