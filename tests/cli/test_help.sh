#!/bin/bash
# test_help.sh - --help and --version at the top level and for every
# command; usage errors exit 2 with a message on stderr; none of this
# needs or creates a project.
. "$(dirname "$0")/lib.sh"

export RELABEL_DB=$TMP/never.db

rl --version
expect_rc 0 "relabel --version"
version=$(cat "$OUT")
case "$version" in
"relabel "[0-9]*.[0-9]*) pass "version line: $version" ;;
*) fail "version line looks wrong: '$version'" ;;
esac

for flag in --help -h; do
    rl $flag
    expect_rc 0 "relabel $flag"
    expect_out "usage: relabel" "relabel $flag prints usage on stdout"
    [ -s "$ERR" ] && fail "relabel $flag writes to stderr" || pass "relabel $flag: stderr empty"
done
# The commands are read from the help itself, so a new one is checked too.
commands=$(awk '/^Commands:/ { on = 1; next } on && NF == 0 { exit }
               on { print $1 }' "$OUT")
for cmd in init import export stats review demo; do
    case " $(echo $commands) " in
    *" $cmd "*) pass "top-level help lists $cmd" ;;
    *) fail "top-level help does not list $cmd" ;;
    esac
done
for cmd in $commands; do
    rl $cmd --help
    if [ "$rc" = 0 ] && grep -q "^usage: relabel.*$cmd" "$OUT" && [ ! -s "$ERR" ]; then
        pass "relabel $cmd --help prints its usage"
    else
        fail "relabel $cmd --help prints its usage"
        show
    fi
    rl $cmd --version
    if [ "$rc" = 0 ] && [ "$(cat "$OUT")" = "$version" ]; then
        pass "relabel $cmd --version"
    else
        fail "relabel $cmd --version prints '$version'"
        show
    fi
done
# A level below: task's subcommands.
for sub in create list export; do
    rl task $sub --help
    expect_rc 0 "relabel task $sub --help"
    expect_out "usage: relabel" "relabel task $sub --help prints usage"
    rl task $sub --version
    expect_eq "$(cat "$OUT")" "$version" "relabel task $sub --version"
done

# Global options before the command do not stop --help.
rl --db "$TMP/x.db" --reviewer ann import --help
expect_rc 0 "relabel --db F --reviewer R import --help"
expect_out "KIND" "import help names the kinds"
expect_absent "$TMP/never.db" "no project was created by --help/--version"
expect_absent "$TMP/x.db" "no project was created for --db with --help"

# Usage errors: exit 2, a message naming the problem, nothing on stdout.
usage() {   # WHAT MESSAGE ARGS...
    local what=$1 msg=$2
    shift 2
    rl "$@"
    expect_rc 2 "$what"
    expect_err "$msg" "$what: says '$msg'"
}
rl
expect_rc 2 "no command"
expect_err "usage: relabel" "no command: usage on stderr"
usage "unknown command" "unknown command 'frobnicate'" frobnicate
usage "unknown global option" "unknown option '--frob'" --frob stats
usage "--db without a value" "--db needs a value" --db
usage "reviewer with a comma" "reviewer name" --reviewer 'a,b' stats
usage "empty reviewer" "reviewer name" --reviewer '' stats
usage "import without a file" "give a KIND and a FILE" import labels
usage "import of an unknown kind" "unknown kind 'things'" import things x.csv
usage "import with an unknown option" "unknown option '--fast'" import --fast labels x.csv
usage "import with a third argument" "unexpected argument" import labels a.csv b.csv
usage "export of an unknown format" "unknown format 'xml'" export --format xml
usage "export with a bad consensus" "unknown consensus rule 'loudest'" export --consensus loudest
usage "stats with an argument" "unexpected argument 'now'" stats now
usage "init with an argument" "unexpected argument" init now
usage "--state without a value" "--state needs a value" import reviews x.csv --state
unset RELABEL_DB
usage "export without a project" "no project given" export
expect_absent "$TMP/never.db" "usage errors create no project"

finish
