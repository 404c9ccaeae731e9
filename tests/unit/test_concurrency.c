/* test_concurrency.c - several reviewers' processes marking the same
 * project at full speed while the parent kills them with SIGKILL at random
 * moments and starts them again. Afterwards: the file passes
 * integrity_check, no writer ever saw "database is locked", every mark a
 * writer acknowledged (after rl_review_set returned) is stored, once the
 * journal of marks is applied as the next open does, unless a
 * later mark of the same key was begun, and the event log agrees with the
 * stored verdicts. */
#include "relabel/review.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/journal.h"
#include "relabel/store.h"
#include "relabel/util.h"
#include "t.h"

#define WORKERS 4
#define IMAGES 120
#define SECONDS 5.0

static char dir[] = "/tmp/rl-conc-XXXXXX";
static char db[256];

struct key {
    int reviewer;
    int64_t image, cls;
};

/* Per (reviewer, image, class): the last acknowledged state and the
 * states begun after it (any may be what a kill left stored). */
struct track {
    struct key k;
    int acked;             /* -1: never acked (nothing required) */
    unsigned begun;        /* bit mask of states begun after the ack */
};

static struct track *tr;
static size_t ntr, cap;

static struct track *
find(int r, int64_t image, int64_t cls)
{
    size_t i;

    for (i = 0; i < ntr; i++)
        if (tr[i].k.reviewer == r && tr[i].k.image == image
            && tr[i].k.cls == cls)
            return &tr[i];
    rl_grow(&tr, &cap, ntr + 1, sizeof *tr);
    tr[ntr] = (struct track){ { r, image, cls }, -1, 0 };
    return &tr[ntr++];
}

static void
worker(int r, int fd)
{
    char name[16], line[96];
    rl_err e;
    rl_store *s;
    rl_catalog *cat;
    rl_queue q = {0};
    uint64_t x = (uint64_t)getpid() * 2654435761u;

    snprintf(name, sizeof name, "w%d", r);
    if ((s = rl_store_open(db, 0, &e)) == NULL
        || (cat = rl_catalog_load(s, &e)) == NULL
        || rl_queue_load(s, name, &q, &e) != 0)
        _exit(3);
    for (;;) {
        size_t pos, i;
        rl_image *img;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pos = (size_t)(x % q.n);
        if ((img = rl_image_load(s, cat, name, q.items[pos].id, &e)) == NULL)
            _exit(4);
        for (i = 0; i < img->n; i++) {
            rl_state st = (rl_state)(1 + (x >> (8 + 2 * i)) % 4);
            int n;

            if (st == img->cand[i].state)
                continue;
            n = snprintf(line, sizeof line, "B %d %lld %lld %d\n", r,
                         (long long)img->id, (long long)img->cand[i].cls->id,
                         (int)st);
            if (write(fd, line, (size_t)n) != n)
                _exit(5);
            if (rl_review_set(s, img, name, i, st, &e) != 0) {
                n = snprintf(line, sizeof line, "E %d %d %s\n", r, e.code,
                             e.msg);
                if (write(fd, line, (size_t)n) < 0)
                    _exit(6);
                continue;
            }
            n = snprintf(line, sizeof line, "A %d %lld %lld %d\n", r,
                         (long long)img->id, (long long)img->cand[i].cls->id,
                         (int)st);
            if (write(fd, line, (size_t)n) != n)
                _exit(5);
        }
        rl_image_free(img);
    }
}

static long marks, errors, kills;
static char pending[WORKERS][8192];
static size_t plen[WORKERS];

static void
consume(int r, const char *buf, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = buf[i];

        if (plen[r] + 1 < sizeof pending[r])
            pending[r][plen[r]++] = c;
        if (c != '\n')
            continue;
        pending[r][plen[r]] = '\0';
        plen[r] = 0;
        if (pending[r][0] == 'E') {
            errors++;
            printf("# writer error: %s", pending[r]);
        } else {
            int rr, st;
            long long image, cls;
            char kind;

            if (sscanf(pending[r], "%c %d %lld %lld %d", &kind, &rr, &image,
                       &cls, &st) == 5) {
                struct track *t = find(rr, image, cls);

                if (kind == 'B') {
                    t->begun |= 1u << st;
                } else {
                    t->acked = st;
                    t->begun = 0;
                    marks++;
                }
            }
        }
    }
}

static pid_t
spawn(int r, int *fd)
{
    int p[2];
    pid_t pid;

    if (pipe(p) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        worker(r, p[1]);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    *fd = p[0];
    plen[r] = 0;       /* a killed writer's partial line is discarded */
    return pid;
}

static void
drain(int r, int fd)
{
    char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) > 0)
        consume(r, buf, (size_t)n);
}

/* Keys whose stored verdict is neither the last acknowledged one nor one
 * begun after it. */
