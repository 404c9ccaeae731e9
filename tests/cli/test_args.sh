#!/bin/bash
# test_args.sh - the one parser behind every command's table: -h and
# --help on every command and subcommand print the help generated from
# the table (listing every option the table has), `--` ends the options,
# `-` is standard input for imports and standard output for exports, and
# an unknown option names the command and the option.
. "$(dirname "$0")/lib.sh"
need sqlite3

# The commands and options come from the binary itself (the completion
# reads the same table), so a command or option added later is checked.
rl __complete ""
commands=$(tail -n +2 "$OUT")
[ -n "$commands" ] && pass "the binary lists its commands" \
    || fail "relabel __complete lists no commands"

# "CMD" and "CMD SUB" for every subcommand its help lists.
targets=()
for cmd in $commands; do
    targets+=("$cmd")
    rl $cmd --help
    for sub in $(awk '/^Subcommands:/ { on = 1; next }
                      on && /^  [a-z]/ { print $1; next } on { exit }' "$OUT"); do
        targets+=("$cmd $sub")
    done
done
for t in "task create" "task list" "task export" "demo train"; do
    case "|$(IFS='|'; echo "${targets[*]}")|" in
    *"|$t|"*) pass "'$t' found in its command's help" ;;
    *) fail "'$t' not found among: ${targets[*]}" ;;
    esac
done

for t in "${targets[@]}"; do
    rl $t -h
    cp "$OUT" "$TMP/short"
    if [ "$rc" = 0 ] && [ ! -s "$ERR" ] && grep -q "^usage: relabel.* $t" "$OUT"; then
        pass "relabel $t -h prints its usage"
    else
        fail "relabel $t -h prints its usage"
        show
    fi
    rl $t --help
    expect_same_file "$TMP/short" "$OUT" "relabel $t: -h and --help print the same"
    rl __complete $t --
    opts=$(tail -n +2 "$OUT")
    missing=
    for o in $opts; do
        grep -qE -- "(^|[ ,\[])$o([ =,]|\]|$)" "$TMP/short" || missing="$missing $o"
    done
    if [ -z "$missing" ]; then
        pass "relabel $t --help lists all $(echo $opts | wc -w) options of its table"
    else
        fail "relabel $t --help does not list:$missing"
    fi
done
# The table's options are really those the parser takes.
rl __complete classes --
expect_out "--limit" "classes' table has --limit"
rl __complete task create --
expect_out "--pair" "task create's table has --pair"

# An unknown option names the command, the subcommand and the option.
rl classes --frob dog
expect_rc 2 "classes --frob"
expect_err_first "relabel classes: unknown option '--frob'" "names classes and --frob"
rl task create t1 --frob
expect_rc 2 "task create --frob"
expect_err_first "relabel task create: unknown option '--frob'" "names task create and --frob"
rl export -q
expect_rc 2 "export -q"
expect_err_first "relabel export: unknown option '-q'" "names export and -q"
rl review --render=sixels
expect_rc 2 "review --render=sixels"
expect_err "unknown render 'sixels' (symbols or ascii)" "lists the choices"
rl stats --agreement=yes
expect_rc 2 "a flag given a value"
expect_err "--agreement takes no value" "says the flag takes no value"
rl task create t1 --pair n01440764
expect_rc 2 "--pair with one class"
expect_err "--pair needs 2 values" "says --pair needs two"

# A project with the fixture labels; the files below start with '-'.
db=$TMP/p.db
rl_ok --db "$db" init
cp "$FIX/labels.csv" "$TMP/-x.csv"
cd "$TMP"
rl --db "$db" import labels -x.csv
expect_rc 2 "a file named -x.csv without --"
expect_err "unknown option '-x.csv'" "is taken for an option"
rl --db "$db" import labels -- -x.csv
expect_rc 0 "import labels -- -x.csv"
expect_eq "$(q "$db" 'SELECT count(*) FROM image')" 5 "-- ends the options: 5 images"
rl --db "$db" classes -- -1
expect_rc 1 "classes -- -1 searches for '-1'"
expect_err "no class matches '-1'" "the query after -- is a query"

# `-` is standard input for imports.
db2=$TMP/p2.db
rl_ok --db "$db2" init
"$RELABEL" --db "$db2" import labels - <"$FIX/labels.csv" >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0 "import labels - < labels.csv"
expect_eq "$(q "$db2" 'SELECT count(*) FROM image')" 5 "5 images from standard input"
expect_eq "$(q "$db2" 'SELECT group_concat(name) FROM (SELECT name FROM image ORDER BY name)')" \
    "$(q "$db" 'SELECT group_concat(name) FROM (SELECT name FROM image ORDER BY name)')" \
    "the same images as from the file"
"$RELABEL" --db "$db2" import predictions - <"$FIX/predictions.csv" >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0 "import predictions - < predictions.csv"
n=$(q "$db2" 'SELECT count(*) FROM prediction')
[ "$n" -gt 0 ] && pass "predictions from standard input ($n)" \
    || fail "no predictions stored from standard input"
printf 'image,wnid\nnot_there.JPEG,n01440764\n' |
    "$RELABEL" --db "$db2" import labels - --dataset x >/dev/null 2>"$ERR"
before=$(q "$db2" 'SELECT count(*) FROM image')
printf 'image,wnid\nbad.JPEG,n99999999\n' |
    "$RELABEL" --db "$db2" import labels - >"$OUT" 2>"$ERR"
rc=$?
expect_rc 1 "a bad row on standard input"
expect_err ":2: wnid" "names the line and field"
expect_eq "$(q "$db2" 'SELECT count(*) FROM image')" "$before" "nothing stored"

printf 'image,wnid,state\nILSVRC2012_val_00000001.JPEG,n01751748,correct\n' |
    "$RELABEL" --db "$db" task create piped --gold - >"$OUT" 2>"$ERR"
rc=$?
expect_rc 0 "task create --gold - reads standard input"
expect_eq "$(q "$db" "SELECT count(*) FROM task WHERE name = 'piped'")" 1 \
    "the task is stored"

# `-o -` is standard output for exports.
rl_ok --db "$db" export --format wide
cp "$OUT" "$TMP/plain"
rl_ok --db "$db" export --format wide -o -
expect_same_file "$TMP/plain" "$OUT" "export -o - writes standard output"
expect_absent "$TMP/-" "and no file named -"
rl_ok --db "$db" export --format=wide --output=-
expect_same_file "$TMP/plain" "$OUT" "--output=- and --format=wide work too"
rl_ok --db "$db" export --format wide -o"$TMP/joined.csv"
expect_same_file "$TMP/plain" "$TMP/joined.csv" "-oFILE"
rl_ok --db "$db" task export piped
cp "$OUT" "$TMP/gold_plain"
rl_ok --db "$db" task export piped -o -
expect_same_file "$TMP/gold_plain" "$OUT" "task export -o - writes standard output"

# Values in both forms, options after arguments.
rl_ok --db "$db" classes tabby --limit=1
cp "$OUT" "$TMP/eq"
rl_ok --db "$db" classes --limit 1 tabby
expect_same_file "$TMP/eq" "$OUT" "--limit=1 and --limit 1, before or after"
expect_eq "$(grep -c '^n[0-9]' "$OUT")" 1 "--limit 1 lists one class"

finish
