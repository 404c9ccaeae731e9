#!/bin/bash
# test_keys.sh - every binding of src/ui/keymap.c, each checked on the
# screen and, where it changes anything, in the database.
. "$(dirname "$0")/lib.sh"

A=astronaut_collins.JPEG
HELMET=n03127747 SHUTTLE=n04266014 FLAG=n03355925

demo_db "$DB"
# Another reviewer's mark, so that the "others" filter has an image.
printf 'image,wnid,state,reviewer\nsummer_palace.JPEG,n03877845,correct,bob\n' \
    >"$TMP/bob.csv"
rl --db "$DB" import reviews "$TMP/bob.csv" >/dev/null || fail "import bob"

start_review 120 36
wait_for "Image: $A"

# key KEY REGEX: send one key, wait until the screen shows REGEX.
key()
{
    send "$1"
    wait_for "$2"
}

# The consensus top guess is first and selected.
expect "$(cands_of $A | head -n 1)" "$HELMET" "top guess of $A"
wait_for "$(sel . $HELMET)"

# ---- j k Down Up ----------------------------------------------------
key j "$(sel . $SHUTTLE)"
key j "$(sel . $FLAG)"
key j "$(sel . $FLAG)"            # stops at the last row
key k "$(sel . $SHUTTLE)"
key Down "$(sel . $FLAG)"
key Up "$(sel . $SHUTTLE)"
key Up "$(sel . $HELMET)"
key Up "$(sel . $HELMET)"

# ---- Enter refuses while candidates are open -------------------------
key Enter '3 candidates still unreviewed \(W sets them Wrong\)'
expect "$(q "SELECT count(*) FROM flag WHERE done")" 0 "done after a refused Enter"

# ---- c w u d x and 1 2 3 4 0 on the helmet --------------------------
# mark KEY LETTER STATE: on the helmet; a verdict moves the selection to
# the next unreviewed candidate, so go back up each time.
nmark=0
mark()
{
    send "$1"
    if [ "$2" = . ]; then
        wait_for "$(sel . $HELMET)"
    else
        wait_for "$(row $2 $HELMET)"
        wait_for "$(sel . $SHUTTLE)"
        send k
        wait_for "$(sel $2 $HELMET)"
    fi
    wait_for '\| saved'
    expect "$(state_of $A $HELMET)" "$3" "state after '$1'"
    nmark=$((nmark + 1))
}
mark c C correct
mark w W wrong
mark u U unclear
mark d D dont_know
mark x . ''
mark 1 C correct
mark 2 W wrong
mark 3 U unclear
mark 4 D dont_know
mark 0 . ''
expect "$(q "SELECT count(*) FROM step WHERE kind = 'do' AND what = 'mark'")" \
    $nmark "mark steps"
expect "$(q "SELECT count(*) FROM event e JOIN step s ON s.id = e.step
             WHERE s.what = 'mark' AND e.field = 'state'")" $nmark "mark events"

# ---- W: every open candidate Wrong, one step --------------------------
key W "\| 0 unreviewed"
wait_for "$(row W $SHUTTLE)"
expect "$(q "SELECT count(*) FROM review WHERE state = 'wrong'
             AND reviewer = '$REVIEWER'")" 3 "wrong after W"
expect "$(q "SELECT count(*) FROM step WHERE what = 'bulk'")" 1 "bulk steps"
expect "$(q "SELECT count(*) FROM event e JOIN step s ON s.id = e.step
             WHERE s.what = 'bulk'")" 3 "bulk events"

# ---- A: the original label Correct -----------------------------------
key A "$(row C $SHUTTLE).*ORIG"
expect "$(state_of $A $SHUTTLE)" correct "original after A"

# ---- m: only a Correct candidate can be the main object --------------
wait_for "$(sel W $HELMET)"
key m 'the main object must be marked Correct first'
expect "$(q "SELECT count(*) FROM flag WHERE main IS NOT NULL")" 0 "main after refused m"
key j "$(sel C $SHUTTLE)"
key m "$(sel C $SHUTTLE).*ORIG MAIN"
expect "$(q "SELECT c.wnid FROM flag f JOIN class c ON c.id = f.main")" \
    $SHUTTLE "main after m"
send m
wait_gone 'MAIN'
expect "$(q "SELECT count(*) FROM flag WHERE main IS NOT NULL")" 0 "main after m m"
key m "ORIG MAIN"

# ---- p P: the Problematic flag and its note --------------------------
key p 'PROBLEMATIC$'
expect "$(q "SELECT problematic FROM flag")" 1 "problematic after p"
send p
wait_gone 'PROBLEMATIC'
expect "$(q "SELECT problematic FROM flag")" 0 "problematic after p p"
key P '^Problematic note:'
typein 'two cats, one cut off'
key Enter 'Note: two cats, one cut off$'
wait_for 'PROBLEMATIC$'
expect "$(q "SELECT problematic || '|' || note FROM flag")" \
    "1|two cats, one cut off" "flag after P"
key P '^Problematic note: two cats, one cut off'
typein ' (x)'
send Escape
wait_gone '^Problematic note:'
wait_for 'Note: two cats, one cut off$'
expect "$(q "SELECT note FROM flag")" "two cats, one cut off" "note after Esc"

