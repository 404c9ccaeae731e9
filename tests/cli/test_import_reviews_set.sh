#!/bin/bash
# test_import_reviews_set.sh - the reviews import applied set by set
# (issue 16) stores exactly what the row-by-row import stored: on a hostile
# file (no-change rows, roles, adders, two reviewers on one added class,
# flag chains, notes with newlines and quotes, image rows, an empty row)
# the tables, the events (per value, in order), the steps and the summary
# equal golden files written by the row-by-row import of main (9b87884),
# the log replays to the tables, a file as stored logs nothing, and a bad
# row on line N names FILE:N: field and stores nothing. One line of the
# goldens was removed by hand: the row-by-row import logged erin's verdict
# on the class carol added as a second added candidate ('dave' -> '')
# while the table kept dave, so its log did not replay (check 5 fails on
# it); now one candidate, one event.
. "$(dirname "$0")/lib.sh"
need sqlite3

G=$FIX/golden
db=$TMP/p.db
rl_ok --db "$db" init || finish
rl_ok --db "$db" import labels "$FIX/labels.csv" || finish
rl_ok --db "$db" import predictions "$FIX/predictions.csv" || finish
rl_ok --db "$db" import reviews "$FIX/reviews.csv" || finish

# Everything the import writes, without row ids and times of now.
dump() {
    sqlite3 -header "$1" "
    SELECT 'review', i.name, k.wnid, r.reviewer, r.state, r.role,
      CASE WHEN r.updated_at < 1780000000000 THEN r.updated_at ELSE 'now' END
      FROM review r JOIN image i ON i.id = r.image JOIN class k ON k.id = r.class
      ORDER BY i.name, k.wnid, r.reviewer;
    SELECT 'flag', i.name, f.reviewer, f.problematic, quote(f.note),
      (SELECT wnid FROM class WHERE id = f.main), f.done,
      CASE WHEN f.updated_at < 1780000000000 THEN f.updated_at ELSE 'now' END
      FROM flag f JOIN image i ON i.id = f.image ORDER BY i.name, f.reviewer;
    SELECT 'candidate', i.name, k.wnid, c.n_models, c.added_by
      FROM candidate c JOIN image i ON i.id = c.image
      JOIN class k ON k.id = c.class ORDER BY i.name, k.wnid;
    SELECT 'step', s.reviewer, s.kind, s.what FROM step s
      ORDER BY s.reviewer, s.id;
    SELECT 'event', s.reviewer, i.name, k.wnid, e.field,
      CASE WHEN e.field = 'main' THEN (SELECT wnid FROM class
        WHERE id = CAST(e.before AS INTEGER)) ELSE quote(e.before) END,
      CASE WHEN e.field = 'main' THEN (SELECT wnid FROM class
        WHERE id = CAST(e.after AS INTEGER)) ELSE quote(e.after) END
      FROM event e JOIN step s ON s.id = e.step JOIN image i ON i.id = e.image
      LEFT JOIN class k ON k.id = e.class
      ORDER BY s.reviewer, i.name, k.wnid, e.field, e.id;"
}

# Keys whose newest event disagrees with the table (0: the log replays).
unreplayed() {
    sqlite3 "$1" "
    WITH last AS (SELECT s.reviewer, e.image, e.class, e.field, e.after,
      max(e.id) FROM event e JOIN step s ON s.id = e.step
      GROUP BY s.reviewer, e.image, e.class, e.field)
    SELECT count(*) FROM last l WHERE CASE l.field
      WHEN 'state' THEN l.after IS NOT (SELECT state FROM review r
        WHERE r.image = l.image AND r.class = l.class
        AND r.reviewer = l.reviewer)
      WHEN 'role' THEN l.after IS NOT (SELECT role FROM review r
        WHERE r.image = l.image AND r.class = l.class
        AND r.reviewer = l.reviewer)
      WHEN 'candidate' THEN l.after IS NOT (SELECT coalesce(added_by, '')
        FROM candidate c WHERE c.image = l.image AND c.class = l.class)
      WHEN 'note' THEN coalesce(l.after, '') IS NOT (SELECT note FROM flag f
        WHERE f.image = l.image AND f.reviewer = l.reviewer)
      WHEN 'main' THEN l.after IS NOT (SELECT CAST(main AS TEXT) FROM flag f
        WHERE f.image = l.image AND f.reviewer = l.reviewer)
      ELSE coalesce(l.after, '0') IS NOT (SELECT CAST(CASE l.field
        WHEN 'problematic' THEN problematic ELSE done END AS TEXT)
        FROM flag f WHERE f.image = l.image AND f.reviewer = l.reviewer) END"
}

# "EVENTS STEPS" of a project.
logged() {
    echo "$(sqlite3 "$1" 'SELECT count(*) FROM event') $(sqlite3 "$1" 'SELECT count(*) FROM step')"
}

F=$FIX/reviews_hostile.csv
cp "$db" "$TMP/base.db"
rl --db "$db" import reviews "$F"
expect_rc 0 "import the hostile long file"
expect_out "$F: 21 rows: 11 new, 5 changed, 1 empty (no label), 4 unchanged" \
    "rows counted in one bucket each, as before"
# The row-by-row import counted (and logged, 'dave' -> '') erin's verdict
# on the class carol added as a second added candidate; the table kept
# dave as its adder, so the log did not replay. One candidate, one event.
expect_out "stored: 9 verdicts, 3 roles, 3 main objects, 3 problematic flags, 3 notes, 2 confirmations, 2 added candidates" \
    "changes counted by kind, as before (one added candidate per class)"
