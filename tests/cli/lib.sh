# lib.sh - sourced by tests/cli/*.sh: a private temporary folder, a clean
# environment, running the binary, and checks that print what they check
# and say loudly what went wrong. A script ends with `finish`, which exits
# 0 when every check passed and 1 otherwise (77 = skipped, via skip_all).
#
# Environment (set by CTest): RELABEL (the binary), RL_SRC (repository
# root), RL_SHARED_DATA (large real data, may be absent).
set -u

# Run on its own (e.g. by a wider glob), the helper says it is no test.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "1..0 # SKIP lib.sh is the helper the tests source, not a test"
    exit 77
fi

HERE=$(cd "$(dirname "$0")" && pwd)
RL_SRC=${RL_SRC:-$(cd "$HERE/../.." && pwd)}
RL_SHARED_DATA=${RL_SHARED_DATA:-$RL_SRC/../shared/data}
FIX=$RL_SRC/tests/data/cli
if [ -z "${RELABEL:-}" ] || [ ! -x "$RELABEL" ]; then
    echo "Bail out! RELABEL must name the built relabel binary" >&2
    exit 1
fi

TMP=$(mktemp -d /tmp/rl_cli.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
# Nothing from the user's setup leaks in; demo data goes to TMP.
unset RELABEL_DB RELABEL_SHARE
export RELABEL_REVIEWER=tester
export HOME=$TMP/home XDG_DATA_HOME=$TMP/xdg LC_ALL=C.UTF-8
mkdir -p "$HOME"

n_checks=0
n_failed=0
OUT=$TMP/stdout
ERR=$TMP/stderr

skip_all() {
    echo "1..0 # SKIP $*"
    exit 77
}

need() {
    command -v "$1" >/dev/null 2>&1 || skip_all "$1 is not installed"
}

pass() {
    n_checks=$((n_checks + 1))
    echo "ok $n_checks - $*"
}

fail() {
    n_checks=$((n_checks + 1))
    n_failed=$((n_failed + 1))
    echo "not ok $n_checks - $*"
    echo "FAIL: $*" >&2
}

# Shows the last command's output, indented, after a failure.
show() {
    echo "#   command: $last_cmd"
    echo "#   exit status: $rc"
    sed -n '1,15s/^/#   stdout: /p' "$OUT"
    sed -n '1,15s/^/#   stderr: /p' "$ERR"
}

# Runs the binary with the arguments given; output in $OUT and $ERR,
# exit status in $rc.
rl() {
    last_cmd="relabel $*"
    "$RELABEL" "$@" >"$OUT" 2>"$ERR"
    rc=$?
}

# Runs the binary and requires exit status 0.
rl_ok() {
    rl "$@"
    if [ "$rc" -ne 0 ]; then
        fail "relabel $* exits 0"
        show
        return 1
    fi
    return 0
}

expect_rc() {   # WANT WHAT
    if [ "$rc" = "$1" ]; then
        pass "$2 (exit $1)"
    else
        fail "$2: exit status $rc, expected $1"
        show
    fi
}

expect_err() {  # TEXT WHAT: stderr contains TEXT
    if grep -qF -- "$1" "$ERR"; then
        pass "$2"
    else
        fail "$2: stderr lacks '$1'"
        show
    fi
}

expect_err_first() {  # PREFIX WHAT: first line of stderr starts with PREFIX
    local line
    line=$(head -n 1 "$ERR")
    case "$line" in
    "$1"*) pass "$2" ;;
    *)  fail "$2"
        echo "#   expected stderr to start: $1"
        echo "#   got:                      $line" ;;
    esac
}

expect_out() {  # TEXT WHAT: stdout contains TEXT
    if grep -qF -- "$1" "$OUT"; then
        pass "$2"
    else
        fail "$2: stdout lacks '$1'"
        show
    fi
}

expect_eq() {   # GOT WANT WHAT
    if [ "$1" = "$2" ]; then
        pass "$3"
    else
        fail "$3: got '$1', expected '$2'"
    fi
}

expect_same_file() {  # WANT GOT WHAT: files identical, else a diff
    if cmp -s "$1" "$2"; then
        pass "$3"
    else
        fail "$3"
        diff -u "$1" "$2" | head -40 | sed 's/^/#   /'
    fi
}

expect_absent() {  # PATH WHAT
    if [ -e "$1" ]; then
        fail "$2: $1 exists"
    else
        pass "$2"
    fi
}

sha() {
    sha256sum <"$1" | cut -d' ' -f1
}

# sqlite3 on a project, read-only, with relabel's SQL functions loaded
# (the view prediction reads packed rows through them; built beside
# relabel as relabel_sql.so).
RL_SQLEXT=$(cd "$(dirname "$RELABEL")" && pwd)/relabel_sql
q() {
    sqlite3 -readonly -cmd ".load $RL_SQLEXT" "$1" "$2"
}

finish() {
    echo "1..$n_checks"
    if [ "$n_failed" -gt 0 ]; then
        echo "# $n_failed of $n_checks checks failed" >&2
        exit 1
    fi
    exit 0
}
