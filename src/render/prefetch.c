/* prefetch.c - a worker thread and LRU caches of grids and pixels.
 *
 * Two lists, most recently used first, under one mutex:
 *   grids   (path, cols, rows, mode, colors) -> rl_cells or an error
 *   pixels  path -> rl_pixels decoded for some target size, or an error
 * A grid entry moves QUEUED -> RUNNING -> READY | FAILED. Whoever sets
 * RUNNING (the worker, or a caller of rl_prefetch_get that found the entry
 * only queued) renders it with the lock released; everyone else waits on
 * `done`. A pixel entry is LOADING while one thread decodes it and holds
 * a reference count while a render reads it.
 *
 * Invariants: RUNNING grid entries and LOADING or referenced pixel entries
 * are never evicted, so the thread working on them may keep the pointer
 * with the lock released; everything else may go whenever the lists are
 * trimmed. The worker only decodes and renders: no terminal, no signals
 * (it starts with all of them blocked). */
#define _GNU_SOURCE                     /* pthread_timedjoin_np */
#include "relabel/render.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relabel/err.h"
#include "relabel/picture.h"
#include "relabel/util.h"

enum { G_QUEUED, G_RUNNING, G_READY, G_FAILED };
enum { P_LOADING, P_READY, P_FAILED };

struct grid {
    struct grid *prev, *next;   /* LRU list, head = most recent */
    char *path;                 /* key, owned ... */
    int cols, rows;
    rl_render_mode mode;
    rl_colors colors;
    rl_view view;               /* zoom window (full screen) */
    int cell_w, cell_h;         /* pixel modes: cell size ... end of key */
    int state;                  /* G_* */
    rl_cells *cells;            /* G_READY */
    char warning[128];          /* G_READY: decoder warning or "" */
    rl_err err;                 /* G_FAILED */
};

struct pix {
    struct pix *prev, *next;    /* LRU list, head = most recent */
    char *path;                 /* key, owned */
    int state;                  /* P_* */
    int refs;                   /* renders reading px now */
    rl_pixels *px;              /* P_READY */
    rl_err err;                 /* P_FAILED */
};

struct rl_prefetch {
    pthread_mutex_t mu;         /* guards everything below */
    pthread_cond_t work;        /* a grid was queued, or stop */
    pthread_cond_t done;        /* a grid or pixel entry finished */
    pthread_t thread;
    int has_thread;             /* 0 if pthread_create failed */
    int stop;                   /* set by rl_prefetch_free */
    struct grid *grids;         /* LRU list */
    size_t ngrids, max_grids;
    struct pix *pixs;           /* LRU list */
    size_t npixs, max_pixs;
    rl_prefetch_stats st;       /* counters; `cached` computed on read */
    int cell_w, cell_h;         /* for pixel modes; 0 = assume 10x20 */
};

/* List plumbing, shared by both entry types. */
#define UNLINK(head, e) do {                    \
        if ((e)->prev != NULL)                  \
            (e)->prev->next = (e)->next;        \
        else                                    \
            (head) = (e)->next;                 \
        if ((e)->next != NULL)                  \
            (e)->next->prev = (e)->prev;        \
        (e)->prev = (e)->next = NULL;           \
    } while (0)
#define PUSH(head, e) do {                      \
        (e)->prev = NULL;                       \
        (e)->next = (head);                     \
        if ((head) != NULL)                     \
            (head)->prev = (e);                 \
        (head) = (e);                           \
    } while (0)

static struct grid *
grid_find(rl_prefetch *pf, const char *path, int cols, int rows,
          rl_render_mode mode, rl_colors colors, const rl_view *v)
{
    for (struct grid *g = pf->grids; g != NULL; g = g->next)
        if (g->cols == cols && g->rows == rows && g->mode == mode
            && g->colors == colors && g->view.zoom == v->zoom
            && g->view.cx == v->cx && g->view.cy == v->cy
            && g->cell_w == pf->cell_w && g->cell_h == pf->cell_h
            && strcmp(g->path, path) == 0)
            return g;
    return NULL;
}

