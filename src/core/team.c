/* team.c - assignment and merge (see team.h).
 *
 * Merge runs as SQL over the attached copy: temporary maps from the
 * copy's image, class and step ids to this project's, then the review log
 * (log.c) inserts what is missing here. Values present on both sides and different are
 * conflicts: reported, never resolved by guessing. */
#include "relabel/team.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/util.h"
#include "internal.h"
#include "log.h"

static uint64_t
mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int
rl_assign(rl_store *s, const char *const *reviewers, size_t n, int k,
          uint64_t seed, bool replace, rl_err *err)
{
    static const char sql_del[] = "DELETE FROM assignment WHERE reviewer = ?";
    static const char sql_ins[] =
        "INSERT OR IGNORE INTO assignment(image, reviewer) VALUES(?, ?)";
    sqlite3_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t nid = 0, cap = 0, i;
    int j, rc = -1;

    if (n == 0 || k < 1 || (size_t)k > n) {
        rl_err_set(err, RL_E_USAGE, "give reviewers, and k from 1 to their "
                   "number (%zu)", n);
        return -1;
    }
    if (rl_store_begin(s, err) != 0)
        return -1;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM image ORDER BY name", -1,
                           &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "assigning");
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        rl_grow(&ids, &cap, nid + 1, sizeof *ids);
        ids[nid++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (seed != 0) {
        uint64_t x = seed;

        for (i = nid; i > 1; i--) {
            size_t r = (size_t)(mix(&x) % i);
            int64_t t = ids[i - 1];

            ids[i - 1] = ids[r];
            ids[r] = t;
        }
    }
    if (replace) {
        for (i = 0; i < n; i++) {
            if ((st = store_stmt(s, sql_del, err)) == NULL)
                goto out;
            sqlite3_bind_text(st, 1, reviewers[i], -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_DONE) {
                store_dberr(s, err, "assigning");
                goto out;
            }
        }
    }
    for (i = 0; i < nid; i++) {
        for (j = 0; j < k; j++) {
            if ((st = store_stmt(s, sql_ins, err)) == NULL)
                goto out;
            sqlite3_bind_int64(st, 1, ids[i]);
            sqlite3_bind_text(st, 2, reviewers[(i * (size_t)k + (size_t)j)
                                               % n], -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_DONE) {
                store_dberr(s, err, "assigning");
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(ids);
    return rl_store_end(s, rc, err);
}

int
rl_assign_clear(rl_store *s, rl_err *err)
{
    if (store_sound(s, err) != 0)
        return -1;
    return store_exec(s, "DELETE FROM assignment", err);
}

/* ---- merge --------------------------------------------------------- */

static int
report_conflicts(rl_store *s, FILE *out, rl_merge_report *rep, rl_err *err)
{
    static const char sql[] =
        "SELECT i.name, c.wnid, r.reviewer, 'state', l.state, r.state"
        " FROM o.review r JOIN imap im ON im.oid = r.image"
        " JOIN cmap cm ON cm.oid = r.class"
        " JOIN main.review l ON l.image = im.lid AND l.class = cm.lid"
        "  AND l.reviewer = r.reviewer"
        " JOIN main.image i ON i.id = im.lid JOIN main.class c ON c.id = cm.lid"
        " WHERE l.state <> r.state"
        " UNION ALL"
        " SELECT i.name, '', f.reviewer, 'flag',"
        "  l.problematic || ' ' || quote(l.note) || ' ' ||"
        "   coalesce(lc.wnid, '-') || ' ' || l.done,"
        "  f.problematic || ' ' || quote(f.note) || ' ' ||"
        "   coalesce(oc.wnid, '-') || ' ' || f.done"
        " FROM o.flag f JOIN imap im ON im.oid = f.image"
        " JOIN main.flag l ON l.image = im.lid AND l.reviewer = f.reviewer"
        " JOIN main.image i ON i.id = im.lid"
        " LEFT JOIN main.class lc ON lc.id = l.main"
        " LEFT JOIN o.class oc ON oc.id = f.main"
        " WHERE l.problematic <> f.problematic OR l.note <> f.note"
        "  OR l.done <> f.done OR coalesce(lc.wnid, '') <> coalesce(oc.wnid, '')"
        " ORDER BY 1, 2, 3, 4";
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_dberr(s, err, "merge");
        return -1;
    }
    if (out != NULL)
        fputs("image,wnid,reviewer,field,here,there\n", out);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rep->conflicts++;
        if (out != NULL) {
            int i;

            for (i = 0; i < 6; i++) {
                const char *v = (const char *)sqlite3_column_text(st, i);
                char *safe = rl_utf8_sanitize(v != NULL ? v : "");

                fprintf(out, "%s%s", i ? "," : "", safe);
                free(safe);
            }
            fputc('\n', out);
        }
    }
    sqlite3_finalize(st);
    return 0;
}

/* PRAGMA quick_check of the attached copy `o`: 0 when it is whole, else
 * -1 with `err` naming the copy. */
static int
copy_check(rl_store *s, const char *other, rl_err *err)
{
    sqlite3_stmt *st = NULL;
    const char *res = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(s->db, "PRAGMA o.quick_check(1)", -1, &st, NULL)
        == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        res = (const char *)sqlite3_column_text(st, 0);
        if (res != NULL && strcmp(res, "ok") == 0)
            rc = 0;
    }
    if (rc != 0) {
        const char *nl = res != NULL ? strchr(res, '\n') : NULL;
        char *safe;

        /* "*** in database o ***\nOn tree page 9 ...": the page part */
        safe = rl_utf8_sanitize(nl != NULL ? nl + 1 : res != NULL ? res
                                : sqlite3_errmsg(s->db));

        rl_err_set(err, RL_E_VERSION, "%s: the copy is damaged (%.120s); "
                   "nothing merged, this project is unchanged", other, safe);
        free(safe);
    }
    sqlite3_finalize(st);
    return rc;
}

