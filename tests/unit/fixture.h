/* fixture.h - what the unit tests share besides t.h: a private temporary
 * folder and small helpers around it. Include after the system headers
 * and relabel/util.h, relabel/err.h. */
#ifndef RL_FIXTURE_H
#define RL_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/util.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
/* The shipped catalog (share/relabel in the source tree). */
#define FX_CATALOG_DIR RL_TEST_DATA "/../../share/relabel"

/* The test's temporary folder: mkdtemp() it from a "/tmp/...-XXXXXX"
 * pattern at the start, remove it with nftw(tmpdir, rm_one, ...) at the
 * end. */
static char tmpdir[64];

/* nftw callback removing one entry (use with FTW_DEPTH | FTW_PHYS). */
static inline int
rm_one(const char *p, const struct stat *sb, int type, struct FTW *f)
{
    (void)sb; (void)type; (void)f;
    return remove(p);
}

/* tmpdir/name, for the caller to free. */
static inline char *
tpath(const char *name)
{
    return rl_xasprintf("%s/%s", tmpdir, name);
}

/* Writes `text` to tmpdir/name, or bails out. */
static inline void
spew(const char *name, const char *text)
{
    char *p = tpath(name);
    FILE *f = fopen(p, "wb");

    if (f == NULL || fputs(text, f) < 0) {
        perror(p);
        exit(1);
    }
    fclose(f);
    free(p);
}

/* A setup step failed: TAP "Bail out!" and exit. */
static inline void
die(const char *what, const rl_err *err)
{
    printf("Bail out! %s: %s\n", what, err->msg);
    exit(1);
}

/* A new project at tmpdir/name holding the shipped catalog, or bails
 * out. *cat receives its catalog (free it before closing the store). */
static inline rl_store *
fx_project(const char *name, rl_catalog **cat)
{
    char *db = tpath(name);
    rl_err err;
    rl_store *s = rl_store_open(db, RL_STORE_CREATE, &err);

    free(db);
    if (s == NULL || rl_catalog_install(s, FX_CATALOG_DIR, &err) != 0
        || (*cat = rl_catalog_load(s, &err)) == NULL)
        die("set up", &err);
    return s;
}

/* Writes `text` to tmpdir/file and imports it as `kind` ("labels",
 * "images", "predictions" or "reviews") with default options, or bails
 * out naming the kind. */
static inline void
fx_import(rl_store *s, const rl_catalog *cat, const char *kind,
          const char *file, const char *text)
{
    char *f = tpath(file);
    rl_err err;
    int rc;

    spew(file, text);
    rc = kind[0] == 'l' ? rl_import_labels(s, cat, f, NULL, NULL, &err)
         : kind[0] == 'i' ? rl_import_images(s, cat, f, NULL, NULL, &err)
         : kind[0] == 'p' ? rl_import_predictions(s, cat, f, NULL, NULL,
                                                  &err)
         : rl_import_reviews(s, cat, f, NULL, NULL, &err);
    free(f);
    if (rc != 0)
        die(kind, &err);
}

#endif