dump "$db" >"$TMP/long.txt"
# RL_WRITE_GOLDEN=1 with the row-by-row binary wrote the golden files.
[ -n "${RL_WRITE_GOLDEN:-}" ] && cp "$TMP/long.txt" "$G/reviews_set_long.txt"
expect_same_file "$G/reviews_set_long.txt" "$TMP/long.txt" \
    "tables, steps and events as the row-by-row import left them"
expect_eq "$(unreplayed "$db")" 0 "the event log replays to the tables"

read -r n_ev n_st <<<"$(logged "$db")"
# Again: the verdicts are as the file says; the flag changes the file
# makes in turn (carol's problematic 1, 0, 0; alice's main) are made again.
rl --db "$db" import reviews "$F"
expect_out "$F: 21 rows: 0 new, 6 changed, 1 empty (no label), 14 unchanged" \
    "the same file again: only the rows of flag chains change"
expect_out "stored: 0 verdicts, 0 roles, 2 main objects, 4 problematic flags, 2 notes, 0 confirmations, 0 added candidates" \
    "the same file again: only the flag chains are stored"
expect_eq "$(logged "$db")" "$((n_ev + 8)) $((n_st + 3))" "an event per flag change, a step per reviewer with one"
expect_eq "$(unreplayed "$db")" 0 "the event log replays after the second import"

# A file whose every row is as stored: no event, no step.
cp "$TMP/base.db" "$TMP/nc.db"
before=$(logged "$TMP/nc.db")
rl --db "$TMP/nc.db" import reviews "$FIX/reviews.csv"
expect_out "$FIX/reviews.csv: 12 rows: 0 new, 0 changed, 0 empty (no label), 12 unchanged" \
    "a file as stored: every row unchanged"
expect_out "stored: 0 verdicts, 0 roles, 0 main objects, 0 problematic flags, 0 notes, 0 confirmations, 0 added candidates" \
    "a file as stored: nothing to store"
expect_eq "$(logged "$TMP/nc.db")" "$before" "a file as stored: no event, no step"

F=$FIX/reviews_hostile_wide.csv
rl --db "$db" import reviews "$F"
expect_rc 0 "import the hostile wide file"
expect_out "$F: 4 rows: 3 new, 0 changed, 0 empty (no label), 1 unchanged" \
    "wide rows counted as before"
expect_out "stored: 7 verdicts, 0 roles, 2 main objects, 1 problematic flags, 0 notes, 0 confirmations, 0 added candidates" \
    "wide changes counted as before"
dump "$db" >"$TMP/wide.txt"
[ -n "${RL_WRITE_GOLDEN:-}" ] && cp "$TMP/wide.txt" "$G/reviews_set_wide.txt"
expect_same_file "$G/reviews_set_wide.txt" "$TMP/wide.txt" \
    "after the wide file: as the row-by-row import left it"
expect_eq "$(unreplayed "$db")" 0 "the event log still replays"

# A bad row on line N, after good rows that change things: FILE:N: field,
# and the project byte for byte as it was.
bad_case() {  # LINE FIELD MESSAGE TEXT-OF-LINE
    local f=$TMP/bad_$1.csv before
    head -n $(($1 - 1)) "$FIX/reviews_hostile.csv" >"$f"
    printf '%s\n' "$4" >>"$f"
    tail -n +$1 "$FIX/reviews_hostile.csv" >>"$f"
    cp "$TMP/base.db" "$TMP/b.db"
    before=$(sha "$TMP/b.db")
    rl --db "$TMP/b.db" import reviews "$f"
    expect_rc 1 "bad $2 on line $1"
    expect_err_first "relabel: $f:$1: $2: $3" "names $f:$1: $2"
    expect_eq "$(sha "$TMP/b.db")" "$before" "bad line $1: the project unchanged"
}
# (line 7 of the file holds the note with a newline: rows shift by one.)
bad_case 20 wnid "duplicate key: ILSVRC2012_val_00000004.JPEG has a verdict on n03126707 by this reviewer earlier in the file" \
    'ILSVRC2012_val_00000004.JPEG,n03126707,wrong,bob,,,,,,,'
bad_case 12 state "expected correct, wrong, unclear or dont_know, found 'maybe'" \
    'ILSVRC2012_val_00000002.JPEG,n09193705,maybe,alice,,,,,,,'
bad_case 23 role "expected reviewer or adjudicator, found 'boss'" \
    '"odd, ""name"".JPEG",n01443537,unclear,zoe,boss,,,,,,'
bad_case 3 image "unknown image 'nope.JPEG' (import its label or file first)" \
    'nope.JPEG,n01751748,correct,alice,,,,,,,'

F=$FIX/reviews_hostile_wide.csv
cp "$TMP/base.db" "$TMP/w.db"
printf 'ILSVRC2012_val_00000002.JPEG,n09193705,,,,,\n' >"$TMP/wdup.csv.tail"
cat "$F" "$TMP/wdup.csv.tail" >"$TMP/wdup.csv"
before=$(sha "$TMP/w.db")
rl --db "$TMP/w.db" import reviews "$TMP/wdup.csv"
expect_rc 1 "wide: a second row of one image"
expect_err_first "relabel: $TMP/wdup.csv:6: image: duplicate key (first on line 3)" \
    "wide duplicate names the line of the first"
expect_eq "$(sha "$TMP/w.db")" "$before" "wide duplicate: the project unchanged"
finish