/* A queued grid entry for the key, counted but not yet in the list. */
static struct grid *
grid_new(rl_prefetch *pf, const char *path, int cols, int rows,
         rl_render_mode mode, rl_colors colors, const rl_view *v)
{
    struct grid *g = rl_xcalloc(1, sizeof *g);

    g->path = rl_xstrdup(path);
    g->cols = cols;
    g->rows = rows;
    g->mode = mode;
    g->colors = colors;
    g->view = *v;
    g->cell_w = pf->cell_w;
    g->cell_h = pf->cell_h;
    g->state = G_QUEUED;
    pf->ngrids++;
    return g;
}

static void
grid_free(struct grid *g)
{
    free(g->path);
    rl_cells_free(g->cells);
    free(g);
}

static void
pix_free(struct pix *p)
{
    free(p->path);
    rl_pixels_free(p->px);
    free(p);
}

/* Drops least recently used entries beyond the limits, skipping those in
 * use (see the invariants at the top). Lock held. */
static void
trim(rl_prefetch *pf)
{
    struct grid *g = pf->grids;
    struct pix *p = pf->pixs;

    while (g != NULL && g->next != NULL)
        g = g->next;
    while (g != NULL && pf->ngrids > pf->max_grids) {
        struct grid *prev = g->prev;

        if (g->state != G_RUNNING) {
            UNLINK(pf->grids, g);
            grid_free(g);
            pf->ngrids--;
        }
        g = prev;
    }
    while (p != NULL && p->next != NULL)
        p = p->next;
    while (p != NULL && pf->npixs > pf->max_pixs) {
        struct pix *prev = p->prev;

        if (p->state != P_LOADING && p->refs == 0) {
            UNLINK(pf->pixs, p);
            pix_free(p);
            pf->npixs--;
        }
        p = prev;
    }
}

/* True when cached pixels are as good as a fresh decode aimed at mw x mh
 * would be: full size, or reaching the target on one side (the decoder
 * picks the smallest such scale). */
static int
covers(const rl_pixels *px, int mw, int mh)
{
    return (px->w >= px->src_w && px->h >= px->src_h)
           || px->w >= mw || px->h >= mh;
}

/* Returns a referenced pixel entry for `path`, good for mw x mh, decoding
 * it (lock released) or waiting for another thread's decode if needed.
 * The entry may be P_FAILED. Lock held on entry and exit. */
static struct pix *
pix_acquire(rl_prefetch *pf, const char *path, int mw, int mh)
{
    struct pix *p, *use;
    int loading;
    rl_pixels *px;
    rl_err err;

    for (;;) {
        use = NULL;
        loading = 0;
        for (p = pf->pixs; p != NULL; p = p->next) {
            if (strcmp(p->path, path) != 0)
                continue;
            if (p->state == P_LOADING)
                loading = 1;
            else if (p->state == P_FAILED
                     || covers(p->px, mw, mh))
                use = p;
            if (use != NULL)
                break;
        }
        if (use != NULL || !loading)
            break;
        pthread_cond_wait(&pf->done, &pf->mu);
    }
    if (use != NULL) {
        UNLINK(pf->pixs, use);
        PUSH(pf->pixs, use);
        use->refs++;
        return use;
    }

    /* nobody has it: decode it here, announcing it as LOADING */
    use = rl_xcalloc(1, sizeof *use);
    use->path = rl_xstrdup(path);
    use->state = P_LOADING;
    use->refs = 1;
    PUSH(pf->pixs, use);
    pf->npixs++;
    pthread_mutex_unlock(&pf->mu);
    rl_err_clear(&err);
    px = rl_pixels_load(path, mw, mh, &err);
    pthread_mutex_lock(&pf->mu);
    pf->st.decodes++;
    use->px = px;
    use->err = err;
    use->state = px != NULL ? P_READY : P_FAILED;
    pthread_cond_broadcast(&pf->done);
    return use;
}

