/* utf8.c - decoding, validation, width and sanitising of UTF-8 text.
 *
 * Anything read from a data file (image names, class names, notes, guide
 * text) passes through rl_utf8_sanitize() before it may reach a terminal:
 * control characters, escape sequences and bidi overrides become visible
 * escapes, invalid bytes become \xNN. Widths are in columns (wcwidth),
 * never bytes. */
#include "relabel/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

size_t
rl_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    uint32_t c, min;
    size_t len, i;

    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2; c &= 0x1F; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3; c &= 0x0F; min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4; c &= 0x07; min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (len > n)
        goto bad;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return len;
bad:
    *cp = 0xFFFD;
    return 1;
}

bool
rl_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        size_t k;

        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        k = rl_utf8_decode(s + i, n - i, &cp);
        if (cp == 0xFFFD && k == 1)
            return false;
        i += k;
    }
    return true;
}

void
rl_utf8_encode(rl_buf *b, uint32_t cp)
{
    char out[4];
    size_t n;

    if (cp < 0x80) {
        out[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    rl_buf_add(b, out, n);
}

bool
rl_utf8_is_unsafe(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return true;                       /* C0, DEL, C1 */
    if (cp == 0x061C || cp == 0x200E || cp == 0x200F)
        return true;                       /* bidi marks */
    if (cp >= 0x202A && cp <= 0x202E)
        return true;                       /* bidi embeddings/overrides */
    if (cp >= 0x2066 && cp <= 0x2069)
        return true;                       /* bidi isolates */
    if (cp == 0x200B || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF)
        return true;                       /* invisible / line separators */
    if (cp >= 0xFFF9 && cp <= 0xFFFB)
        return true;                       /* interlinear annotation */
    return false;
}

static void
escape_cp(rl_buf *b, uint32_t cp)
{
    switch (cp) {
    case '\n': rl_buf_adds(b, "\\n"); return;
    case '\r': rl_buf_adds(b, "\\r"); return;
    case '\t': rl_buf_adds(b, "\\t"); return;
    }
    if (cp < 0x100)
        rl_buf_printf(b, "\\x%02x", (unsigned)cp);
    else
        rl_buf_printf(b, "\\u%04x", (unsigned)cp);
}

char *
rl_utf8_sanitize(const char *str)
{
    rl_buf b = {0};
    size_t n = strlen(str), i = 0;

    rl_buf_add(&b, "", 0);
    while (i < n) {
        uint32_t cp;
        size_t k = rl_utf8_decode(str + i, n - i, &cp);

        if (cp == 0xFFFD && k == 1 && (unsigned char)str[i] >= 0x80)
            rl_buf_printf(&b, "\\x%02x", (unsigned char)str[i]);
        else if (rl_utf8_is_unsafe(cp))
            escape_cp(&b, cp);
        else
            rl_buf_add(&b, str + i, k);
        i += k;
    }
    return b.data;
}

/* Bytes a sequence led by `c` needs, 0 when `c` cannot lead one. */
static size_t
seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 0;
}

/* Length of an incomplete but so far well-formed sequence ending `s[0..n)`,
 * or 0 when the text ends on a character boundary. */
static size_t
open_tail(const char *s, size_t n)
{
    size_t back;

    for (back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)s[n - back];

        if ((c & 0xC0) == 0x80)
            continue;                  /* continuation: keep looking */
        return seq_len(c) > back ? back : 0;
    }
    return 0;
}

size_t
rl_utf8_whole(const char *s, size_t n)
{
    return n - open_tail(s, n);
}

int
rl_utf8_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n >= 0 && size > 0 && (size_t)n >= size)
        buf[rl_utf8_whole(buf, size - 1)] = '\0';   /* cut: a whole char */
    return n;
}

void
rl_utf8_sanitize_stream(rl_utf8_stream *st, const char *s, size_t n,
                        bool final, rl_buf *out)
{
    rl_buf in = {0};
    size_t i = 0, keep;

    rl_buf_add(&in, st->pend, st->npend);
    rl_buf_add(&in, s, n);
    st->npend = 0;
    keep = final ? 0 : open_tail(in.data, in.len);
    while (i < in.len - keep) {
        uint32_t cp;
        size_t k = rl_utf8_decode(in.data + i, in.len - keep - i, &cp);

        if (cp == 0xFFFD && k == 1 && (unsigned char)in.data[i] >= 0x80)
            rl_buf_printf(out, "\\x%02x", (unsigned char)in.data[i]);
        else if (cp == '\n' || cp == '\t')
            rl_buf_addc(out, (char)cp);    /* layout of reports and CSV */
        else if (rl_utf8_is_unsafe(cp))
            escape_cp(out, cp);
        else
            rl_buf_add(out, in.data + i, k);
        i += k;
    }
    memcpy(st->pend, in.data + in.len - keep, keep);
    st->npend = keep;
    rl_buf_free(&in);
}

int
rl_utf8_cp_width(uint32_t cp)
{
    int w;

    if (rl_utf8_is_unsafe(cp))
        return cp < 0x100 ? 4 : 6;
    w = wcwidth((wchar_t)cp);
    if (w < 0)
        return 1;   /* unknown in this locale: assume one column */
    return w;
}

int
rl_utf8_width(const char *s)
{
    return rl_utf8_width_n(s, strlen(s));
}

int
rl_utf8_width_n(const char *s, size_t n)
{
    size_t i = 0;
    int w = 0;

    while (i < n) {
        uint32_t cp;

        i += rl_utf8_decode(s + i, n - i, &cp);
        w += rl_utf8_cp_width(cp);
    }
    return w;
}

size_t
rl_utf8_fit(const char *s, int cols)
{
    size_t n = strlen(s), i = 0;
    int w = 0;

    while (i < n) {
        uint32_t cp;
        size_t k = rl_utf8_decode(s + i, n - i, &cp);
        int cw = rl_utf8_cp_width(cp);

        if (w + cw > cols)
            break;
        w += cw;
        i += k;
    }
    return i;
}
