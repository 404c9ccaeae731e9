# test_eval_memory.sh - issue 16: `relabel eval` in memory that does not
# grow with the images, for every shape of input: one file in image-name
# order (the merge join), the same rows shuffled (the sort by name on
# disk), split into two files, and through a pipe. Two projects of 20,000
# and 100,000 images (a streaming generator: two models, five ranks, the
# rows of an image far apart) are evaluated in each shape; every shape
# writes the same bytes, and the peak RSS (getrusage of the child) of the
# larger is within 2 MB of the smaller's, where the whole truth in memory
# (about 59 bytes an image) would add 4.7 MB. Under a sanitizer the sizes
# are not compared. Sort runs go to $TMPDIR: a TMPDIR that cannot be
# written fails the shuffled shape with its name and no output.
. "$(dirname "$0")/lib.sh"
need python3

# gen DIR N: labels.csv, reviews.csv, ordered.csv (by image name) and
# shuffled.csv (rank by rank, images in a scrambled order).
gen() {
    awk -v dir="$1" -v n="$2" 'BEGIN {
        lab = dir "/labels.csv"; rev = dir "/reviews.csv"
        ord = dir "/ordered.csv"; shf = dir "/shuffled.csv"
        print "image,wnid,dataset" > lab
        print "image,wnid,state,reviewer,role,problematic" > rev
        print "image,model,rank,wnid" > ord
        print "image,model,rank,wnid" > shf
        split("correct wrong unclear", st, " ")
        for (i = 0; i < n; i++) {
            name = sprintf("m%07d.JPEG", i)
            printf "%s,%d,%s\n", name, i % 1000, i % 3 ? "val" : "v2" > lab
            if (i % 5 != 0)
                printf "%s,%d,%s,ann,reviewer,%s\n", name, i % 1000,
                    st[1 + i % 3], i % 41 == 0 ? 1 : "" > rev
            if (i % 7 == 0)
                printf "%s,%d,correct,bo,reviewer,\n", name,
                    (i + 1) % 1000 > rev
            for (m = 0; m < 2; m++)
                for (r = 1; r <= 5; r++)
                    printf "%s,%s,%d,%d\n", name, m ? "vit" : "res", r,
                        (i + (r - 1) * (3 + m) + (i % 4 == 0 ? 1 : 0)) \
                        % 1000 > ord
        }
        # 7919 is prime and does not divide n: k -> k * 7919 mod n is a
        # permutation.
        for (r = 1; r <= 5; r++)
            for (m = 0; m < 2; m++)
                for (k = 0; k < n; k++) {
                    i = (k * 7919 + r * 13 + m) % n
                    printf "m%07d.JPEG,%s,%d,%d\n", i, m ? "vit" : "res", r,
                        (i + (r - 1) * (3 + m) + (i % 4 == 0 ? 1 : 0)) \
                        % 1000 > shf
                }
    }'
}

# peak CMD: runs CMD with bash; prints its peak RSS in KB, then its exit
# status.
peak() {
    python3 -c 'import resource, subprocess, sys
r = subprocess.run(["bash", "-c", sys.argv[1]]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r)' "$1"
}

sanitized=
if nm -D "$RELABEL" 2>/dev/null | grep -q __asan_init \
    || nm "$RELABEL" 2>/dev/null | grep -q __asan_init; then
    sanitized=1
fi

declare -A rss
for n in 20000 100000; do
    G=$TMP/g$n
    mkdir -p "$G"
    gen "$G" "$n" || fail "generator"
    DB=$G/p.db
    rl_ok --db "$DB" init && rl_ok --db "$DB" import labels "$G/labels.csv" \
        && rl_ok --db "$DB" import reviews "$G/reviews.csv" \
        && pass "project of $n images"
    {
        head -1 "$G/shuffled.csv"
        tail -n +2 "$G/shuffled.csv" | awk 'NR % 2'
    } >"$G/half1.csv"
    {
        head -1 "$G/shuffled.csv"
        tail -n +2 "$G/shuffled.csv" | awk 'NR % 2 == 0'
    } >"$G/half2.csv"
    ev="$RELABEL --db $DB eval --format csv --resamples 20"
    for shape in ordered shuffled two_files pipe; do
        case $shape in
        ordered) cmd="$ev $G/ordered.csv" ;;
        shuffled) cmd="$ev $G/shuffled.csv" ;;
        two_files) cmd="$ev $G/half1.csv $G/half2.csv" ;;
        pipe) cmd="cat $G/shuffled.csv | $ev -" ;;
        esac
        read -r kb st < <(peak "$cmd >$G/$shape.out 2>$G/$shape.err")
        if [ "$st" = 0 ] && [ -s "$G/$shape.out" ]; then
            pass "$n images, $shape: scored ($kb KB peak)"
        else
            fail "$n images, $shape: exit $st: $(head -c 300 "$G/$shape.err")"
        fi
        rss[$n.$shape]=$kb
    done
    for shape in shuffled two_files pipe; do
        expect_same_file "$G/ordered.out" "$G/$shape.out" \
            "$n images: $shape writes what ordered writes"
    done
done

if [ -n "$sanitized" ]; then
    pass "sanitizer build: peak RSS not compared"
else
    for shape in ordered shuffled two_files pipe; do
        small=${rss[20000.$shape]} big=${rss[100000.$shape]}
        if [ $((big - small)) -lt 2048 ]; then
            pass "$shape: $big KB at 100k images, $small KB at 20k"
        else
            fail "$shape: $big KB at 100k images, $small KB at 20k (grows)"
        fi
    done
fi

# The sort's runs go to $TMPDIR.
G=$TMP/g100000
rl_env() { env TMPDIR="$1" "$RELABEL" --db "$G/p.db" eval "$G/shuffled.csv"; }
rl_env /nonexistent-relabel-tmp >"$TMP/o" 2>"$TMP/e"
st=$?
if [ "$st" = 1 ] && grep -q "/nonexistent-relabel-tmp" "$TMP/e" \
    && [ ! -s "$TMP/o" ]; then
    pass "an unwritable TMPDIR is named: $(head -c 200 "$TMP/e")"
else
    fail "TMPDIR: exit $st, $(head -c 200 "$TMP/e")"
fi
finish
