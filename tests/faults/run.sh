#!/usr/bin/env bash
# run.sh - the fault matrix (issue 14): relabel under kill -9, SIGXFSZ, a
# full disk, a read-only file and folder, a FIFO image, a damaged data
# page and two imports at once. Each case runs the command, checks its
# exit status and message, then that the project is whole (PRAGMA
# integrity_check) and that every acknowledged mark is still there. One
# line per case ("ok", "FAIL" or "SKIP" and why), then a summary line;
# exit 0 when nothing failed. CTest runs it (tests/tests.cmake) in both
# trees, so .ci/run's closing summary counts it.
#
# Environment: RELABEL (the binary), RL_SRC (the repository).
set -u
RL_SRC=${RL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -x "${RELABEL:-}" ] || { echo "run.sh: RELABEL must name the binary" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is not installed"; exit 77; }
FIX=$RL_SRC/tests/data/cli
DEMO=$RL_SRC/share/relabel/demo
TMP=$(mktemp -d /tmp/rl_faults.XXXXXX)
SOCK=rlf$$
MNT=
export RELABEL_REVIEWER=faults HOME=$TMP LC_ALL=C.UTF-8
unset RELABEL_DB
cleanup() {
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
    chmod -R u+w "$TMP" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

passed=0 failed=0 skipped=0
result() {   # ok|FAIL|SKIP CASE TEXT
    case $1 in
    ok) passed=$((passed + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
    esac
    printf '%-4s %-22s %s\n' "$1" "$2" "$3"
}

# A project with acknowledged marks: the fixture reviews (imported, so
# committed) and, below, the marks the review screen showed as saved.
base=$TMP/base.db
"$RELABEL" --db "$base" init >/dev/null \
    && "$RELABEL" --db "$base" import labels "$FIX/labels.csv" >/dev/null \
    && "$RELABEL" --db "$base" import reviews "$FIX/reviews.csv" >/dev/null \
    || { echo "FAIL setup: cannot build the project"; exit 1; }
marks() {   # every review as image|wnid|reviewer|state, sorted
    sqlite3 -readonly "$1" "SELECT i.name||'|'||c.wnid||'|'||r.reviewer||'|'||
        r.state FROM review r JOIN image i ON i.id = r.image
        JOIN class c ON c.id = r.class" | sort
}
ACKED=$(marks "$base")
big() {   # FILE N: a labels file of N new images
    { echo image,wnid; seq 1 "$2" | sed "s/.*/big_&.JPEG,n01751748/"; } >"$1"
}
big "$TMP/big.csv" 60000

# check CASE DB RC WANT_RC PATTERN [ACKED]: the exit status, the message
# (grep -E on stderr), integrity, and the acknowledged marks all present.
check() {
    local name=$1 db=$2 rc=$3 want=$4 pat=$5 acked=${6:-$ACKED} integ got
    if [ "$rc" != "$want" ]; then
        result FAIL "$name" "exit $rc, want $want: $(head -c 300 "$TMP/err")"
        return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$TMP/err"; then
        result FAIL "$name" "message lacks /$pat/: $(head -c 300 "$TMP/err")"
        return
    fi
    integ=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)
    if [ "$integ" != ok ]; then
        result FAIL "$name" "integrity_check: $integ"
        return
    fi
    got=$(marks "$db")
    if [ -n "$(comm -23 <(printf '%s\n' "$acked") <(printf '%s\n' "$got"))" ]; then
        result FAIL "$name" "acknowledged marks are missing"
        return
    fi
    result ok "$name" "exit $rc${pat:+, /$pat/}; whole; $(printf '%s\n' "$acked" | wc -l) marks present"
}
fresh() { cp "$base" "$TMP/$1.db"; echo "$TMP/$1.db"; }
run() {   # DB ARGS...: relabel, stderr in $TMP/err, status in $rc
    local db=$1
    shift
    "$RELABEL" --db "$db" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# ---- kill -9 during an import: all or nothing ---------------------------
db=$(fresh kill9_import)
"$RELABEL" --db "$db" import labels "$TMP/big.csv" >/dev/null 2>"$TMP/err" &
p=$!
for _ in $(seq 1 100); do [ -s "$db-wal" ] && break; sleep 0.02; done
sleep 0.1
kill -9 "$p" 2>/dev/null
{ wait "$p"; } 2>/dev/null
rc=$?
n=$(sqlite3 "$db" "SELECT count(*) FROM image WHERE name LIKE 'big_%'")
if [ "$rc" = 137 ] && [ "$n" != 0 ] && [ "$n" != 60000 ]; then
    result FAIL "kill -9 import" "$n of 60000 rows stored: not one transaction"
else
    check "kill -9 import" "$db" "$rc" "$rc" ""
fi

# ---- kill -9 of the review screen right after "saved" -------------------
if command -v tmux >/dev/null; then
    db=$(fresh kill9_review)
    T="tmux -L $SOCK -f /dev/null"
    $T new-session -d -s f -x 120 -y 36 \
        "env TERM=tmux-256color RELABEL_REVIEWER=faults $RELABEL --db $db review --render ascii; sleep 100" \
        2>/dev/null
    ok=
    for _ in $(seq 1 200); do
        $T capture-pane -p -t f 2>/dev/null | grep -q 'Image: ' && { ok=1; break; }
        sleep 0.05
    done
    saved=
    if [ -n "$ok" ]; then
        $T send-keys -t f c
        for _ in $(seq 1 200); do
            $T capture-pane -p -t f | grep -q '| saved$' && { saved=1; break; }
            sleep 0.05
        done
    fi
    rp=$(pgrep -f "^$RELABEL --db $db review" | head -n 1)
    if [ -z "$saved" ] || [ -z "$rp" ]; then
        result FAIL "kill -9 review" "the screen never said saved"
    else
        kill -9 "$rp"
        sleep 0.2
        : >"$TMP/err"
        # The one mark the screen acknowledged: the reviewer 'faults'.
        n=$(sqlite3 "$db" "SELECT count(*) FROM review WHERE reviewer = 'faults'")
        if [ "$n" != 1 ]; then
            result FAIL "kill -9 review" "the mark shown saved is not stored ($n)"
        else
            check "kill -9 review" "$db" 137 137 ""
        fi
    fi
    $T kill-server 2>/dev/null
else
    result SKIP "kill -9 review" "tmux is not installed"
fi

# ---- SIGXFSZ: a write over ulimit -f fails with EFBIG, the message shows --
db=$(fresh sigxfsz)
limit=$(( $(stat -c %s "$db") / 1024 + 200 ))
( ulimit -f "$limit"; exec "$RELABEL" --db "$db" import labels "$TMP/big.csv" ) \
    >/dev/null 2>"$TMP/err"
rc=$?
check "SIGXFSZ (ulimit -f)" "$db" "$rc" 1 "file size limit"

# ... and in the review screen: the status line says so, q still quits
# with the terminal restored (not exit 153 in raw mode).
if command -v tmux >/dev/null; then
    db=$(fresh sigxfsz_review)
    T="tmux -L $SOCK -f /dev/null"
    # 36 KiB: room for the -shm file and a few marks in the -wal.
    $T new-session -d -s f -x 250 -y 36 "ulimit -f 36; env \
TERM=tmux-256color RELABEL_REVIEWER=faults $RELABEL --db $db review \
--render ascii 2>$TMP/err; echo EXIT=\$?; stty -a | grep -o ' echo '; \
sleep 100" 2>/dev/null
    shown=
    for _ in $(seq 1 100); do
        $T capture-pane -p -t f 2>/dev/null | grep -q 'Image: ' && break
        sleep 0.05
    done
    for _ in $(seq 1 12); do
        $T send-keys -t f c
        sleep 0.3
        if $T capture-pane -p -t f | grep -q 'not saved: .*file size limit'; then
            shown=1
            break
        fi
        $T send-keys -t f n
    done
    $T send-keys -t f q
    ended=
    for _ in $(seq 1 100); do
        $T capture-pane -p -t f | grep -q '^EXIT=' && { ended=1; break; }
        sleep 0.05
    done
    scr=$($T capture-pane -p -t f)
    $T kill-server 2>/dev/null
    if [ -z "$shown" ]; then
        result FAIL "SIGXFSZ review" "the screen never said the file size limit"
    elif [ -z "$ended" ] || ! grep -q '^ echo' <<<"$scr"; then
        result FAIL "SIGXFSZ review" "no clean exit: $(grep EXIT <<<"$scr")"
    else
        rc=$(sed -n 's/^EXIT=//p' <<<"$scr")
        check "SIGXFSZ review" "$db" "$rc" 0 ""
    fi
else
    result SKIP "SIGXFSZ review" "tmux is not installed"
fi

# ---- disk full: a 1 MiB tmpfs (root), else left out -----------------------
MNT=$TMP/full
mkdir -p "$MNT"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m tmpfs "$MNT" 2>/dev/null; then
    cp "$base" "$MNT/p.db"
    run "$MNT/p.db" import labels "$TMP/big.csv"
    check "disk full (tmpfs)" "$MNT/p.db" "$rc" 1 "disk full"
    umount "$MNT"
else
    result SKIP "disk full (tmpfs)" "needs root to mount a small tmpfs"
fi
MNT=

# ---- read-only file and folder: reads work, writes say why ---------------
as=()
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" != 0 ] || [ ${#as[@]} -gt 0 ]; then
    chmod 755 "$TMP"
    mkdir -p "$TMP/rofile" "$TMP/rodir"
    chmod 777 "$TMP/rofile"
    cp "$base" "$TMP/rofile/p.db" && chmod 444 "$TMP/rofile/p.db"
    "${as[@]}" "$RELABEL" --db "$TMP/rofile/p.db" import labels "$TMP/big.csv" \
        >/dev/null 2>"$TMP/err"
    rc=$?
    check "read-only file: import" "$TMP/rofile/p.db" "$rc" 1 "read-only"
    "${as[@]}" "$RELABEL" --db "$TMP/rofile/p.db" stats >/dev/null 2>"$TMP/err"
    rc=$?
    check "read-only file: stats" "$TMP/rofile/p.db" "$rc" 0 ""
    cp "$base" "$TMP/rodir/p.db" && chmod 644 "$TMP/rodir/p.db" \
        && chmod 555 "$TMP/rodir"
    "${as[@]}" "$RELABEL" --db "$TMP/rodir/p.db" export --format wide \
        >/dev/null 2>"$TMP/err"
    rc=$?
    check "read-only folder: export" "$TMP/rodir/p.db" "$rc" 0 ""
    "${as[@]}" "$RELABEL" --db "$TMP/rodir/p.db" import labels "$TMP/big.csv" \
        >/dev/null 2>"$TMP/err"
    rc=$?
    check "read-only folder: import" "$TMP/rodir/p.db" "$rc" 1 "read-only|not writable"
    chmod 755 "$TMP/rodir"
else
    result SKIP "read-only file/folder" "root without setpriv: modes do not bind"
fi

# ---- a FIFO named like an image ---------------------------------------------
db=$(fresh fifo)
mkdir -p "$TMP/fifo"
cp "$RL_SRC/tests/data/jpeg/tiny_1x1.JPEG" "$TMP/fifo/a.JPEG"
mkfifo "$TMP/fifo/x.JPEG"
timeout 20 "$RELABEL" --db "$db" import images "$TMP/fifo" >/dev/null 2>"$TMP/err"
rc=$?
check "FIFO image (folder)" "$db" "$rc" 1 "x.JPEG: image: not a regular file"
printf 'image,path\n%s,x.JPEG\n' ILSVRC2012_val_00000001.JPEG >"$TMP/fifo/i.csv"
timeout 20 "$RELABEL" --db "$db" import images "$TMP/fifo/i.csv" >/dev/null 2>"$TMP/err"
rc=$?
check "FIFO image (CSV)" "$db" "$rc" 1 "not a regular file"

# ---- a damaged data page --------------------------------------------------
db=$(fresh damaged)
root=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_schema WHERE name = 'review'")
ps=$(sqlite3 "$db" "PRAGMA page_size")
head -c "$ps" /dev/zero | tr '\0' '\377' \
    | dd of="$db" bs=1 seek=$((root * ps - ps)) conv=notrunc status=none
before=$(sha256sum <"$db")
run "$db" export
if [ "$rc" = 1 ] && grep -Eq "damaged|malformed" "$TMP/err" \
    && [ "$(sha256sum <"$db")" = "$before" ]; then
    result ok "damaged page: export" "exit 1, /damaged|malformed/; left unchanged"
else
    result FAIL "damaged page: export" "exit $rc: $(head -c 200 "$TMP/err")"
fi
main=$(fresh merge_into)
run "$main" merge "$db"
check "damaged page: merge" "$main" "$rc" 1 "$db: the copy is damaged"

# ---- two imports at once ---------------------------------------------------
db=$(fresh concurrent)
{ echo image,wnid; seq 1 5000 | sed 's/.*/a_&.JPEG,n01751748/'; } >"$TMP/a.csv"
{ echo image,wnid; seq 1 5000 | sed 's/.*/b_&.JPEG,n01751748/'; } >"$TMP/b.csv"
"$RELABEL" --db "$db" import labels "$TMP/a.csv" >/dev/null 2>"$TMP/err.a" &
pa=$!
"$RELABEL" --db "$db" import labels "$TMP/b.csv" >/dev/null 2>"$TMP/err.b" &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
cat "$TMP/err.a" "$TMP/err.b" >"$TMP/err"
n=$(sqlite3 "$db" "SELECT count(*) FROM image WHERE name LIKE 'a\_%' ESCAPE '\' OR name LIKE 'b\_%' ESCAPE '\'")
if [ "$ra$rb" != 00 ] || [ "$n" != 10000 ]; then
    result FAIL "concurrent import" "exits $ra $rb, $n of 10000 images"
else
    check "concurrent import" "$db" 0 0 ""
fi

echo "faults: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
