/* test_predpack.c - the packed predictions of one (image, model)
 * (src/core/predpack.c): round trips of odd, absent and negative scores,
 * one and many ranks, explicit ranks, the size of the usual case, corrupt
 * blobs refused with a clear error, and the SQL functions over a
 * :memory: database. */
#include "../../src/core/predpack.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "t.h"

/* Packs `n` items, unpacks them and compares every field bit for bit. */
static int
round_trip(const pred_item *in, size_t n, size_t *size)
{
    pred_item *out = NULL;
    size_t cap = 0, m = 0, i;
    unsigned char *blob = predpack_encode(in, n, size);
    rl_err err;
    int same;

    same = predpack_decode(blob, *size, &out, &cap, &m, &err) == 0 && m == n;
    for (i = 0; same && i < n; i++)
        same = out[i].rank == in[i].rank && out[i].cls == in[i].cls
               && out[i].has_score == in[i].has_score
               && (!in[i].has_score
                   || memcmp(&out[i].score, &in[i].score, 8) == 0);
    free(blob);
    free(out);
    return same;
}

static void
test_round_trips(void)
{
    pred_item one[] = { { 1, 42, true, 0.5 } };
    pred_item top5[] = {
        { 1, 980, true, 0.9132 }, { 2, 1, true, 0.0412 },
        { 3, 55000, true, 0.0021 }, { 4, 16384, true, 0.0001 },
        { 5, 127, true, 0 },
    };
    pred_item odd[] = {
        { 1, 7, true, 0.61 }, { 2, 8, true, 0.123456789012 },
        { 3, 9, true, -2.5e-12 }, { 4, 10, true, 1234567.5 },
        { 5, 11, true, 1 }, { 6, 12, false, 0 }, { 7, 13, true, -0.25 },
        { 8, 14, true, 1e-300 }, { 9, 15, true, -1e300 },
    };
    pred_item absent[] = { { 1, 3, false, 0 }, { 2, 4, false, 0 } };
    pred_item gaps[] = {
        { 2, 5, true, 0.3 }, { 3, 6, false, 0 }, { 100000, 9, true, 0.1 },
    };
    pred_item many[300];
    pred_item negzero[] = { { 1, 3, true, -0.0 } };
    pred_item *out = NULL;
    size_t size, cap = 0, n, i;
    unsigned char *blob;
    rl_err err;

    ok(round_trip(one, 1, &size), "one rank round-trips");
    is_int((long long)size, 3, "one rank with a score of 1 decimal: 3 bytes");
    ok(round_trip(top5, 5, &size), "a top-5 of 4-decimal scores");
    is_int((long long)size, 1 + (2 + 1 + 3 + 3 + 1) + (2 + 2 + 1 + 1 + 1),
           "packed in 18 bytes: varint classes, scores in 10^2 millionths");
    ok(round_trip(odd, 9, &size), "odd scores read back as the very same "
       "doubles (not whole millionths, negative, huge, tiny, absent)");
    ok(round_trip(absent, 2, &size), "absent scores");
    is_int((long long)size, 3, "no score costs nothing");
    ok(round_trip(gaps, 3, &size), "ranks that do not start at 1 or skip");
    for (i = 0; i < 300; i++)
        many[i] = (pred_item){ (long)i + 1, (int64_t)i * 37 + 1, i % 3 != 0,
                               (double)i / 1000.0 };
    ok(round_trip(many, 300, &size), "300 ranks");

    /* -0.0 is 0 millionths, as schema 4 stored it: it reads back 0.0. */
    blob = predpack_encode(negzero, 1, &size);
    ok(predpack_decode(blob, size, &out, &cap, &n, &err) == 0 && n == 1
       && out[0].has_score && out[0].score == 0 && !signbit(out[0].score),
       "-0.0 reads back as 0.0 (schema 4's rule)");
    free(blob);
    free(out);
}

