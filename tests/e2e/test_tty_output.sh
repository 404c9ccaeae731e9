#!/bin/bash
# test_tty_output.sh - what the commands print to a terminal is shown
# escaped, as the screen shows it; into a file it keeps every byte.
# Data holds a title change (ESC ] 2 ; PWNED BEL) and an OSC 52 clipboard
# write (HACKED) in an image name, a model name, class names, a task name,
# a folder name and a bad row's field. Every command runs with stdout and
# stderr on a tmux pane: the pane's title and tmux's paste buffers stay
# as they were, and the recorded output holds none of the raw bytes.
. "$(dirname "$0")/lib.sh"

T=$'\e]2;PWNED\a'
C=$'\e]52;c;SEFDS0VE\a'
EVIL="a${T}${C}.JPEG"
CAT=n02123045
DOG=n02085620

mkdir -p "$TMP/cls" "$TMP/g${T}"
{
    printf 'index\twnid\tnames\tgloss\n'
    printf '0\tn00000001\tcat%s, moggy\ta small%s feline\n' "$T" "$C"
    printf '1\tn00000002\tdog\ta canine\n'
} >"$TMP/cls/classes.tsv"
{
    echo image,wnid,dataset
    printf '%s,%s,val\n' "$EVIL" $CAT plain.JPEG $DOG
} >"$TMP/labels.csv"
{
    echo image,wnid,model
    printf '%s,%s,m%s\n' "$EVIL" $DOG "$T$C" plain.JPEG $DOG "$T$C"
} >"$TMP/pred.csv"
{
    echo image,wnid,state,reviewer
    printf '%s,%s,correct,ann\n' "$EVIL" $CAT
    printf '%s,%s,wrong,bob\n' "$EVIL" $CAT
} >"$TMP/rev.csv"
{
    echo image,wnid,state
    printf '%s,%s,correct\n' "$EVIL" $CAT
} >"$TMP/gold.csv"
{
    echo image,wnid
    printf '%s,x%s\n' "$EVIL" "$C"
} >"$TMP/bad${T}.csv"
cp "$TMP/labels.csv" "$TMP/l${T}.csv"

rl --db "$DB" init >/dev/null || fail "init"
rl --db "$DB" import labels "$TMP/labels.csv" >/dev/null || fail "labels"
rl --db "$DB" import predictions "$TMP/pred.csv" >/dev/null || fail "predictions"
rl --db "$DB" import reviews "$TMP/rev.csv" >/dev/null || fail "reviews"
rl --db "$DB" task create "t$T" --gold "$TMP/gold.csv" >/dev/null || fail "task"
rl --db "$DB" config guides "$TMP/g${T}" >/dev/null || fail "config"
rl --db "$TMP/cls.db" init --classes "$TMP/cls" >/dev/null || fail "init --classes"

# The commands, each printing data to stdout or stderr.
cat >"$TMP/cmds" <<EOF
--db $DB export --format wide
--db $DB export --format long
--db $DB export --format real-json
--db $DB eval $TMP/pred.csv --format csv
--db $DB eval $TMP/pred.csv
--db $TMP/cls.db classes cat
--db $DB disagreements
--db $DB disagreements --format csv
--db $DB stats
--db $DB task list
--db $DB config
--db $DB import labels --dry-run $TMP/l${T}.csv
--db $DB import labels $TMP/bad${T}.csv
--db $DB export --consensus reviewer:x${T}
EOF
cat >"$TMP/pane.sh" <<EOF
#!/bin/bash
while IFS= read -r line; do
    read -r -a args <<<"\$line"
    "$RELABEL" "\${args[@]}"
done <"$TMP/cmds"
echo ALL""DONE
exec sleep 100000
EOF
# Word splitting on spaces only: the hostile bytes hold none.
t start-server \; set -g status off \; set -g set-clipboard on \; \
    new-session -d -s rl -x 200 -y 50 "sleep 100000" || fail "tmux"
title0=$(pane '#{pane_title}')
: >"$TMP/out.bin"
t pipe-pane -o -t rl "cat >>'$TMP/out.bin'" || fail "pipe-pane"
t respawn-pane -k -t rl "bash $TMP/pane.sh" || fail "respawn"
poll "the commands ran" 60 -- grep -q ALLDONE "$TMP/out.bin"

title=$(pane '#{pane_title}')
expect "$title" "$title0" "the pane title"
expect "$(t list-buffers 2>/dev/null | wc -l)" 0 "tmux paste buffers"
bad=$(LC_ALL=C grep -c -a -E $'\e|\a|\xc2[\x80-\x9f]' "$TMP/out.bin")
[ "$bad" = 0 ] || fail "$bad lines of raw control bytes reached the pane: $(LC_ALL=C grep -a -E $'\e|\a' "$TMP/out.bin" | od -c | head -5)"
# ... and the data was there, escaped.
for want in 'a\x1b]2;PWNED\x07\x1b]52;c;SEFDS0VE\x07.JPEG' \
    'm\x1b]2;PWNED' 'cat\x1b]2;PWNED' 't\x1b]2;PWNED' 'g\x1b]2;PWNED' \
    'l\x1b]2;PWNED\x07.csv' 'bad\x1b]2;PWNED\x07.csv:2'; do
    grep -qF -- "$want" "$TMP/out.bin" || fail "not shown escaped: $want"
done

# Into a file (or pipe) the same commands keep the bytes.
while IFS= read -r line; do
    read -r -a args <<<"$line"
    rl "${args[@]}" >>"$TMP/file.out" 2>&1
done <"$TMP/cmds"
# (the human reports classes, task list and eval text escape their own
# data, in a file too; the CSV and JSON outputs must not.)
for want in "$EVIL" "m$T$C" "g$T"; do
    LC_ALL=C grep -qaF -- "$want" "$TMP/file.out" \
        || fail "a file lost the bytes of $(printf '%q' "$want")"
done
echo "$TEST_NAME: ok"
