/* t.h - a tiny TAP producer for the unit tests.
 * ok(cond, fmt, ...) prints "ok N - ..." or "not ok N - ...";
 * t_done() prints the plan and returns the exit status (1 on any failure).
 * t_skip_all(why) prints "1..0 # SKIP why" and exits 77 (CTest: skipped). */
#ifndef RL_T_H
#define RL_T_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int t_n, t_failed;

static inline int
t_ok(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    t_n++;
    printf("%s %d - ", cond ? "ok" : "not ok", t_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        t_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return cond;
}

#define ok(cond, ...) t_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(a, b, name) do { long long t_a_ = (a), t_b_ = (b); \
    if (!ok(t_a_ == t_b_, "%s", name)) \
        printf("#   got %lld, expected %lld\n", t_a_, t_b_); } while (0)
#define is_str(a, b, name) do { const char *t_a_ = (a), *t_b_ = (b); \
    int t_eq_ = t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0; \
    if (!ok(t_eq_, "%s", name)) \
        printf("#   got '%s', expected '%s'\n", t_a_ ? t_a_ : "(null)", \
               t_b_ ? t_b_ : "(null)"); } while (0)

static inline int
t_done(void)
{
    printf("1..%d\n", t_n);
    if (t_failed)
        printf("# %d of %d tests failed\n", t_failed, t_n);
    return t_failed ? 1 : 0;
}

static inline void
t_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(77);
}

#endif
