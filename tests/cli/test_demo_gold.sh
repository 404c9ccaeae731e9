#!/bin/bash
# test_demo_gold.sh - issue 15 bug 8: the demo's training gold follows the
# shipped labeling guide. Every gold label whose class a guide entry
# covers (its `classes:` line) has a row in tests/data/demo_gold_guide.tsv
# quoting that entry's verdict for the photo; the quote must still be in
# the entry, must name the state, and the gold's state must be it. A
# gold label a guide covers without a row fails: add the verdict, or fix
# the gold.
. "$(dirname "$0")/lib.sh"

GOLD=$RL_SRC/share/relabel/demo/task_gold.csv
GUIDES=$RL_SRC/guides
TABLE=$RL_SRC/tests/data/demo_gold_guide.tsv

# flat FILE: the file on one line, runs of white space made one space.
flat() {
    tr '\n' ' ' <"$1" | tr -s ' \t'
}

# covering WNID: the guide entries whose classes: line lists WNID.
covering() {
    grep -l -E "^classes:.* $1( |\$)" "$GUIDES"/*.md 2>/dev/null \
        | xargs -r -n 1 basename
}

# The table's rows check out against the guide and the gold.
while IFS=$'\t' read -r image wnid state entry verdict; do
    case $image in '#'*|'') continue ;; esac
    if covering "$wnid" | grep -qx "$entry"; then
        pass "$entry covers $wnid"
    else
        fail "$entry does not list $wnid in its classes: line"
    fi
    quote=$(printf '%s' "$verdict" | tr -s ' \t')
    if flat "$GUIDES/$entry" | grep -qF -- "$quote"; then
        pass "$entry still says: $quote"
    else
        fail "$entry no longer says: $quote"
    fi
    case ${state} in
    correct) word=Correct ;; wrong) word=Wrong ;; unclear) word=Unclear ;;
    *) word=?; fail "$image $wnid: no such state '$state'" ;;
    esac
    if printf '%s' "$verdict" | grep -qw -- "$word"; then
        pass "the verdict for $image $wnid says $word"
    else
        fail "the verdict quoted for $image $wnid does not say $word"
    fi
    got=$(grep -E "^$image,$wnid," "$GOLD" | cut -d, -f3 | tr -d '\r')
    if [ "$got" = "$state" ]; then
        pass "gold $image $wnid is $state, as the guide says"
    else
        fail "gold $image $wnid is '$got'; $entry says $state"
    fi
done <"$TABLE"

# Every gold label a guide covers has its row.
while IFS=, read -r image wnid state; do
    entries=$(covering "$wnid")
    [ -n "$entries" ] || continue
    if grep -qP "^\\Q$image\\E\t$wnid\t" "$TABLE"; then
        pass "gold $image $wnid ($state) has the guide's verdict"
    else
        fail "gold $image $wnid ($state) is covered by $entries but" \
            "has no verdict row in demo_gold_guide.tsv"
    fi
done < <(tail -n +2 "$GOLD" | tr -d '\r')
finish