/* Renders grid entry g, which the caller has set to G_RUNNING, and leaves
 * it G_READY or G_FAILED. Lock held on entry and exit, released while
 * decoding and rendering. */
static void
run(rl_prefetch *pf, struct grid *g)
{
    struct pix *p;
    rl_cells *cells = NULL;
    rl_err err;
    int mw, mh;

    rl_err_clear(&err);
    rl_render_view_target(g->cols, g->rows, g->mode, g->cell_w, g->cell_h,
                          &g->view, &mw, &mh);
    if (mw == 0) {
        rl_err_set(&err, RL_E_RANGE, "no room for the image (%dx%d cells)",
                   g->cols, g->rows);
        goto out;
    }
    p = pix_acquire(pf, g->path, mw, mh);
    if (p->state == P_READY) {
        memcpy(g->warning, p->px->warning, sizeof g->warning);
        pthread_mutex_unlock(&pf->mu);
        cells = rl_render_view(p->px, g->cols, g->rows, g->mode, g->colors,
                               &g->view, g->cell_w, g->cell_h, &err);
        pthread_mutex_lock(&pf->mu);
        pf->st.renders++;
    } else {
        err = p->err;
    }
    p->refs--;
out:
    g->cells = cells;
    g->err = err;
    g->state = cells != NULL ? G_READY : G_FAILED;
    pthread_cond_broadcast(&pf->done);
}

static void *
worker(void *arg)
{
    rl_prefetch *pf = arg;

    pthread_mutex_lock(&pf->mu);
    while (!pf->stop) {
        struct grid *g = pf->grids;

        /* newest wish first: the reviewer has moved on from older ones */
        while (g != NULL && g->state != G_QUEUED)
            g = g->next;
        if (g == NULL) {
            pthread_cond_wait(&pf->work, &pf->mu);
            continue;
        }
        g->state = G_RUNNING;
        run(pf, g);
        trim(pf);
    }
    pthread_mutex_unlock(&pf->mu);
    return NULL;
}

rl_prefetch *
rl_prefetch_new(size_t max_entries)
{
    rl_prefetch *pf = rl_xcalloc(1, sizeof *pf);
    sigset_t all, old;

    pf->max_grids = max_entries > 0 ? max_entries : 16;
    pf->max_pixs = pf->max_grids < 4 ? pf->max_grids : 4;
    pthread_mutex_init(&pf->mu, NULL);
    pthread_cond_init(&pf->work, NULL);
    pthread_cond_init(&pf->done, NULL);

    /* the thread inherits this mask: signals stay with the UI thread */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pf->has_thread = pthread_create(&pf->thread, NULL, worker, pf) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pf;
}

void
rl_prefetch_set_cell(rl_prefetch *pf, int cell_w, int cell_h)
{
    if (pf == NULL)
        return;
    pthread_mutex_lock(&pf->mu);
    pf->cell_w = cell_w > 0 && cell_h > 0 ? cell_w : 0;
    pf->cell_h = cell_w > 0 && cell_h > 0 ? cell_h : 0;
    pthread_mutex_unlock(&pf->mu);
}

void
rl_prefetch_want(rl_prefetch *pf, const char *path, int cols, int rows,
                 rl_render_mode mode, rl_colors colors)
{
    rl_prefetch_want_view(pf, path, cols, rows, mode, colors, NULL);
}

void
rl_prefetch_want_view(rl_prefetch *pf, const char *path, int cols, int rows,
                      rl_render_mode mode, rl_colors colors,
                      const rl_view *v)
{
    rl_view view = v != NULL ? *v : RL_VIEW_FIT;
    struct grid *g;

    if (pf == NULL || path == NULL)
        return;
    rl_view_clamp(&view);
    pthread_mutex_lock(&pf->mu);
    g = grid_find(pf, path, cols, rows, mode, colors, &view);
    if (g != NULL) {
        UNLINK(pf->grids, g);
    } else {
        g = grid_new(pf, path, cols, rows, mode, colors, &view);
    }
    PUSH(pf->grids, g);
    trim(pf);
    pthread_cond_signal(&pf->work);
    pthread_mutex_unlock(&pf->mu);
}

