/* fixture.h - what the unit tests share besides t.h: a private temporary
 * folder and small helpers around it. Include after the system headers
 * and relabel/util.h, relabel/err.h. */
#ifndef RL_FIXTURE_H
#define RL_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "relabel/err.h"
#include "relabel/util.h"

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

#endif
