/* util.c - aborting allocators, growable buffers, time and string helpers.
 * The UTF-8 routines live in utf8.c. */
#include "relabel/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
oom(size_t n)
{
    fprintf(stderr, "relabel: out of memory (%zu bytes)\n", n);
    abort();
}

void *
rl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom(n);
    return p;
}

void *
rl_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        oom(n * size);
    return p;
}

void *
rl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom(n);
    return q;
}

char *
rl_xstrdup(const char *s)
{
    return rl_xstrndup(s, strlen(s));
}

char *
rl_xstrndup(const char *s, size_t n)
{
    char *p = rl_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
rl_xasprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    p = rl_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void
rl_grow(void *items, size_t *cap, size_t need, size_t size)
{
    void **pp = items;
    size_t c = *cap;

    if (need <= c)
        return;
    if (c < 8)
        c = 8;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            oom(SIZE_MAX);
        c *= 2;
    }
    *pp = rl_xrealloc(*pp, c * size);
    *cap = c;
}

void
rl_buf_add(rl_buf *b, const void *p, size_t n)
{
    rl_grow(&b->data, &b->cap, b->len + n + 1, 1);
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
rl_buf_adds(rl_buf *b, const char *s)
{
    rl_buf_add(b, s, strlen(s));
}

void
rl_buf_addc(rl_buf *b, char c)
{
    rl_buf_add(b, &c, 1);
}

void
rl_buf_printf(rl_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    rl_grow(&b->data, &b->cap, b->len + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
rl_buf_reset(rl_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void
rl_buf_free(rl_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

const char *
rl_buf_str(const rl_buf *b)
{
    return b->data != NULL ? b->data : "";
}

int64_t
rl_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
rl_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void
rl_time_format(int64_t ms, char *buf, size_t size)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
rl_time_parse(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec, n = 0, frac = 0;
    long v;

    if (rl_parse_long(s, &v) == 0) {
        *ms = v;
        return 0;
    }
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 || n != 19)
        return -1;
    s += n;
    if (*s == '.') {
        int digits = 0;

        s++;
        while (isdigit((unsigned char)*s)) {
            if (digits < 3)
                frac = frac * 10 + (*s - '0');
            digits++;
            s++;
        }
        if (digits == 0)
            return -1;
        while (digits < 3) {
            frac *= 10;
            digits++;
        }
    }
    if (strcmp(s, "Z") != 0 && strcmp(s, "") != 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59
        || sec < 0 || sec > 60)
        return -1;
    /* 2026-02-30 is no date (it would be stored as March 2). */
    {
        static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
                                       31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
            return -1;
    }
    *ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000
          + (int64_t)sec * 1000 + frac;
    return 0;
}

int
rl_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);

        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

bool
rl_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *
rl_path_stem(const char *path)
{
    const char *b = strrchr(path, '/');
    char *stem = rl_xstrdup(b != NULL ? b + 1 : path);
    char *dot = strrchr(stem, '.');

    if (dot != NULL && dot != stem)
        *dot = '\0';
    return stem;
}

int
rl_parse_long(const char *s, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static uint64_t
hash_bytes(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static void
strmap_rehash(rl_strmap *m)
{
    size_t size = m->keys == NULL ? 64 : (m->mask + 1) * 2, i;
    char **keys = rl_xcalloc(size, sizeof *keys);
    int64_t *vals = rl_xcalloc(size, sizeof *vals);

    for (i = 0; m->keys != NULL && i <= m->mask; i++) {
        size_t h;

        if (m->keys[i] == NULL)
            continue;
        h = hash_bytes(m->keys[i]) & (size - 1);
        while (keys[h] != NULL)
            h = (h + 1) & (size - 1);
        keys[h] = m->keys[i];
        vals[h] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->mask = size - 1;
}

void
rl_strmap_put(rl_strmap *m, const char *key, int64_t val)
{
    size_t h;

    if (m->keys == NULL || (m->n + 1) * 2 > m->mask + 1)
        strmap_rehash(m);
    h = hash_bytes(key) & m->mask;
    while (m->keys[h] != NULL) {
        if (strcmp(m->keys[h], key) == 0) {
            m->vals[h] = val;
            return;
        }
        h = (h + 1) & m->mask;
    }
    m->keys[h] = rl_xstrdup(key);
    m->vals[h] = val;
    m->n++;
}

int64_t
rl_strmap_get(const rl_strmap *m, const char *key, int64_t dflt)
{
    size_t h;

    if (m->keys == NULL)
        return dflt;
    h = hash_bytes(key) & m->mask;
    while (m->keys[h] != NULL) {
        if (strcmp(m->keys[h], key) == 0)
            return m->vals[h];
        h = (h + 1) & m->mask;
    }
    return dflt;
}

void
rl_strmap_free(rl_strmap *m)
{
    size_t i;

    for (i = 0; m->keys != NULL && i <= m->mask; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

bool
rl_u64set_add(rl_u64set *s, uint64_t key)
{
    size_t h;

    if (s->keys == NULL || (s->n + 1) * 2 > s->mask + 1) {
        size_t size = s->keys == NULL ? 64 : (s->mask + 1) * 2, i;
        uint64_t *keys = rl_xcalloc(size, sizeof *keys);

        for (i = 0; s->keys != NULL && i <= s->mask; i++) {
            if (s->keys[i] == 0)
                continue;
            h = (size_t)((s->keys[i] * 0x9E3779B97F4A7C15ull) >> 17)
                & (size - 1);
            while (keys[h] != 0)
                h = (h + 1) & (size - 1);
            keys[h] = s->keys[i];
        }
        free(s->keys);
        s->keys = keys;
        s->mask = size - 1;
    }
    h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & s->mask;
    while (s->keys[h] != 0) {
        if (s->keys[h] == key)
            return false;
        h = (h + 1) & s->mask;
    }
    s->keys[h] = key;
    s->n++;
    return true;
}

void
rl_u64set_free(rl_u64set *s)
{
    free(s->keys);
    memset(s, 0, sizeof *s);
}
