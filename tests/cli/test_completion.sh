#!/bin/bash
# test_completion.sh - the bash completion (share/bash-completion/
# completions/relabel) sourced in bash: COMPREPLY for commands, options,
# option values, subcommands, files, and the image and task names of the
# project given by --db; and CMake installs it where bash-completion looks.
. "$(dirname "$0")/lib.sh"
need sqlite3

COMPLETION=$RL_SRC/share/bash-completion/completions/relabel
[ -f "$COMPLETION" ] || { fail "no $COMPLETION"; finish; }
# shellcheck source=/dev/null
. "$COMPLETION"
complete -p relabel >/dev/null 2>&1 && pass "sourcing it registers relabel" \
    || fail "sourcing $COMPLETION registers no completion for relabel"

# Completes the words given (the last is the one being typed) as bash
# would: COMPREPLY sorted, one line, in $got.
comp() {
    COMP_WORDS=("$RELABEL" "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _relabel
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
}
expect_comp() {  # WANT WORDS...
    local want=$1
    shift
    comp "$@"
    expect_eq "$got" "$want" "relabel $* <TAB>"
}

db=$TMP/p.db
rl_ok --db "$db" init
rl_ok --db "$db" import labels "$FIX/labels.csv"
printf 'image,wnid,state\nILSVRC2012_val_00000001.JPEG,n01751748,correct\n' \
    >"$TMP/gold.csv"
rl_ok --db "$db" task create "Sea snakes" --gold "$TMP/gold.csv"

expect_comp "export" ex
expect_comp "dawid-skene demo disagreements doctor" d
expect_comp "--db" --d
expect_comp "--format" export --fo
expect_comp "real-json" export --format r
expect_comp "label-studio long real-json tfds-multilabel wide" export --format ""
expect_comp "images" import im
expect_comp "create" task c
expect_comp "--gold" task create x --go
expect_comp "dog" task create x --split d
expect_comp "--render" review --ren
expect_comp "--feedback" train --fe
expect_comp "error" demo train --feedback e
expect_comp "guides" config g
# bash splits --format=w into --format, =, w: the value still completes.
expect_comp "wide" export --format = w
expect_comp "label-studio long real-json tfds-multilabel wide" export --format =

# Files where a file is expected.
mkdir -p "$TMP/w/sub"
: >"$TMP/w/votes.csv"
cd "$TMP/w"
expect_comp "votes.csv" dawid-skene vo
expect_comp "sub" config examples s
expect_comp "sub votes.csv" import labels ""
cd "$TMP"

# The project's image names, from --db or RELABEL_DB.
comp --db "$db" review --start ILSVRC2012_val_0000000
expect_eq "$got" "ILSVRC2012_val_00000001.JPEG ILSVRC2012_val_00000002.JPEG ILSVRC2012_val_00000003.JPEG ILSVRC2012_val_00000004.JPEG" \
    "review --start completes the project's image names"
RELABEL_DB=$db comp review --start ILSVRC2012_val_00000003
expect_eq "$got" "ILSVRC2012_val_00000003.JPEG" "... of the project in RELABEL_DB"
# A name with a space and quotes is offered quoted, as one word.
comp --db "$db" review --start odd
expect_eq "$got" "$(printf '%q' 'odd, "name".JPEG')" "a name with spaces comes quoted"
# '%' and '_' are not wildcards.
comp --db "$db" review --start ILSVRC2012%
expect_eq "$got" "" "'%' matches only itself"
# Task names.
comp --db "$db" train S
expect_eq "$got" "$(printf '%q' 'Sea snakes')" "train <TAB> offers the task names"
comp --db "$db" task export ""
expect_eq "$got" "$(printf '%q' 'Sea snakes')" "task export <TAB> offers the task names"
# No project: nothing, and no error on the terminal.
comp --db "$TMP/none.db" review --start I
expect_eq "$got" "" "a missing project completes no names"
expect_absent "$TMP/none.db" "and is not created"

# CMake installs it where bash-completion finds it.
if command -v cmake >/dev/null && [ -f "$(dirname "$RELABEL")/cmake_install.cmake" ]; then
    cmake --install "$(dirname "$RELABEL")" --prefix "$TMP/inst" >/dev/null 2>&1
    if cmp -s "$COMPLETION" "$TMP/inst/share/bash-completion/completions/relabel"; then
        pass "installed to share/bash-completion/completions/relabel"
    else
        fail "not installed to PREFIX/share/bash-completion/completions/relabel"
    fi
    [ -f "$TMP/inst/share/doc/relabel/LICENSE" ] && pass "LICENSE installed" \
        || fail "LICENSE not installed"
else
    echo "# install check skipped: no cmake build folder beside $RELABEL"
fi

finish