int
rl_merge(rl_store *s, const char *other, FILE *conflicts,
         rl_merge_report *rep, rl_err *err)
{
    sqlite3_stmt *st;
    char *uri = NULL;
    bool bad = false;
    int rc = -1;

    memset(rep, 0, sizeof *rep);
    /* The same file by another name (./p.db, a hard or symbolic link)
     * would wait for its own lock: refuse it at once. */
    {
        struct stat a, b;

        if (stat(other, &a) == 0 && stat(rl_store_path(s), &b) == 0
            && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            rl_err_set(err, RL_E_USAGE, "%s is this project itself (the "
                       "same file); a project cannot merge itself", other);
            return -1;
        }
    }
    /* Identity and version of the copy, read without writing it (an
     * older copy is not upgraded here: it must be opened once first). */
    {
        sqlite3 *odb = NULL;
        int64_t app = -1, ver = -1;

        if (sqlite3_open_v2(other, &odb, SQLITE_OPEN_READONLY, NULL)
            == SQLITE_OK
            && sqlite3_prepare_v2(odb, "SELECT (SELECT application_id FROM"
                                  " pragma_application_id),"
                                  " (SELECT user_version FROM"
                                  " pragma_user_version)", -1, &st, NULL)
               == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) {
                app = sqlite3_column_int64(st, 0);
                ver = sqlite3_column_int64(st, 1);
            }
            sqlite3_finalize(st);
        }
        sqlite3_close(odb);
        if (app != RL_APPLICATION_ID) {
            rl_err_set(err, RL_E_VERSION, "%s: not a relabel project, or "
                       "unreadable; nothing merged", other);
            return -1;
        }
        if (ver != RL_SCHEMA_VERSION) {
            rl_err_set(err, RL_E_VERSION, "%s: schema %lld, this relabel "
                       "has %d: open the copy once with this relabel (or "
                       "upgrade relabel); nothing merged", other,
                       (long long)ver, RL_SCHEMA_VERSION);
            return -1;
        }
    }

    uri = rl_xstrdup(other);
    if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ? AS o", -1, &st, NULL)
        != SQLITE_OK) {
        free(uri);
        store_dberr(s, err, "merge");
        return -1;
    }
    sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
    free(uri);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        store_dberr(s, err, "attaching the copy");
        return -1;
    }
    sqlite3_finalize(st);
    /* A damaged copy must be blamed on the copy, not on this project:
     * read all of it before anything is written. */
    if (copy_check(s, other, err) != 0)
        goto detach;
    if (rl_store_begin(s, err) != 0)
        goto detach;

    /* Classes must agree: the same label set. */
    if (store_int(s, "SELECT count(*) FROM o.class oc WHERE NOT EXISTS"
                  " (SELECT 1 FROM main.class c WHERE c.wnid = oc.wnid)", 0)
        > 0) {
        rl_err_set(err, RL_E_VERSION, "%s: its label set differs from this "
                   "project's", other);
        goto end;
    }
    rep->images = store_changes(s,
        "INSERT INTO main.image(name, path, label, dataset)"
        " SELECT oi.name, oi.path, (SELECT c.id FROM main.class c"
        "  JOIN o.class x ON x.wnid = c.wnid WHERE x.id = oi.label),"
        "  oi.dataset FROM o.image oi WHERE NOT EXISTS"
        " (SELECT 1 FROM main.image i WHERE i.name = oi.name)", err, &bad);
    store_changes(s, "CREATE TEMP TABLE imap AS SELECT o2.id AS oid, l.id AS lid"
               " FROM o.image o2 JOIN main.image l ON l.name = o2.name", err,
               &bad);
    store_changes(s, "CREATE TEMP TABLE cmap AS SELECT o2.id AS oid, l.id AS lid"
               " FROM o.class o2 JOIN main.class l ON l.wnid = o2.wnid", err,
               &bad);
    store_changes(s, "CREATE UNIQUE INDEX temp.imap_o ON imap(oid)", err, &bad);
    store_changes(s, "CREATE UNIQUE INDEX temp.cmap_o ON cmap(oid)", err, &bad);
    if (bad)
        goto end;
    if (report_conflicts(s, conflicts, rep, err) != 0)
        goto end;
    rep->same = store_int(s,
        "SELECT count(*) FROM o.review r JOIN imap im ON im.oid = r.image"
        " JOIN cmap cm ON cm.oid = r.class JOIN main.review l"
        " ON l.image = im.lid AND l.class = cm.lid AND l.reviewer = r.reviewer"
        " AND l.state = r.state", 0);
    /* The review log writes what the copy brings (log.c). */
    if (log_merge_attached(s, rep, err) != 0
        || store_tally_recount(s, TALLY_ALL, err) != 0)
        goto end;
    rc = 0;
end:
    store_exec(s, "DROP TABLE IF EXISTS temp.imap; DROP TABLE IF EXISTS"
               " temp.cmap; DROP TABLE IF EXISTS temp.smap; DROP TABLE IF"
               " EXISTS temp.newsteps", NULL);
    rc = rl_store_end(s, rc, err);
detach:
    store_exec(s, "DETACH DATABASE o", NULL);
    return rc;
}
