#!/bin/bash
# exports.sh DB [COUNT] - times relabel's long, wide and real-json exports
# beside an sqlite3 shell command that writes the same bytes from the same
# project (checked with cmp), in the same run. Prints per format
#   export_<fmt>_ms  sqlite3_export_<fmt>_ms  ratio  (wall clock)
# and the CPU seconds (user + system) of each, which a loaded machine
# disturbs less. DB is only read (sqlite3 -readonly; relabel's export
# opens it read-only). COUNT: real-json lists (default: the image count).
# The references implement the rules in SQL: majority per pair (a tie is
# unclear; the latest adjudication wins), the main object among the
# correct classes (the latest adjudicator's main mark when correct, else
# most reviewers' votes, then the lower class index), problematic when any
# flag says so; the long form with its timing columns.
set -u
DB=$1
RELABEL=${RELABEL:-build/relabel}
SQLITE=${SQLITE:-sqlite3}
T=$(mktemp -d /tmp/rl_bench_exports.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"
COUNT=${2:-$($SQLITE -readonly "$DB" 'SELECT count(*) FROM image')}

TS="strftime('%Y-%m-%dT%H:%M:%fZ', X / 1000.0, 'unixepoch')"
# A flag that holds anything has an image row; so has a timing.
HOLDS="(f.problematic <> 0 OR f.note <> '' OR f.main IS NOT NULL OR f.done <> 0)"
cat >"$T/long.sql" <<SQL
.headers on
.mode csv
.separator , "\n"
SELECT image, wnid, state, reviewer, role, main, problematic, note, done,
       added_by, updated_at, first_shown, last_change, active_ms FROM (
 SELECT i.name AS image, 0 AS kind, k.idx AS idx, k.wnid AS wnid,
  r.state AS state, r.reviewer AS reviewer, r.role AS role, NULL AS main,
  NULL AS problematic, NULL AS note, NULL AS done, cd.added_by AS added_by,
  ${TS//X/r.updated_at} AS updated_at, NULL AS first_shown,
  NULL AS last_change, NULL AS active_ms
 FROM review r JOIN image i ON i.id = r.image JOIN class k ON k.id = r.class
 LEFT JOIN candidate cd ON cd.image = r.image AND cd.class = r.class
 UNION ALL
 SELECT i.name, 1, NULL, NULL, NULL, f.reviewer, NULL, m.wnid, f.problematic,
  nullif(f.note, ''), f.done, NULL, ${TS//X/f.updated_at},
  ${TS//X/t.first_shown}, ${TS//X/t.last_change}, t.active_ms
 FROM flag f JOIN image i ON i.id = f.image LEFT JOIN class m ON m.id = f.main
 LEFT JOIN timing t ON t.image = f.image AND t.reviewer = f.reviewer
 WHERE $HOLDS
 UNION ALL
 SELECT i.name, 1, NULL, NULL, NULL, t.reviewer, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, ${TS//X/t.first_shown}, ${TS//X/t.last_change}, t.active_ms
 FROM timing t JOIN image i ON i.id = t.image
 WHERE NOT EXISTS (SELECT 1 FROM flag f WHERE f.image = t.image
  AND f.reviewer = t.reviewer AND $HOLDS)
 ORDER BY 1, 2, 3, 4, 6);
SQL

# The majority consensus per pair, shared by wide and real-json.
CONS="p AS (SELECT r.image, r.class,
   sum(r.role = 'reviewer' AND r.state = 'correct') c,
   sum(r.role = 'reviewer' AND r.state = 'wrong') w,
   sum(r.role = 'reviewer' AND r.state = 'unclear') u,
   sum(r.role = 'reviewer' AND r.state = 'dont_know') d,
   (SELECT a.state FROM review a WHERE a.image = r.image AND a.class = r.class
    AND a.role = 'adjudicator' ORDER BY a.updated_at DESC, a.reviewer DESC
    LIMIT 1) adj
  FROM review r GROUP BY r.image, r.class),
 s AS (SELECT image, class, coalesce(adj, CASE WHEN m = 0 THEN NULL
   WHEN (c = m) + (w = m) + (u = m) + (d = m) > 1 THEN 'unclear'
   WHEN c = m THEN 'correct' WHEN w = m THEN 'wrong' WHEN u = m THEN 'unclear'
   ELSE 'dont_know' END) st FROM (SELECT *, max(c, w, u, d) m FROM p))"

cat >"$T/wide.sql" <<SQL
.headers off
.mode list
SELECT 'image,original,correct,wrong,unclear,dont_know,problematic,main';
WITH $CONS,
 l AS (SELECT image, st, group_concat(wnid, ' ') ws FROM (SELECT s.image,
   s.st, k.wnid FROM s JOIN class k ON k.id = s.class WHERE s.st IS NOT NULL
   ORDER BY s.image, s.st, k.idx) GROUP BY image, st),
 f AS (SELECT image, max(problematic <> 0) prob FROM flag GROUP BY image),
 adj AS (SELECT DISTINCT image, reviewer FROM review
   WHERE role = 'adjudicator'),
 mv AS (SELECT f.image, f.main, count(*) n FROM flag f JOIN s
   ON s.image = f.image AND s.class = f.main AND s.st = 'correct'
   WHERE NOT EXISTS (SELECT 1 FROM adj WHERE adj.image = f.image
    AND adj.reviewer = f.reviewer)
   GROUP BY f.image, f.main),
 am AS (SELECT image, main FROM (SELECT f.image, f.main, row_number() OVER
   (PARTITION BY f.image ORDER BY f.updated_at DESC, k.idx DESC) rn
   FROM flag f JOIN adj ON adj.image = f.image AND adj.reviewer = f.reviewer
   JOIN class k ON k.id = f.main) WHERE rn = 1),
 mm AS (SELECT image, coalesce((SELECT k.wnid FROM am JOIN s
   ON s.image = am.image AND s.class = am.main AND s.st = 'correct'
   JOIN class k ON k.id = am.main WHERE am.image = x.image),
   (SELECT k.wnid FROM mv JOIN class k ON k.id = mv.main
   WHERE mv.image = x.image ORDER BY mv.n DESC, k.idx LIMIT 1)) w
   FROM (SELECT image FROM mv UNION SELECT image FROM am) x)
SELECT CASE WHEN i.name GLOB '*[,"' || char(10) || char(13) || ']*'
  THEN '"' || replace(i.name, '"', '""') || '"' ELSE i.name END
  || ',' || coalesce(o.wnid, '') || ',' || coalesce(lc.ws, '')
  || ',' || coalesce(lw.ws, '') || ',' || coalesce(lu.ws, '')
  || ',' || coalesce(ld.ws, '') || ',' || coalesce(f.prob, 0)
  || ',' || coalesce(mm.w, '')
FROM image i LEFT JOIN class o ON o.id = i.label
 LEFT JOIN l lc ON lc.image = i.id AND lc.st = 'correct'
 LEFT JOIN l lw ON lw.image = i.id AND lw.st = 'wrong'
 LEFT JOIN l lu ON lu.image = i.id AND lu.st = 'unclear'
 LEFT JOIN l ld ON ld.image = i.id AND ld.st = 'dont_know'
 LEFT JOIN f ON f.image = i.id LEFT JOIN mm ON mm.image = i.id
ORDER BY i.name;
SQL

cat >"$T/real.sql" <<SQL
.headers off
.mode list
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $COUNT),
 $CONS,
 c AS (SELECT num, group_concat(idx, ', ') l FROM (SELECT
   cast(substr(i.name, 16, 8) AS INTEGER) num, k.idx FROM s
   JOIN image i ON i.id = s.image JOIN class k ON k.id = s.class
   WHERE s.st = 'correct' ORDER BY num, k.idx) GROUP BY num)
SELECT '[' || group_concat('[' || coalesce(l, '') || ']', ', ') || ']'
FROM (SELECT n.k, c.l FROM n LEFT JOIN c ON c.num = n.k ORDER BY n.k);
SQL

# run NAME CMD...: wall ms and CPU s of CMD, stdout to $T/NAME.
run() {
    local name=$1 t0 t1; shift
    t0=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o "$T/$name.cpu" "$@" >"$T/$name" 2>"$T/$name.err"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}

echo "db $DB images $COUNT"
for fmt in long wide real-json; do
    case $fmt in
        real-json) extra=(--count "$COUNT"); sql=real.sql ;;
        *) extra=(); sql=$fmt.sql ;;
    esac
    ours=$(run ours.$fmt "$RELABEL" --db "$DB" export --format $fmt "${extra[@]}")
    ref=$(run ref.$fmt $SQLITE -bail -readonly "$DB" -init /dev/null ".read $T/$sql")
    same=$(cmp -s "$T/ours.$fmt" "$T/ref.$fmt" && echo same-bytes || echo DIFFERENT)
    printf 'export_%s_ms %s sqlite3_export_%s_ms %s ratio %.2f cpu_s %s vs %s %s\n' \
        "${fmt/-/_}" "$ours" "${fmt/-/_}" "$ref" "$(echo "$ours / $ref" | bc -l)" \
        "$(awk '{ print $1 + $2 }' "$T/ours.$fmt.cpu")" \
        "$(awk '{ print $1 + $2 }' "$T/ref.$fmt.cpu")" "$same"
    [ "$same" = same-bytes ] || { cmp "$T/ours.$fmt" "$T/ref.$fmt" | head -1; head -3 "$T/ref.$fmt.err"; }
done
