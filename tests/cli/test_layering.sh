#!/bin/bash
# test_layering.sh - the layers of the style guide, checked on the built
# archives: rl_core references no symbol outside libc, libm, libpthread
# and SQLite; rl_render none of ncurses; no core or render source (nor a
# public header) includes a ui/ or cmd/ header or curses. The build links
# the same archives alone (rl_core_alone, rl_render_alone), so a curses
# call in the core fails `cmake --build` as well as this test. Neither
# core, cmd/ nor ui/ holds a two-file circle (by includes; in cmd/ and ui/
# by calls too, read from the built objects).
. "$(dirname "$0")/lib.sh"
need nm
BUILD=$(dirname "$RELABEL")
CORE=$BUILD/librl_core.a
RENDER=$BUILD/librl_render.a
[ -f "$CORE" ] && [ -f "$RENDER" ] || skip_all "no librl_core.a / librl_render.a next to $RELABEL"

# Dynamic symbols a library exports, from the path the linker would use.
exports() {   # NAME...
    local n p
    for n in "$@"; do
        p=$(cc -print-file-name="lib$n.so.6" 2>/dev/null)
        [ -f "$p" ] || p=$(cc -print-file-name="lib$n.so.0" 2>/dev/null)
        [ -f "$p" ] || p=$(cc -print-file-name="lib$n.so" 2>/dev/null)
        [ -f "$p" ] || p=$(ldconfig -p | awk -v n="lib$n.so" '$1 ~ "^"n {print $NF; exit}')
        [ -f "$p" ] || continue
        p=$(readlink -f "$p")
        # A linker script (libc.so, libm.so) names the real objects.
        if ! nm -D --defined-only "$p" >/dev/null 2>&1; then
            continue
        fi
        nm -D --defined-only "$p" | awk '{print $NF}' | sed 's/@.*//'
    done | sort -u
}
# Undefined symbols of an archive that none of its own objects defines.
undefined() {   # ARCHIVE
    comm -23 <(nm -u "$1" 2>/dev/null | awk 'NF && $NF !~ /:$/ {print $NF}' | sort -u) \
             <(nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
}

allowed=$TMP/allowed
exports c m pthread sqlite3 >"$allowed"
[ -s "$allowed" ] || skip_all "cannot read libc/SQLite exports"
out=$(undefined "$CORE" | comm -23 - "$allowed" \
      | grep -Ev '^(__asan_|__ubsan_|__sanitizer_|__sancov_|__lsan_)' \
      | grep -Ev '^(_GLOBAL_OFFSET_TABLE_|__stack_chk_fail|__isoc99_|__isoc23_|__errno_location|__ctype_|__assert_fail|__fprintf_chk|__printf_chk|__snprintf_chk|__vsnprintf_chk|__sprintf_chk|__vfprintf_chk|__memcpy_chk|__strcpy_chk|__fdelt_chk|__longjmp_chk)' )
if [ -z "$out" ]; then
    pass "rl_core references only libc, libm, libpthread and SQLite"
else
    fail "rl_core references symbols outside its layer: $(echo $out | head -c 300)"
fi

curses=$TMP/curses
exports ncursesw tinfo panelw formw menuw >"$curses"
[ -s "$curses" ] || skip_all "cannot read the ncurses exports"
out=$(undefined "$RENDER" | comm -12 - "$curses")
if [ -z "$out" ]; then
    pass "rl_render references no ncurses symbol"
else
    fail "rl_render calls ncurses: $(echo $out | head -c 300)"
fi
out=$(undefined "$CORE" | comm -12 - "$curses")
if [ -z "$out" ]; then
    pass "rl_core references no ncurses symbol"
else
    fail "rl_core calls ncurses: $(echo $out | head -c 300)"
fi

# Includes: core and render (and the public headers) see only core.
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((\.\./)*(ui|cmd)/|n?curses(w)?\.h|ncursesw/|term\.h|ui\.h|cmd\.h)' \
      "$RL_SRC"/src/core/*.[ch] "$RL_SRC"/src/render/*.[ch] \
      "$RL_SRC"/include/relabel/*.h 2>/dev/null)
if [ -z "$bad" ]; then
    pass "no core or render source includes a ui/, cmd/ or curses header"
else
    fail "layer-crossing includes: $bad"
fi
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\./)*render/' \
      "$RL_SRC"/src/core/*.[ch] "$RL_SRC"/include/relabel/*.h 2>/dev/null \
      | grep -v 'relabel/render.h' )
if [ -z "$bad" ]; then
    pass "no core source includes a render/ source header"
else
    fail "core includes render internals: $bad"
fi

# No include circles among core modules: module X uses Y (X.c or
# relabel/X.h includes relabel/Y.h) and Y uses X is a circle.
uses() {   # X Y: true if module X includes Y's header
    grep -qE "^#[[:space:]]*include[[:space:]]*\"relabel/$2\.h\"" \
        "$RL_SRC/src/core/$1.c" "$RL_SRC/include/relabel/$1.h" 2>/dev/null
}
circles=""
mods=$(for f in "$RL_SRC"/src/core/*.c; do
           m=$(basename "$f" .c)
           [ -f "$RL_SRC/include/relabel/$m.h" ] && echo "$m"
       done)
for x in $mods; do
    for y in $mods; do
        [ "$x" \< "$y" ] || continue
        if uses "$x" "$y" && uses "$y" "$x"; then
            circles="$circles $x<->$y"
        fi
    done
done
if [ -z "$circles" ]; then
    pass "no include circles between core modules"
else
    fail "core include circles:$circles"
fi

# No two-file circles in cmd/ and ui/ either, by calls or by includes:
# file X uses Y when X's object references a symbol Y's object defines,
# or X.c includes Y's own header (Y.h beside Y.c). Both ways is a circle.
defs() {   # OBJECT: the global symbols it defines
    nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TDBRCG]/ {print $3}' | sort -u
}
refs() {   # OBJECT: the symbols it needs from elsewhere
    nm -u "$1" 2>/dev/null | awk '{print $NF}' | sort -u
}
calls() {   # X.o Y.o: true if X references a symbol of Y
    [ -n "$(comm -12 <(refs "$1") <(defs "$2"))" ]
}
includes() {   # DIR X Y: true if DIR/X.c includes DIR/Y.h (Y's own header)
    [ -f "$RL_SRC/src/$1/$3.h" ] || return 1
    grep -qE "^#[[:space:]]*include[[:space:]]*\"($1/)?$3\.h\"" "$RL_SRC/src/$1/$2.c"
}
OBJ=$BUILD/CMakeFiles/relabel.dir/src
for d in cmd ui; do
    objs=$(ls "$OBJ/$d"/*.c.o 2>/dev/null)
    n_src=$(ls "$RL_SRC/src/$d"/*.c | wc -l)
    if [ "$(echo "$objs" | grep -c .)" -ne "$n_src" ]; then
        fail "$d/: expected $n_src objects under $OBJ/$d, found $(echo "$objs" | grep -c .)"
        continue
    fi
    circles=""
    for x in $objs; do
        for y in $objs; do
            [ "$x" \< "$y" ] || continue
            mx=$(basename "$x" .c.o)
            my=$(basename "$y" .c.o)
            { calls "$x" "$y" || includes "$d" "$mx" "$my"; } || continue
            { calls "$y" "$x" || includes "$d" "$my" "$mx"; } || continue
            circles="$circles $d/$mx<->$d/$my"
        done
    done
    if [ -z "$circles" ]; then
        pass "no two-file circles (calls or includes) in $d/"
    else
        fail "two-file circles in $d/:$circles"
    fi
done
finish
