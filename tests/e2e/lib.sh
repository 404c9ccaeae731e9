# lib.sh - sourced (by bash) from tests/e2e/test_*.sh: drives the real
# relabel binary in a private tmux server, as tmux's own regress/ does.
#
# Each test gets its own server (tmux -L rl$$ -f /dev/null) with one
# session "rl" of a fixed size, the status line off, and a clean
# environment: LC_CTYPE=C.UTF-8, TERM=tmux-256color, RELABEL_REVIEWER,
# and HOME and XDG_DATA_HOME in a temporary folder. Synchronisation is by
# polling the screen (wait_for), never by sleeping for a guessed time.
#
# relabel runs under a small wrapper (run.sh) that records its exit status
# in a file, prints it, and then keeps the pane open. Why not exec it and
# read tmux's #{pane_dead_status}: tmux linked with libutempter resets
# SIGCHLD while its helper runs at the pty's EOF, so the exit of the pane
# process can go unnoticed (a zombie, pane_dead=1 with no status) - seen
# here with tmux 3.3a about one run in three.
#
#   start W H ARGS...  new session running relabel ARGS
#   start_review W H [ARGS]   ... --db $DB review --render $RENDER ARGS
#   respawn ARGS...    relabel again in the same pane (respawn_review)
#   pid                relabel's process id (waits for it to start)
#   wait_for RE [S]    poll the screen until extended regex RE matches
#   wait_gone RE [S]   poll until RE no longer matches
#   wait_exit [S]      relabel has ended; then $STATUS is its exit status
#                      and $RC_FILE.stty the terminal's modes it left
#   poll DESC [S] -- CMD...   run CMD until it succeeds
#   send KEY...        tmux send-keys (key names); typein TEXT: literal
#   screen             the visible pane as text (capture-pane -p)
#   q SQL              one query on $DB (sqlite3)
#   expect GOT WANT MSG, fail MSG, skip MSG
#   demo_db DB         project from share/relabel/demo (init + 3 imports)
#   rl ARGS            the binary outside tmux, same environment
#   row L WNID, sel L WNID   regex of a candidate row marked L (C W U D .)
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
RL_SRC=${RL_SRC:-$(cd "$HERE/../.." && pwd)}
RL_SHARED_DATA=${RL_SHARED_DATA:-$RL_SRC/../shared/data}
DEMO=$RL_SRC/share/relabel/demo
JPEGS=$RL_SRC/tests/data/jpeg
GOLDEN=$HERE/golden
REVIEWER=e2e
RENDER=ascii               # review's --render: ascii (stable) or symbols
TEST_NAME=$(basename "$0" .sh)

skip()
{
    printf '%s: SKIP: %s\n' "$TEST_NAME" "$*"
    exit 77
}

if [ -z "${RELABEL:-}" ]; then
    echo "$TEST_NAME: RELABEL must name the relabel binary" >&2
    exit 1
