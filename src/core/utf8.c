/* utf8.c - decoding, validation, width and sanitising of UTF-8 text.
 *
 * Anything read from a data file (image names, class names, notes, guide
 * text) passes through rl_utf8_sanitize() before it may reach a terminal:
 * control characters, escape sequences and bidi overrides become visible
 * escapes, invalid bytes become \xNN. Widths are in columns, never bytes,
 * from a table of our own (not wcwidth, which returns -1 for anything
 * non-ASCII under LC_ALL=C): the same answer in every locale. */
#include "relabel/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Code point ranges, sorted, first and last included. */
struct range {
    uint32_t lo, hi;
};

/* Two columns: East Asian Wide and Fullwidth (Unicode 15 EastAsianWidth.txt
 * W and F), with the emoji blocks taken whole. */
static const struct range wide[] = {
    { 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A },
    { 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 },
    { 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
    { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
    { 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
    { 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA },
    { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 }, { 0x26FA, 0x26FA },
    { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
    { 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E },
    { 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
    { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C },
    { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
    { 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF },
    { 0xA000, 0xA4CF }, { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 },
    { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F },
    { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
    { 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 },
    { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
    { 0x1F200, 0x1F202 }, { 0x1F210, 0x1F23B }, { 0x1F240, 0x1F248 },
    { 0x1F250, 0x1F251 }, { 0x1F260, 0x1F265 }, { 0x1F300, 0x1F64F },
    { 0x1F680, 0x1F6FF }, { 0x1F7E0, 0x1F7EB }, { 0x1F900, 0x1F9FF },
    { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

/* No column: combining marks (general categories Mn, Me) of the common
 * scripts, Hangul medial and final jamo, zero-width format characters
 * and variation selectors. */
static const struct range zero[] = {
    { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },
    { 0x05BF, 0x05BF }, { 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 },
    { 0x05C7, 0x05C7 }, { 0x0610, 0x061A }, { 0x064B, 0x065F },
    { 0x0670, 0x0670 }, { 0x06D6, 0x06DC }, { 0x06DF, 0x06E4 },
    { 0x06E7, 0x06E8 }, { 0x06EA, 0x06ED }, { 0x0711, 0x0711 },
    { 0x0730, 0x074A }, { 0x07A6, 0x07B0 }, { 0x0900, 0x0902 },
    { 0x093A, 0x093A }, { 0x093C, 0x093C }, { 0x0941, 0x0948 },
    { 0x094D, 0x094D }, { 0x0951, 0x0957 }, { 0x0962, 0x0963 },
    { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E },
    { 0x1160, 0x11FF }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
    { 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 },
    { 0x20D0, 0x20FF }, { 0x302A, 0x302D }, { 0x3099, 0x309A },
    { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
    { 0x1D167, 0x1D169 }, { 0x1D17B, 0x1D182 }, { 0xE0000, 0xE0FFF },
};

static bool
in_table(uint32_t cp, const struct range *t, size_t n)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (cp > t[mid].hi)
            lo = mid + 1;
        else if (cp < t[mid].lo)
            hi = mid;
        else
            return true;
    }
    return false;
}

int
rl_utf8_cp_width(uint32_t cp)
{
    if (rl_utf8_is_unsafe(cp))
        return cp < 0x100 ? 4 : 6;
    if (cp < 0x300)
        return 1;
    if (in_table(cp, zero, sizeof zero / sizeof zero[0]))
        return 0;
    if (in_table(cp, wide, sizeof wide / sizeof wide[0]))
        return 2;
    return 1;
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

size_t
rl_utf8_fit_words(const char *s, int cols, int reserve)
{
    size_t n = strlen(s), fit, k;

    if (rl_utf8_width(s) <= cols)
        return n;
    fit = rl_utf8_fit(s, cols - reserve > 0 ? cols - reserve : 0);
    /* Back to the last space that fits: the cut never splits a word,
     * unless the first word alone is wider than the room. */
    for (k = fit; k > 0 && s[k] != ' '; k--)
        ;
    if (k == 0)
        return fit;
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == ',' || s[k - 1] == ';'
                     || s[k - 1] == ':' || s[k - 1] == '('))
        k--;
    return k > 0 ? k : fit;
}

/* ASCII stand-ins for the symbols relabel and the guides draw. */
static const struct {
    uint32_t cp;
    const char *ascii;
} stand_in[] = {
    { 0x00A0, " " }, { 0x00AB, "<<" }, { 0x00B7, "." }, { 0x00BB, ">>" },
    { 0x00D7, "x" }, { 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" },
    { 0x2013, "-" }, { 0x2014, "--" }, { 0x2018, "'" }, { 0x2019, "'" },
    { 0x201C, "\"" }, { 0x201D, "\"" }, { 0x2022, "*" }, { 0x2026, "..." },
    { 0x2190, "<-" }, { 0x2191, "^" }, { 0x2192, "->" }, { 0x2193, "v" },
    { 0x2500, "-" }, { 0x2502, "|" }, { 0x250C, "+" }, { 0x2510, "+" },
    { 0x2514, "+" }, { 0x2518, "+" }, { 0x251C, "+" }, { 0x2524, "+" },
    { 0x252C, "+" }, { 0x2534, "+" }, { 0x253C, "+" }, { 0x2550, "=" },
    { 0x2551, "|" }, { 0x25B2, "^" }, { 0x25B6, ">" }, { 0x25BC, "v" },
    { 0x25C0, "<" }, { 0x25CF, "*" }, { 0x2713, "v" }, { 0x2714, "v" },
    { 0x2717, "x" }, { 0x2718, "x" },
};

char *
rl_utf8_to_ascii(const char *str)
{
    rl_buf b = {0};
    size_t n = strlen(str), i = 0, k, j;

    rl_buf_add(&b, "", 0);
    while (i < n) {
        uint32_t cp;

        k = rl_utf8_decode(str + i, n - i, &cp);
        i += k;
        if (cp < 0x80) {
            rl_buf_add(&b, str + i - k, 1);
            continue;
        }
        for (j = 0; j < sizeof stand_in / sizeof stand_in[0]; j++)
            if (stand_in[j].cp == cp)
                break;
        if (j < sizeof stand_in / sizeof stand_in[0])
            rl_buf_adds(&b, stand_in[j].ascii);
        else if (rl_utf8_cp_width(cp) > 0)
            rl_buf_adds(&b, rl_utf8_cp_width(cp) == 2 ? "??" : "?");
    }
    return b.data;
}