rl_cells *
rl_prefetch_get(rl_prefetch *pf, const char *path, int cols, int rows,
                rl_render_mode mode, rl_colors colors, char *warning,
                rl_err *err)
{
    return rl_prefetch_get_view(pf, path, cols, rows, mode, colors, NULL,
                                warning, err);
}

rl_cells *
rl_prefetch_get_view(rl_prefetch *pf, const char *path, int cols, int rows,
                     rl_render_mode mode, rl_colors colors, const rl_view *v,
                     char *warning, rl_err *err)
{
    rl_view view = v != NULL ? *v : RL_VIEW_FIT;
    rl_cells *out = NULL;
    int first = 1;

    rl_view_clamp(&view);

    if (warning != NULL)
        warning[0] = '\0';
    if (pf == NULL || path == NULL) {
        rl_err_set(err, RL_E_USAGE, "no image");
        return NULL;
    }
    pthread_mutex_lock(&pf->mu);
    for (;;) {
        struct grid *g = grid_find(pf, path, cols, rows, mode, colors,
                                   &view);

        if (g == NULL) {
            g = grid_new(pf, path, cols, rows, mode, colors, &view);
            PUSH(pf->grids, g);
        } else {
            UNLINK(pf->grids, g);
            PUSH(pf->grids, g);
        }

        if (g->state == G_READY || g->state == G_FAILED) {
            if (first && g->state == G_READY)
                pf->st.hits++;
            if (g->state == G_READY) {
                out = rl_cells_dup(g->cells);
                if (warning != NULL)
                    memcpy(warning, g->warning, sizeof g->warning);
            } else if (err != NULL) {
                *err = g->err;
            }
            break;
        }
        if (g->state == G_RUNNING) {
            /* the worker has it: wait rather than render it twice */
            pf->st.waits++;
            pthread_cond_wait(&pf->done, &pf->mu);
        } else {
            g->state = G_RUNNING;       /* queued only: take it over */
            run(pf, g);
        }
        first = 0;
    }
    trim(pf);
    pthread_mutex_unlock(&pf->mu);
    return out;
}

void
rl_prefetch_counters(rl_prefetch *pf, rl_prefetch_stats *st)
{
    memset(st, 0, sizeof *st);
    if (pf == NULL)
        return;
    pthread_mutex_lock(&pf->mu);
    *st = pf->st;
    st->cached = 0;
    for (struct grid *g = pf->grids; g != NULL; g = g->next)
        if (g->state == G_READY || g->state == G_FAILED)
            st->cached++;
    pthread_mutex_unlock(&pf->mu);
}

void
rl_prefetch_free(rl_prefetch *pf)
{
    if (pf == NULL)
        return;
    pthread_mutex_lock(&pf->mu);
    pf->stop = 1;
    pthread_cond_broadcast(&pf->work);
    pthread_mutex_unlock(&pf->mu);
    if (pf->has_thread) {
        /* Files are opened non-blocking and only if regular, but a read
         * can still hang (a dead network mount): the screen must close
         * anyway. A worker that does not end in 2 s is left to the
         * process exit, with everything it may touch. */
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        if (pthread_timedjoin_np(pf->thread, NULL, &until) != 0)
            return;
    }

    while (pf->grids != NULL) {
        struct grid *g = pf->grids;

        UNLINK(pf->grids, g);
        grid_free(g);
    }
    while (pf->pixs != NULL) {
        struct pix *p = pf->pixs;

        UNLINK(pf->pixs, p);
        pix_free(p);
    }
    pthread_cond_destroy(&pf->done);
    pthread_cond_destroy(&pf->work);
    pthread_mutex_destroy(&pf->mu);
    free(pf);
}