/* `blob` of `size` bytes is refused with a message naming `what`. */
static void
refused(const char *blob, size_t size, const char *what)
{
    pred_item *out = NULL;
    size_t cap = 0, n = 99;
    rl_err err;

    rl_err_clear(&err);
    ok(predpack_decode(blob, size, &out, &cap, &n, &err) == -1
       && err.code == RL_E_DB
       && strstr(err.msg, "corrupt predictions blob") != NULL
       && strstr(err.msg, what) != NULL,
       "corrupt: %s (%s)", what, err.msg);
    free(out);
}

static void
test_corrupt(void)
{
    refused("", 0, "shorter than one item");
    refused("\x00", 1, "shorter than one item");
    refused("\x40\x01", 2, "unknown format byte");
    refused("\x03\x01", 2, "unknown format byte");      /* scale, no mode */
    refused("\x00\x00", 2, "bad class id");
    refused("\x00\x80\x80", 3, "bad class id");          /* truncated */
    refused("\x08\x05", 2, "bad score");                 /* score missing */
    refused("\x10\x05\x07", 3, "bad score tag");
    refused("\x10\x05\x03\x01\x02", 5, "truncated score");
    refused("\x20\x05", 2, "bad rank");
    refused("\x20\x05\xa0\x8d\x06", 5, "bad rank");      /* past 100000 */
    refused("\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\xff\xff\xff\xff"
            "\xff\xff\xff\xff\xff\x01", 21, "bad class id"); /* > 64 bits */
}

static const char *
one_text(sqlite3 *db, const char *sql)
{
    static char out[512];
    sqlite3_stmt *st;

    snprintf(out, sizeof out, "(error)");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0)
                     ? (const char *)sqlite3_column_text(st, 0) : "(null)");
        else
            snprintf(out, sizeof out, "(error) %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
    } else {
        snprintf(out, sizeof out, "(error) %s", sqlite3_errmsg(db));
    }
    return out;
}

static void
test_sql(void)
{
    sqlite3 *db;

    if (sqlite3_open(":memory:", &db) != SQLITE_OK
        || predpack_register(db) != SQLITE_OK) {
        ok(0, "(opened :memory: with the functions)");
        return;
    }
    sqlite3_exec(db, "CREATE TABLE r(g, rank, class, score);"
                 "INSERT INTO r VALUES(1, 2, 20, 0.25), (1, 1, 10, NULL),"
                 " (1, 3, 30, 0.1234567), (2, 1, 5, 1.0);"
                 "CREATE TABLE p AS SELECT g, rl_pred_pack(rank, class, score)"
                 " AS b FROM r GROUP BY g", NULL, NULL, NULL);
    is_str(one_text(db, "SELECT group_concat(p.g || ':' || e.rank || ':'"
                    " || e.class || ':' || coalesce(e.score, '-'), ' ') FROM"
                    " p, rl_pred_each(p.b) e"),
           "1:1:10:- 1:2:20:0.25 1:3:30:0.1234567 2:1:5:1.0",
           "rl_pred_pack sorts a group by rank; rl_pred_each reads it back");
    is_str(one_text(db, "SELECT rl_pred_pack(rank, class, score) FROM"
                    " (SELECT 1 AS rank, 10 AS class, NULL AS score"
                    " UNION ALL SELECT 2, 10, NULL)"), "(error) " PREDPACK_DUP,
           "a class twice in a group is refused");
    is_str(one_text(db, "SELECT rl_pred_pack(rank, class, score) FROM"
                    " (SELECT 1 AS rank, 10 AS class, NULL AS score"
                    " UNION ALL SELECT 1, 11, NULL)"), "(error) " PREDPACK_DUP,
           "a rank twice in a group is refused");
    ok(strstr(one_text(db, "SELECT count(*) FROM rl_pred_each(x'0000')"),
              "corrupt predictions blob: bad class id") != NULL,
       "a corrupt blob fails the query with the codec's message");
    sqlite3_close(db);
}

int
main(void)
{
    test_round_trips();
    test_corrupt();
    test_sql();
    return t_done();
}
