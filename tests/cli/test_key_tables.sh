#!/bin/bash
# test_key_tables.sh - issue 15: every screen draws its footer from its
# key table (ui_footer) and dispatches keys through it (ui_key_action),
# so that no footer is typed twice; list screens move through the shared
# navigation (ui_list_key). A screen file that types a footer of its own
# on the last row, or switches on literal keys for its actions, fails.
. "$(dirname "$0")/lib.sh"

UI=$RL_SRC/src/ui
for f in "$UI"/scr_*.c; do
    name=$(basename "$f")
    if grep -q 'ui_footer(' "$f"; then
        pass "$name draws its footer from its key table"
    else
        fail "$name draws no footer from a key table"
    fi
    if grep -q 'ui_key_action(' "$f"; then
        pass "$name looks its keys up in its table"
    else
        fail "$name does not look its keys up in a table"
    fi
    # A literal string on the bottom row is a hand-typed footer.
    if grep -En 'ui_text\([a-z]+->rows(_h)? - 1, [^;]*"' "$f" >"$TMP/typed"; then
        fail "$name types a footer by hand: $(head -1 "$TMP/typed")"
    else
        pass "$name types no footer by hand"
    fi
done
for f in scr_home.c scr_classes.c scr_task.c scr_pick.c; do
    if grep -q 'ui_list_key(' "$UI/$f"; then
        pass "$f moves through the shared list navigation"
    else
        fail "$f has list navigation of its own"
    fi
done
finish