# ---- Enter: confirm, then the next image needing review --------------
# Image 2 is all marked (W), so "next needing review" is image 3.
key n 'Image: cameraman_tripod_gray.JPEG'
key W '^ image 2 of 10 \| 0 unreviewed'
key N "Image: $A"
key Enter 'Image: chelsea_cat.JPEG'
wait_for '^ image 3 of 10 \| 4 unreviewed'
expect "$(q "SELECT done FROM flag f JOIN image i ON i.id = f.image
             WHERE i.name = '$A'")" 1 "done after Enter"

# ---- n N --------------------------------------------------------------
key n 'Image: coffee_cup.JPEG'
wait_for '^ image 4 of 10 '
key N '^ image 3 of 10 '
key N '^ image 2 of 10 '
key N '^ image 1 of 10 '
key N '^ image 10 of 10 '          # wraps around
wait_for 'Image: wall_clock_blurred_gray.JPEG'

# ---- : go to an image by name ----------------------------------------
key : '^Go to image:'
typein grace_hopper.JPEG
key Enter 'Image: grace_hopper.JPEG'
wait_for '^ image 7 of 10 '
key : '^Go to image:'
typein nope.JPEG
key Enter "no image named 'nope.JPEG'"
wait_for 'Image: grace_hopper.JPEG'

# ---- F: all, unreviewed, problematic, others ---------------------------
key F 'filter: unreviewed \(8 images\)'
key F 'filter: problematic \(1 images?\)'
key n "Image: $A"
wait_for '^ image 1 of 1 \(filter problematic; 10 in all\)'
key F 'filter: others \(1 images?\)'
key n 'Image: summer_palace.JPEG'
wait_for 'reviewed by others too'
wait_for '^ image 1 of 1 \(filter others; 10 in all\)'
key F 'filter: all \(10 images\)'
wait_for '^ image 9 of 10 '

# ---- z Z: undo and redo -----------------------------------------------
MONAST=n03781244
key c "$(row C $MONAST)"
expect "$(state_of summer_palace.JPEG $MONAST)" correct "state after c"
key z 'undone: mark on .*, saved'
wait_for "$(row . $MONAST)"
expect "$(state_of summer_palace.JPEG $MONAST)" '' "state after z"
key Z 'redone: mark on .*, saved'
wait_for "$(row C $MONAST)"
expect "$(state_of summer_palace.JPEG $MONAST)" correct "state after Z"
key Z 'nothing to redo'

# ---- + picks a class to add: by wnid, by index; unknown; duplicate ------
key + '^ Pick a class.*  Search:'
typein n01440764
wait_for '^ 1 match$'
key Enter 'added n01440764, saved'
wait_for "$(sel . n01440764)tench.* added$"
wait_for 'Candidates \(5\)'
key + '^ Pick a class.*  Search:'
typein 1
wait_for '^ 1 match$'
key Enter 'added n01443537, saved'
wait_for "$(sel . n01443537)goldfish"
key + '^ Pick a class.*  Search:'
typein n99999999
key Enter '^ 0 matches$'            # nothing to pick: Enter does nothing
send C-u                             # clears the search
wait_for '^ Pick a class.*  Search:$'
send Escape                          # back to the image
wait_for 'Candidates \(6\)'
key + '^ Pick a class.*  Search:'
typein n01440764
wait_for '^ 1 match$'
key Enter 'n01440764 is a candidate already'
wait_for 'Candidates \(6\)'
expect "$(q "SELECT group_concat(c.wnid || ':' || k.added_by, ' ') FROM
             (SELECT * FROM candidate ORDER BY class) k
             JOIN class c ON c.id = k.class WHERE k.added_by IS NOT NULL")" \
    "n01440764:$REVIEWER n01443537:$REVIEWER" "added candidates"

# ---- i hides and shows the name ----------------------------------------
key i 'Image: \(name hidden: i shows it\)'
wait_gone 'summer_palace'
key i 'Image: summer_palace.JPEG'

# ---- f full screen ------------------------------------------------------
send f
wait_gone 'Candidates \('
wait_for '^ image 9 of 10 '
[ "$(screen | grep -c 'Wrong')" = 0 ] || fail "full screen still shows text"
key f 'Candidates \(6\)'

# ---- : reaches an image imported while the session runs -----------------
printf 'image,wnid\nlate.JPEG,n02123045\n' >"$TMP/late.csv"
rl --db "$DB" import labels "$TMP/late.csv" >/dev/null || fail "import late"
key : '^Go to image:'
typein late.JPEG
key Enter 'Image: late\.JPEG'
wait_for '^ image 9 of 11 '

# ---- ? lists every key; any key returns --------------------------------
before=$(q "SELECT count(*) FROM step")
key '?' '^ Keys of the review screen'
for k in 'j k / Down Up' 'c 1' 'w 2' 'u 3' 'd 4' 'x 0' 'W' 'A' 'm' 'p' 'P' \
    'Enter' 'n N' ':' 'F' 'z Z' '+' 'i' 'f' 'g' 'b' 'e' '?' 'q'; do
    screen | grep -Fq "  $k  " || fail "help does not list '$k'"
done
key c 'Candidates \(1\)'           # c closes help, marks nothing
expect "$(q "SELECT count(*) FROM step")" "$before" "steps after ? c"

# ---- q --------------------------------------------------------------------
send q
wait_exit
expect "$STATUS" 0 "exit status after q"
expect "$(q "PRAGMA integrity_check")" ok "integrity"
exit 0
