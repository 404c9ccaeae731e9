/* fuzz_sanitize.c - rl_utf8_sanitize, rl_utf8_width, rl_utf8_fit and the
 * decoder beneath them.
 *
 * Input: any bytes. The decoder and rl_utf8_valid are compared with the
 * independent checker in fuzz.c over all of them; the rest reads them as
 * a C string (up to the first NUL). Checks: the sanitized copy is valid
 * UTF-8 without unsafe code points; text that was safe already passes
 * unchanged; sanitizing twice changes nothing; rl_utf8_fit never splits a
 * character, never exceeds the columns and stops only where the next
 * character would not fit. Raw input goes through width and fit too,
 * which must stay inside the string and the columns. */
#include "fuzz.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* wcwidth() knows wide and zero-width characters only in UTF-8 */
    setlocale(LC_CTYPE, "C.UTF-8");
    return 0;
}

/* Columns of s[0..n), measured on a NUL-terminated copy. */
static int
width_of(const char *s, size_t n)
{
    char *p = rl_xstrndup(s, n);
    int w = rl_utf8_width(p);

    free(p);
    return w;
}

static void
check_fit(const char *s, int cols, bool sanitized)
{
    size_t n = strlen(s), i = rl_utf8_fit(s, cols), k;
    int w, lim = cols < 0 ? 0 : cols;
    uint32_t cp;

    FUZZ_CHECK(i <= n, "fit(%d) = %zu past the end (%zu)", cols, i, n);
    w = width_of(s, i);
    FUZZ_CHECK(w <= lim, "fit(%d) prefix takes %d columns", cols, w);
    if (!sanitized || i == n)
        return;
    if (cols < 0) {             /* nothing fits, not even zero width */
        FUZZ_CHECK(i == 0, "fit(%d) = %zu", cols, i);
        return;
    }
    FUZZ_CHECK(((unsigned char)s[i] & 0xC0) != 0x80,
               "fit(%d) splits a character at byte %zu", cols, i);
    k = fuzz_utf8_len((const unsigned char *)s + i, n - i, &cp);
    FUZZ_CHECK(k > 0, "sanitized text invalid at byte %zu", i);
    FUZZ_CHECK(width_of(s, i + k) > lim,
               "fit(%d) stopped at byte %zu though U+%04X fits", cols, i,
               (unsigned)cp);
}

/* rl_utf8_decode and rl_utf8_valid against fuzz_utf8_len. */
static void
check_decoder(const uint8_t *data, size_t n)
{
    const char *s = (const char *)data;
    size_t i = 0;

    FUZZ_CHECK(rl_utf8_valid(s, n) == fuzz_utf8_valid(s, n),
               "rl_utf8_valid disagrees (%d)", (int)rl_utf8_valid(s, n));
    while (i < n) {
        uint32_t want = 0, got;
        size_t k = fuzz_utf8_len(data + i, n - i, &want);
        size_t r = rl_utf8_decode(s + i, n - i, &got);

        if (k == 0)
            FUZZ_CHECK(r == 1 && got == 0xFFFD,
                       "bad byte 0x%02x at %zu decoded as U+%04X/%zu",
                       data[i], i, (unsigned)got, r);
        else
            FUZZ_CHECK(r == k && got == want,
                       "U+%04X at %zu decoded as U+%04X/%zu",
                       (unsigned)want, i, (unsigned)got, r);
        i += k > 0 ? k : 1;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = rl_xmalloc(size + 1), *out, *again;
    size_t len, olen, i = 0;
    bool safe;
    int w, ow;

    check_decoder(data, size);
    memcpy(in, data, size);
    in[size] = '\0';
    len = strlen(in);

    out = rl_utf8_sanitize(in);
    olen = strlen(out);
    fuzz_check_safe(out, olen, "rl_utf8_sanitize");

    /* printable text, non-ASCII included, passes unchanged */
    safe = fuzz_utf8_valid(in, len);
    while (safe && i < len) {
        uint32_t cp;

        i += fuzz_utf8_len((const unsigned char *)in + i, len - i, &cp);
        safe = !fuzz_unsafe_cp(cp);
    }
    if (safe)
        FUZZ_CHECK(strcmp(in, out) == 0, "safe text was changed");
    again = rl_utf8_sanitize(out);
    FUZZ_CHECK(strcmp(again, out) == 0, "sanitize is not idempotent");

    ow = rl_utf8_width(out);
    FUZZ_CHECK(ow >= 0 && (size_t)ow <= 2 * olen, "width %d of %zu bytes",
               ow, olen);
    FUZZ_CHECK(rl_utf8_fit(out, ow) == olen, "whole string does not fit "
               "its own width %d", ow);
    {
        int cols[] = { -1, 0, 1, 2, 3, size > 0 ? data[0] : 7, ow - 1,
                       ow / 2 };

        for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            check_fit(out, cols[i], true);
            check_fit(in, cols[i], false);
        }
    }
    w = rl_utf8_width(in);
    FUZZ_CHECK(w >= 0, "negative width %d", w);

    free(again);
    free(out);
    free(in);
    return 0;
}
