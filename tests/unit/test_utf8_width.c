/* test_utf8_width.c - widths from relabel's own table, the same in every
 * locale (issue 15: wcwidth returns -1 under LC_ALL=C); cutting at a word
 * for an ellipsis; the ASCII stand-ins for non-UTF-8 terminals. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"
#include "t.h"

/* Runs the width checks; the same results are expected in any locale. */
static void
widths(const char *locale)
{
    ok(rl_utf8_cp_width('a') == 1, "%s: ASCII is one column", locale);
    ok(rl_utf8_cp_width(0x00E9) == 1, "%s: e acute is one column", locale);
    ok(rl_utf8_cp_width(0x732B) == 2, "%s: CJK ideograph is two", locale);
    ok(rl_utf8_cp_width(0xAC00) == 2, "%s: Hangul syllable is two", locale);
    ok(rl_utf8_cp_width(0xFF21) == 2, "%s: fullwidth A is two", locale);
    ok(rl_utf8_cp_width(0x1F431) == 2, "%s: cat emoji is two", locale);
    ok(rl_utf8_cp_width(0x0301) == 0, "%s: combining acute is zero",
       locale);
    ok(rl_utf8_cp_width(0xFE0F) == 0, "%s: variation selector is zero",
       locale);
    ok(rl_utf8_cp_width(0x2026) == 1, "%s: ellipsis is one", locale);
    ok(rl_utf8_cp_width(0x1B) == 4, "%s: ESC counts as its escape \\x1b",
       locale);
    is_int(rl_utf8_width("n02123045 \xe7\x8c\xab \xe7\x8c\xab"), 15,
           "two ideographs in a name: 15 columns");
    is_int(rl_utf8_width("cafe\xcc\x81"), 4, "e + combining acute: 4");
    is_int((long long)rl_utf8_fit("\xe7\x8c\xab\xe7\x8c\xab", 3), 3,
           "fit never splits a wide character across the edge");
}

int
main(void)
{
    char *a;

    setlocale(LC_ALL, "C");
    widths("C");
    if (setlocale(LC_ALL, "C.UTF-8") != NULL)
        widths("C.UTF-8");
    setlocale(LC_ALL, "C");

    /* Word cuts: the status-line message of issue 15 bug 6. */
    {
        const char *m = "no example images: relabel config examples DIR "
                        "(DIR/<wnid>/*.JPEG)";
        size_t n = rl_utf8_fit_words(m, 60, 1);

        ok(n < strlen(m) && m[n] != '\0' && (m[n] == ' ' || m[n] == '('),
           "cut at a word boundary (%zu: '%.*s')", n, (int)n, m);
        ok(rl_utf8_width_n(m, n) + 1 <= 60, "room left for the ellipsis");
        ok(strncmp(m + n - 3, "DIR", 3) == 0, "the cut keeps whole words");
        is_int((long long)rl_utf8_fit_words(m, 200, 1), (long long)strlen(m),
               "a message that fits is kept whole");
        is_int((long long)rl_utf8_fit_words("abcdefghij", 5, 1), 4,
               "one word wider than the room is cut inside it");
        is_int((long long)rl_utf8_fit_words("one two, three", 11, 1), 7,
               "trailing punctuation goes with the cut");
    }

    /* ASCII for terminals that are not UTF-8. */
    a = rl_utf8_to_ascii("a\xe2\x80\xa6 \xe2\x94\x82 \xe2\x94\x80 "
                         "\xe2\x80\xa2 \xe7\x8c\xab caf\xc3\xa9 e\xcc\x81");
    is_str(a, "a... | - * ?? caf? e", "stand-ins, ?? for wide, marks "
           "dropped");
    free(a);
    a = rl_utf8_to_ascii("plain [C] n02123045");
    is_str(a, "plain [C] n02123045", "ASCII unchanged");
    free(a);
    return t_done();
}