fi
case $RELABEL in
/*) ;;
*) RELABEL=$(pwd)/$RELABEL ;;
esac
[ -x "$RELABEL" ] || { echo "$TEST_NAME: $RELABEL: not executable" >&2; exit 1; }
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
if [ ! -c /dev/null ]; then
    # tmux cannot daemonise without it ("server exited unexpectedly").
    echo "$TEST_NAME: /dev/null is not a device: something replaced it" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rl-e2e.XXXXXX")
SOCK=rl$$
DB=$TMP/project.db
STATUS=
RUN=0
RC_FILE=$TMP/rc.0
mkdir -p "$TMP/home" "$TMP/xdg"

# The only environment the server, the panes and the binary see.
CLEAN_ENV="PATH=/usr/local/bin:/usr/bin:/bin HOME=$TMP/home LC_CTYPE=C.UTF-8
TERM=tmux-256color RELABEL_REVIEWER=$REVIEWER XDG_DATA_HOME=$TMP/xdg"

t()
{
    # shellcheck disable=SC2086
    env -i $CLEAN_ENV tmux -L "$SOCK" -f /dev/null "$@"
}

rl()
{
    # shellcheck disable=SC2086
    env -i $CLEAN_ENV "$RELABEL" "$@"
}

cleanup()
{
    t kill-server >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

cat >"$TMP/run.sh" <<'EOF'
#!/bin/sh
# run.sh RCFILE CMD...: runs CMD, writes its exit status to RCFILE, shows
# it, and keeps the pane open.
rc_file=$1
shift
trap : INT QUIT     # ^C is relabel's to handle, not the wrapper's
"$@"
rc=$?
stty -a >"$rc_file.stty" 2>&1   # how relabel left the terminal
printf '[relabel exited with status %s]\n' "$rc"
echo "$rc" >"$rc_file.tmp" && mv "$rc_file.tmp" "$rc_file"
exec sleep 100000
EOF
chmod +x "$TMP/run.sh"

screen()
{
    t capture-pane -p -t rl
}

pane()
{
    t display -p -t rl "$1"
}

fail()
{
    {
        printf '%s: FAIL: %s\n' "$TEST_NAME" "$*"
        echo "---- screen ----"
        screen 2>/dev/null
        echo "---- pane $(pane '#{pane_width}x#{pane_height}' 2>/dev/null);" \
            "relabel: $(ps -o pid=,stat= --ppid "$(pane '#{pane_pid}' \
                2>/dev/null)" 2>/dev/null || echo gone)"
    } >&2
    exit 1
}

expect()
{
    [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# sqlite3 with relabel's SQL functions (relabel_sql.so beside relabel).
q()
{
    sqlite3 -batch -noheader -cmd ".load ${RELABEL%/*}/relabel_sql" "$DB" \
        "$1" || fail "sqlite3 failed: $1"
}

# The pane command: run.sh, the status file $RC_FILE, relabel and ARGS.
_cmd()
{
    local a cmd

    cmd=$(printf '%q %q %q' "$TMP/run.sh" "$RC_FILE" "$RELABEL")
    for a in "$@"; do
        cmd="$cmd $(printf '%q' "$a")"
    done
    printf '%s\n' "$cmd"
}

start()
{
    local w=$1 h=$2 cmd

    shift 2
    RUN=$((RUN + 1))
    RC_FILE=$TMP/rc.$RUN
    cmd=$(_cmd "$@")
    t start-server \; set -g default-terminal tmux-256color \; \
        set -g status off \; set -g history-limit 0 \; \
        new-session -d -s rl -x "$w" -y "$h" "$cmd" \
        || fail "cannot start tmux"
}

start_review()
{
    local w=$1 h=$2

    shift 2
    start "$w" "$h" --db "$DB" review --render "$RENDER" "$@"
}

respawn()
{
    local cmd

    RUN=$((RUN + 1))
    RC_FILE=$TMP/rc.$RUN
    cmd=$(_cmd "$@")
    t respawn-pane -k -t rl "$cmd" || fail "cannot respawn the pane"
}

respawn_review()
{
    respawn --db "$DB" review --render "$RENDER" "$@"
}

finished()
{
    [ -f "$RC_FILE" ]
}

# pid: relabel's process id, the wrapper's child.
pid()
{
    local i=0 p

    while :; do
        p=$(ps -o pid= --ppid "$(pane '#{pane_pid}')" 2>/dev/null \
            | head -n 1 | tr -d ' ')
        [ -n "$p" ] && [ "$(ps -o comm= -p "$p")" = relabel ] && break
        finished && fail "relabel has ended already"
        i=$((i + 1))
        [ $i -ge 100 ] && fail "relabel did not start"
        sleep 0.05
    done
    echo "$p"
}

# wait_for REGEX [SECONDS]: the screen matches REGEX (grep -E), or fail.
wait_for()
{
    local re=$1 limit=${2:-5} i=0

    while ! screen | grep -Eq -- "$re"; do
        i=$((i + 1))
        [ $i -ge $((limit * 20)) ] && fail "timed out (${limit}s) waiting for /$re/"
        if finished && ! screen | grep -Eq -- "$re"; then
            fail "relabel ended while waiting for /$re/"
        fi
        sleep 0.05
    done
}

wait_gone()
{
    local re=$1 limit=${2:-5} i=0

    while screen | grep -Eq -- "$re"; do
        i=$((i + 1))
        [ $i -ge $((limit * 20)) ] && fail "timed out (${limit}s) waiting for /$re/ to go"
        sleep 0.05
    done
}

wait_exit()
{
    local limit=${1:-5} i=0

    while ! finished; do
        i=$((i + 1))
        [ $i -ge $((limit * 20)) ] && fail "relabel still running after ${limit}s"
        sleep 0.05
    done
    STATUS=$(cat "$RC_FILE")
}

# poll DESCRIPTION [SECONDS] -- COMMAND...: run COMMAND until it succeeds.
poll()
{
    local what=$1 limit=5 i=0

    shift
    if [ "$1" != -- ]; then
        limit=$1
        shift
    fi
    shift
    until "$@"; do
        i=$((i + 1))
        [ $i -ge $((limit * 20)) ] && fail "timed out (${limit}s): $what"
        sleep 0.05
    done
}

send()
{
    t send-keys -t rl "$@" || fail "send-keys $*"
}

typein()
{
    t send-keys -t rl -l -- "$1" || fail "send-keys -l $1"
}

demo_db()
{
    local db=$1

    rl --db "$db" init >/dev/null \
        && rl --db "$db" import labels "$DEMO/labels.csv" >/dev/null \
        && rl --db "$db" import images "$DEMO/images.csv" >/dev/null \
        && rl --db "$db" import predictions "$DEMO/predictions.csv" >/dev/null \
        || fail "cannot build the demo project $db"
}

# Regex of the candidate row of WNID marked LETTER (C W U D .):
# "[C]   n02123045 ..." or, when the labeling guide covers the class,
# "[C] G n02123045 ..." (G has a column of its own). `sel` is the same,
# selected (">[C] ...").
row()
{
    local l=$1

    [ "$l" = . ] && l='\.'
    printf '[ >]\\[%s\\] [ G] %s ' "$l" "$2"
}

sel()
{
    local l=$1

    [ "$l" = . ] && l='\.'
    printf '>\\[%s\\] [ G] %s ' "$l" "$2"
}

# Stored state of WNID on image NAME for this reviewer ('' if none).
state_of()
{
    q "SELECT r.state FROM review r JOIN image i ON i.id = r.image
       JOIN class c ON c.id = r.class WHERE i.name = '$1'
       AND c.wnid = '$2' AND r.reviewer = '$REVIEWER'"
}

# Candidates of image NAME in display order: most models, best mean
# rank, class index.
cands_of()
{
    q "SELECT c.wnid FROM candidate k JOIN class c ON c.id = k.class
       JOIN image i ON i.id = k.image WHERE i.name = '$1'
       ORDER BY k.n_models DESC, coalesce(CAST(k.rank_sum AS REAL) / nullif(k.n_models, 0), 1e9), c.idx"
}
