/* fuzz.c - invariant checks shared by the fuzz targets (see fuzz.h). */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "fuzz: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

size_t
fuzz_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t c;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4;
    else
        return 0;                 /* continuation, C0/C1 overlong, > F4 */
    if (n < len)
        return 0;
    c = s[0] & (0x7F >> len);
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000)
        || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

bool
fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        size_t k = fuzz_utf8_len(u + i, n - i, &cp);

        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

bool
fuzz_unsafe_cp(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)
           || cp == 0x061C || cp == 0x200E || cp == 0x200F
           || (cp >= 0x202A && cp <= 0x202E)
           || (cp >= 0x2066 && cp <= 0x2069)
           || cp == 0x200B || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF
           || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

void
fuzz_check_safe(const char *s, size_t n, const char *what)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        size_t k = fuzz_utf8_len(u + i, n - i, &cp);

        FUZZ_CHECK(k > 0, "%s: invalid UTF-8 at byte %zu (0x%02x)", what, i,
                   u[i]);
        FUZZ_CHECK(!fuzz_unsafe_cp(cp), "%s: unsafe U+%04X at byte %zu",
                   what, (unsigned)cp, i);
        i += k;
    }
}
