#!/bin/bash
# test_missing.sh - every command on a project file that does not exist
# fails with a clear message and creates nothing; init refuses to
# overwrite an existing project; the project may come from $RELABEL_DB.
. "$(dirname "$0")/lib.sh"
need sqlite3

db=$TMP/nothere.db
for args in "import labels $FIX/labels.csv" \
            "import predictions $FIX/predictions.csv" \
            "import reviews $FIX/reviews.csv" \
            "import images $FIX" \
            "import labels $FIX/labels.csv --dry-run" \
            "export" "export --format wide" "export --format real-json" \
            "export -o $TMP/out.csv" "stats" "review"; do
    # shellcheck disable=SC2086
    rl --db "$db" $args
    expect_rc 1 "$args on a missing project"
    expect_err "$db: no such project" "$args: says 'no such project'"
    expect_err "init" "$args: says how to create one"
    expect_absent "$db" "$args: no project file was created"
    expect_absent "$db-wal" "$args: no -wal file was created"
    expect_absent "$db-journal" "$args: no journal was created"
done
expect_absent "$TMP/out.csv" "export to -o on a missing project writes no file"

# A missing folder on the way fails too (and does not create it).
rl --db "$TMP/no/such/dir/p.db" stats
expect_rc 1 "stats in a missing folder"
expect_absent "$TMP/no" "no folder was created"
rl --db "$TMP/no/such/dir/p.db" init
expect_rc 1 "init in a missing folder"
expect_err "$TMP/no/such/dir/p.db" "init in a missing folder names the file"

# No project at all: a usage error.
rl stats
expect_rc 2 "stats without --db or RELABEL_DB"
expect_err "no project given" "says 'no project given'"

# init creates; a second init leaves the project as it was.
rl_ok --db "$db" init && pass "init creates a project"
expect_out "created $db" "init says what it created"
expect_eq "$(q "$db" 'SELECT count(*) FROM class WHERE idx IS NOT NULL')" 1000 \
    "the new project has the 1000 ImageNet classes"
rl_ok --db "$db" import labels "$FIX/labels.csv"
before=$(sha "$db")
rl --db "$db" init
expect_rc 1 "init over an existing project"
expect_err "$db" "init over a project names the file"
expect_err "not overwriting" "init over a project says it will not overwrite"
expect_eq "$(sha "$db")" "$before" "the existing project is byte-for-byte unchanged"
expect_eq "$(q "$db" 'SELECT count(*) FROM image')" 5 "its images are still there"

# Init over a non-empty file that is not a project.
echo "keep me" >"$TMP/notes.txt"
before=$(sha "$TMP/notes.txt")
rl --db "$TMP/notes.txt" init
expect_rc 1 "init over a text file"
expect_eq "$(sha "$TMP/notes.txt")" "$before" "the text file is unchanged"

# init with a catalog folder that lacks classes.tsv leaves no file.
mkdir "$TMP/nocat"
rl --db "$TMP/fresh.db" init --classes "$TMP/nocat"
expect_rc 1 "init with a folder without classes.tsv"
expect_err "classes.tsv" "says which file is missing"
expect_absent "$TMP/fresh.db" "a failed init leaves no project behind"

# RELABEL_DB stands in for --db; --db wins over it.
RELABEL_DB=$db rl stats
expect_rc 0 "stats with RELABEL_DB"
expect_out "classes              1000" "stats reads the project named by RELABEL_DB"
RELABEL_DB=$TMP/other.db rl --db "$db" stats
expect_rc 0 "--db wins over RELABEL_DB"
expect_absent "$TMP/other.db" "RELABEL_DB's file was not created"

finish