static size_t
check_acked(size_t *checked)
{
    static const char sql[] = "SELECT state FROM review WHERE image = ?"
        " AND class = ? AND reviewer = ?";
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    size_t k, bad = 0;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_close(h);
        return SIZE_MAX;
    }
    for (k = 0; k < ntr; k++) {
        char name[16];
        rl_state got = RL_STATE_NONE;

        if (tr[k].acked < 0)
            continue;
        (*checked)++;
        snprintf(name, sizeof name, "w%d", tr[k].k.reviewer);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, tr[k].k.image);
        sqlite3_bind_int64(st, 2, tr[k].k.cls);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            rl_state_parse((const char *)sqlite3_column_text(st, 0), &got);
        if ((int)got != tr[k].acked && !(tr[k].begun & (1u << got))
            && bad++ < 5)
            printf("# lost: w%d image %lld class %lld acked %d, stored %d\n",
                   tr[k].k.reviewer, (long long)tr[k].k.image,
                   (long long)tr[k].k.cls, tr[k].acked, (int)got);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return bad;
}

int
main(void)
{
    char path[300];
    FILE *f;
    rl_store *s;
    rl_catalog *cat;
    rl_import_opts o = { .reviewer = "setup" };
    rl_err e;
    pid_t pid[WORKERS];
    int fd[WORKERS], i, r;
    double start, next_kill;
    uint64_t x = 88172645463325252ull;
    size_t k, bad = 0, checked = 0;

    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(db, sizeof db, "%s/c.db", dir);
    s = rl_store_open(db, RL_STORE_CREATE, &e);
    ok(s != NULL && rl_catalog_install(s, RL_TEST_DATA
       "/../../share/relabel", &e) == 0, "project made");
    cat = rl_catalog_load(s, &e);
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    f = fopen(path, "w");
    fputs("image,wnid\n", f);
    for (i = 0; i < IMAGES; i++)
        fprintf(f, "img%04d.JPEG,%d\n", i, i % 1000);
    fclose(f);
    ok(rl_import_labels(s, cat, path, &o, NULL, &e) == 0, "labels");
    snprintf(path, sizeof path, "%s/preds.csv", dir);
    f = fopen(path, "w");
    fputs("image,wnid,model\n", f);
    for (i = 0; i < IMAGES; i++)
        for (k = 1; k <= 4; k++)
            fprintf(f, "img%04d.JPEG,%d,m\n", i, (int)((i + 7 * k) % 1000));
    fclose(f);
    ok(rl_import_predictions(s, cat, path, &o, NULL, &e) == 0,
       "predictions: 5 candidates per image");
    rl_catalog_free(cat);
    rl_store_close(s);

    for (r = 0; r < WORKERS; r++)
        pid[r] = spawn(r, &fd[r]);
    start = rl_mono_ms();
    next_kill = start + 150;
    while (rl_mono_ms() - start < SECONDS * 1000) {
        struct pollfd pf[WORKERS];

        for (r = 0; r < WORKERS; r++)
            pf[r] = (struct pollfd){ fd[r], POLLIN, 0 };
        poll(pf, WORKERS, 20);
        for (r = 0; r < WORKERS; r++)
            drain(r, fd[r]);
        if (rl_mono_ms() >= next_kill) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            r = (int)(x % WORKERS);
            kill(pid[r], SIGKILL);
            waitpid(pid[r], NULL, 0);
            drain(r, fd[r]);
            close(fd[r]);
            kills++;
            pid[r] = spawn(r, &fd[r]);
            next_kill = rl_mono_ms() + 50 + (double)(x % 250);
        }
    }
    for (r = 0; r < WORKERS; r++) {
        kill(pid[r], SIGKILL);
        waitpid(pid[r], NULL, 0);
        drain(r, fd[r]);
        close(fd[r]);
    }
    printf("# %d writers for %.0f s: %ld marks acknowledged, %ld kills\n",
           WORKERS, SECONDS, marks, kills);
    ok(marks > 200, "writers made progress (%ld marks)", marks);
    ok(kills > 5, "writers were killed mid-work (%ld times)", kills);
    is_int(errors, 0, "no writer saw an error (no 'database is locked')");

    s = rl_store_open(db, 0, &e);
    ok(s != NULL && rl_store_check(s, &e) == 0, "integrity_check: ok");
    /* Marks a writer saved to the journal of marks while another held the
     * lock, and was killed before they were applied: the next open
     * applies them (as every writable `relabel` command does). */
    ok(rl_journal_apply(s, -1, &e) == 0, "the journal of marks is applied");
    bad = check_acked(&checked);
    is_int(bad, 0, "every acknowledged mark is stored");
    printf("# checked %zu keys\n", checked);
    {
        /* The newest state event of each key matches the stored verdict. */
        static const char sql[] =
            "SELECT count(*) FROM ("
            " SELECT e.image, e.class, s.reviewer, e.after,"
            "  row_number() OVER (PARTITION BY e.image, e.class, s.reviewer"
            "   ORDER BY e.id DESC) AS rn"
            " FROM event e JOIN step s ON s.id = e.step"
            " WHERE e.field = 'state' AND s.kind <> 'import') x"
            " LEFT JOIN review r ON r.image = x.image AND r.class = x.class"
            "  AND r.reviewer = x.reviewer"
            " WHERE x.rn = 1 AND coalesce(x.after, '') <>"
            "  coalesce(r.state, '')";
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        long mismatch = -1;

        if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
            && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK
            && sqlite3_step(st) == SQLITE_ROW)
            mismatch = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(h);
        is_int(mismatch, 0, "event log and verdicts agree");
    }
    rl_store_close(s);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0)
        printf("# could not remove %s\n", dir);
    free(tr);
    return t_done();
}
