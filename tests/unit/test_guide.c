/* test_guide.c - the guide index (header blocks, lookup, search) and the
 * Markdown layout (styles, wrapping, sanitising), on fixtures in
 * tests/data/guides/ and on the real guides/ folder. */
#include "relabel/guide.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/err.h"
#include "relabel/util.h"
#include "t.h"

#define FIX RL_TEST_DATA "/guides"
#define GUIDES RL_TEST_DATA "/../../guides"

/* Helpers ---------------------------------------------------------------- */

static char *
line_text(const rl_line *l)
{
    rl_buf b = {0};
    size_t i;

    rl_buf_add(&b, "", 0);
    for (i = 0; i < l->n; i++)
        rl_buf_adds(&b, l->spans[i].text);
    return b.data;
}

static int
line_cols(const rl_line *l)
{
    size_t i;
    int w = l->indent;

    for (i = 0; i < l->n; i++)
        w += rl_utf8_width(l->spans[i].text);
    return w;
}

static int
max_cols(const rl_doc *d)
{
    size_t i;
    int m = 0;

    for (i = 0; i < d->n; i++)
        if (line_cols(&d->lines[i]) > m)
            m = line_cols(&d->lines[i]);
    return m;
}

/* Index of the first line whose text contains `needle`, or -1. */
static long
find_line(const rl_doc *d, const char *needle)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        char *t = line_text(&d->lines[i]);
        bool hit = strstr(t, needle) != NULL;

        free(t);
        if (hit)
            return (long)i;
    }
    return -1;
}

/* The span whose text equals `text`, or NULL. */
static const rl_span *
find_span(const rl_doc *d, const char *text)
{
    size_t i, j;

    for (i = 0; i < d->n; i++)
        for (j = 0; j < d->lines[i].n; j++)
            if (strcmp(d->lines[i].spans[j].text, text) == 0)
                return &d->lines[i].spans[j];
    return NULL;
}

/* Every span is valid UTF-8 without a single unsafe code point. */
static bool
doc_safe(const rl_doc *d)
{
    size_t i, j, k;

    for (i = 0; i < d->n; i++)
        for (j = 0; j < d->lines[i].n; j++) {
            const char *s = d->lines[i].spans[j].text;
            size_t n = strlen(s);

            if (!rl_utf8_valid(s, n))
                return false;
            for (k = 0; k < n;) {
                uint32_t cp;

                k += rl_utf8_decode(s + k, n - k, &cp);
                if (rl_utf8_is_unsafe(cp))
                    return false;
            }
        }
    return true;
}

static bool
doc_contains(const rl_doc *d, const char *needle)
{
    return find_line(d, needle) >= 0;
}

/* Concatenated text of all lines, without separators. */
static char *
doc_joined(const rl_doc *d)
{
    rl_buf b = {0};
    size_t i;

    rl_buf_add(&b, "", 0);
    for (i = 0; i < d->n; i++) {
        char *t = line_text(&d->lines[i]);

        rl_buf_adds(&b, t);
        free(t);
    }
    return b.data;
}

static rl_doc *
render_fix(const char *name, int width)
{
    char path[PATH_MAX];
    rl_err err = {0};
    rl_doc *d;

    snprintf(path, sizeof path, FIX "/render/%s", name);
    d = rl_guide_render_file(path, width, &err);
    if (d == NULL)
        printf("# %s: %s\n", name, err.msg);
    return d;
}

static size_t
entry_index(const rl_guide *g, const char *file)
{
    size_t i, n = strlen(file);

    for (i = 0; i < rl_guide_count(g); i++) {
        const char *p = rl_guide_entry_at(g, i)->path;
        size_t k = strlen(p);

        if (k >= n && strcmp(p + k - n, file) == 0)
            return i;
    }
    return (size_t)-1;
}

static void
expect_open_error(const char *sub, const char *msg)
{
    char dir[PATH_MAX];
    rl_err err = {0};
    rl_guide *g;

    snprintf(dir, sizeof dir, FIX "/%s", sub);
    g = rl_guide_open(dir, &err);
    ok(g == NULL && err.code == RL_E_PARSE, "%s: refused as a parse error",
       sub);
    is_str(err.msg, msg, "exact FILE:LINE message");
    rl_guide_free(g);
}

/* Index on fixtures ------------------------------------------------------ */

static void
test_fixture_index(void)
{
    rl_err err = {0};
    rl_guide *g = rl_guide_open(FIX "/good", &err);
    const char *ray[] = { "n01498041" };
    const char *none[] = { "n01440764" };
    const rl_guide_entry *e;
    size_t idx[16], n;

    ok(g != NULL, "fixture folder opens: %s", err.msg);
    if (g == NULL)
        return;
    is_int(rl_guide_count(g), 5, "5 entries: no-header file and dir skipped");
    e = rl_guide_entry_at(g, 0);
    ok(e->general && e->n_wnids == 0, "0-general.md is the general entry");
    is_str(rl_guide_entry_at(g, 1)->title, "Alpha rays", "title read");
    ok(rl_guide_entry_at(g, 99) == NULL, "entry out of range is NULL");

    e = rl_guide_entry_at(g, 2);
    ok(e->n_wnids == 2 && strcmp(e->wnids[1], "n03126707") == 0,
       "classes split on spaces and tabs, trailing blanks ignored");
    e = rl_guide_entry_at(g, 3);
    is_str(e->title, "Windows line ends", "BOM and CRLF header parsed");
    ok(e->n_wnids == 2 && strcmp(e->wnids[1], "n02094114") == 0,
       "CRLF classes parsed without \\r");
    e = rl_guide_entry_at(g, 4);
    ok(strchr(e->title, '\033') == NULL && strstr(e->title, "\\x1b[2J")
       && strstr(e->title, "\\u202e") && strstr(e->title, "\\x07"),
       "hostile title sanitized: %s", e->title);

    n = rl_guide_for(g, ray, 1, idx);
    ok(n == 2 && idx[0] == 1 && idx[1] == 0,
       "for(stingray): alpha, then the general entry last");
    n = rl_guide_for(g, none, 1, idx);
    ok(n == 1 && idx[0] == 0, "for(uncovered class): general entry only");
    ok(rl_guide_covers(g, "n02012849"), "covers a listed wnid");
    ok(!rl_guide_covers(g, "n01440764"), "general entry alone covers nothing");

    n = rl_guide_search(g, "SPINE", idx);
    ok(n == 2 && idx[0] == 1 && idx[1] == 2,
       "search is case-insensitive, ranked by occurrences");
    n = rl_guide_search(g, "rays", idx);
    ok(n == 2 && idx[0] == 1 && idx[1] == 0,
       "title hit ranks above more body hits");
    n = rl_guide_search(g, "spine cranes", idx);
    ok(n == 1 && idx[0] == 2, "every query word must occur");
    n = rl_guide_search(g, "n02094258", idx);
    ok(n == 1 && idx[0] == 3, "search finds a wnid");
    ok(rl_guide_search(g, "nowhere-to-be-found", idx) == 0, "no match");
    ok(rl_guide_search(g, "  ", idx) == 5, "empty query matches all");
    rl_guide_free(g);
}

static void
test_fixture_errors(void)
{
    rl_err err = {0};
    rl_guide *g;
    size_t idx[1];

    expect_open_error("bad_wnid", "x.md:3: classes: not a wnid: xyz");
    expect_open_error("bad_unclosed",
                      "u.md:1: header block not closed by ---");
    expect_open_error("bad_key", "k.md:2: unknown key: clases");
    expect_open_error("bad_notitle", "t.md:3: header has no title:");
    expect_open_error("bad_star", "s.md:3: classes: * must stand alone");

    g = rl_guide_open(FIX "/no-such-folder", &err);
    ok(g == NULL && err.code == RL_E_IO, "missing folder is an I/O error");
    g = rl_guide_open(FIX "/empty", &err);
    ok(g != NULL && rl_guide_count(g) == 0, "empty folder: no entries");
    ok(g != NULL && rl_guide_for(g, NULL, 0, idx) == 0, "for() on empty");
    rl_guide_free(g);
    rl_guide_free(NULL);
    rl_doc_free(NULL);
    ok(1, "free functions accept NULL");
}

/* Rendering -------------------------------------------------------------- */

static void
test_constructs(void)
{
    rl_doc *d = render_fix("constructs.md", 24), *w;
    const rl_span *sp;
    char expect[PATH_MAX], *real, *t;
    long i;
    size_t k;
    bool two_blank = false;

    ok(d != NULL, "constructs.md renders");
    if (d == NULL)
        return;

    /* Header block skipped, heading styled and followed by a blank. */
    t = line_text(&d->lines[0]);
    is_str(t, "Main heading", "header block skipped; heading first");
    free(t);
    ok(d->lines[0].heading_level == 1 && d->lines[0].n == 1
       && d->lines[0].spans[0].style == RL_SPAN_HEADING, "h1 styled");
    ok(d->lines[1].n == 0, "blank line after heading");
    ok(find_line(d, "title:") < 0, "no header text rendered");
    i = find_line(d, "Second level");
    ok(i > 0 && d->lines[i].heading_level == 2, "h2 has level 2");
    ok(i > 1 && d->lines[i - 1].n == 0 && d->lines[i - 2].n > 0,
       "one blank line between paragraph and heading");
    for (k = 1; k < d->n; k++)
        two_blank |= d->lines[k].n == 0 && d->lines[k - 1].n == 0
                     && d->lines[k].image == NULL;
    ok(!two_blank, "never two blank lines in a row");

    /* Inline styles. */
    sp = find_span(d, "bold");
    ok(sp && sp->style == RL_SPAN_BOLD, "strong is bold");
    sp = find_span(d, "italic words");
    ok(sp && sp->style == RL_SPAN_ITALIC, "emphasis is italic");
    sp = find_span(d, "code span");
    ok(sp && sp->style == RL_SPAN_CODE, "code span styled");

    /* Bullets with hanging indent, nesting, numbers. */
    i = find_line(d, "first item");
    ok(i >= 0 && d->lines[i].indent == 0
       && strcmp(d->lines[i].spans[0].text, "• ") == 0, "bullet marker");
    ok(i >= 0 && d->lines[i + 1].indent == 2
       && strcmp(d->lines[i + 1].spans[0].text, "enough that it has to") == 0,
       "wrapped item continues under its text (hanging indent)");
    i = find_line(d, "nested item");
    ok(i >= 0 && d->lines[i].indent == 2 && d->lines[i].n == 2
       && strcmp(d->lines[i].spans[0].text, "• ") == 0, "nested list indented");
    i = find_line(d, "second item");
    ok(i >= 0 && d->lines[i - 1].n > 0, "tight list: no blank between items");
    i = find_line(d, "1. one");
    ok(i >= 0 && strcmp(d->lines[i].spans[0].text, "1. ") == 0
       && strcmp(d->lines[i + 1].spans[0].text, "2. ") == 0, "numbered list");

    /* Quote. */
    i = find_line(d, "quoted words");
    ok(i >= 0 && strcmp(d->lines[i].spans[0].text, "│ ") == 0
       && d->lines[i].spans[0].style == RL_SPAN_QUOTE
       && d->lines[i].spans[1].style == RL_SPAN_QUOTE, "quote bar and style");
    ok(i >= 0 && strcmp(d->lines[i + 1].spans[0].text, "│ ") == 0,
       "wrapped quote keeps its bar");

    /* Code block: indented, styled, cut. */
    i = find_line(d, "short code");
    ok(i >= 0 && d->lines[i].indent == 2
       && d->lines[i].spans[0].style == RL_SPAN_CODE, "code block indented");
    t = i >= 0 ? line_text(&d->lines[i + 1]) : NULL;
    is_str(t, "a code line that is mu", "long code line cut, not wrapped");
    free(t);

    /* Images. */
    real = realpath(FIX "/render", NULL);
    snprintf(expect, sizeof expect, "%s/pic.jpg", real ? real : "?");
    free(real);
    i = find_line(d, "Alt of picture");
    ok(i >= 0 && d->lines[i].image != NULL, "image gets its own line");
    is_str(i >= 0 ? d->lines[i].image : NULL, expect,
           "image path resolved against the file's folder");
    i = find_line(d, "[image: Escaping]");
    ok(i >= 0 && d->lines[i].image == NULL, "path with .. is not loaded");

    /* Entities; widths. */
    ok(doc_contains(d, "with &") && doc_contains(d, "and é"),
       "entities decoded");
    ok(max_cols(d) <= 24, "no line wider than 24 (got %d)", max_cols(d));
    rl_doc_free(d);

    /* Wide enough for whole links and the hard break. */
    w = render_fix("constructs.md", 80);
    ok(w != NULL, "constructs.md renders at 80");
    if (w == NULL)
        return;
    sp = find_span(w, "the docs");
    ok(sp && sp->style == RL_SPAN_LINK, "link text styled as link");
    sp = find_span(w, "<http://example.com/docs>");
    ok(sp && sp->style == RL_SPAN_URL, "URL follows in angle brackets");
    i = find_line(w, "the docs");
    t = i >= 0 ? line_text(&w->lines[i]) : NULL;
    is_str(t, "See the docs <http://example.com/docs> now.", "link line text");
    free(t);
    i = find_line(w, "hard");
    t = i >= 0 ? line_text(&w->lines[i + 1]) : NULL;
    is_str(t, "break.", "hard line break starts a new line");
    free(t);
    rl_doc_free(w);
}

static void
test_wrapping(void)
{
    const char *wide = "中文字符串测试中文字符串测试";
    rl_doc *d;
    char *j;
    int width;
    bool fits = true, safe = true;
    const char *names[] = { "constructs.md", "hostile.md", "cjk.md",
                            "narrow.md" };
    size_t k;
    rl_err err = {0};

    d = rl_guide_render(wide, strlen(wide), NULL, 5, &err);
    ok(d && d->n == 7, "14 wide chars at width 5: 2 per line, 7 lines");
    ok(d && max_cols(d) <= 5, "wide characters never exceed the width");
    j = d ? doc_joined(d) : NULL;
    is_str(j, wide, "hard-broken wide word keeps every character");
    free(j);
    rl_doc_free(d);

    d = rl_guide_render("Supercalifragilisticexpialidocious", 34, NULL, 10,
                        &err);
    ok(d && d->n == 4 && max_cols(d) <= 10, "long word hard-broken at 10");
    j = d ? doc_joined(d) : NULL;
    is_str(j, "Supercalifragilisticexpialidocious", "nothing lost");
    free(j);
    rl_doc_free(d);

    d = rl_guide_render("a b", 3, NULL, 0, &err);
    ok(d && max_cols(d) <= 2, "width below 2 is treated as 2");
    rl_doc_free(d);

    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        for (width = 2; width <= 60; width++) {
            d = render_fix(names[k], width);
            if (d == NULL || max_cols(d) > width) {
                printf("# %s at %d: %d cols\n", names[k], width,
                       d ? max_cols(d) : -1);
                fits = false;
            }
            if (d == NULL || !doc_safe(d))
                safe = false;
            rl_doc_free(d);
        }
    ok(fits, "fixtures fit every width from 2 to 60");
    ok(safe, "fixture spans stay valid UTF-8 at every width");
}

static void
test_hostile(void)
{
    rl_doc *d = render_fix("hostile.md", 40);
    const char *img = "![x](pic.jpg)";
    rl_err err = {0};
    long i;

    ok(d != NULL, "hostile.md renders");
    if (d == NULL)
        return;
    ok(doc_safe(d), "no control, escape or bidi character survives");
    ok(doc_contains(d, "\\x1b]52;c;SGVsbG8=\\x07"), "OSC 52 shown escaped");
    ok(doc_contains(d, "\\x1b[2J"), "CSI in heading shown escaped");
    ok(doc_contains(d, "\\u202ereversed\\u202c"), "bidi override escaped");
    ok(doc_contains(d, "\\x9b31m"), "C1 CSI escaped");
    ok(doc_contains(d, "\\xff"), "invalid byte shown as \\xff");
    ok(doc_contains(d, "entity \\x1b[1m"), "entity-made ESC escaped");
    ok(doc_contains(d, "nul \xEF\xBF\xBD end"), "NUL becomes U+FFFD");
    ok(doc_contains(d, "<http://evil.example/\\u202e\\x1bx>"),
       "hostile URL escaped");
    i = find_line(d, "[image: alt \\x1bc reset]");
    ok(i >= 0 && d->lines[i].image == NULL,
       "image path with a bidi character is not loaded");
    ok(doc_contains(d, "code \\x1b[31m red"), "code block escaped");
    rl_doc_free(d);

    d = rl_guide_render(img, strlen(img), NULL, 40, &err);
    ok(d && d->n == 1 && d->lines[0].image && d->lines[0].image[0] == '/',
       "NULL base: image path made absolute");
    rl_doc_free(d);

    d = rl_guide_render_file(FIX "/render/none.md", 40, &err);
    ok(d == NULL && err.code == RL_E_IO, "missing file is an I/O error");
}

/* Renders a string at `width`; the text of line `i`, or NULL. */
static char *
text_at(const char *md, int width, size_t i, rl_doc **out)
{
    rl_err err = {0};
    rl_doc *d = rl_guide_render(md, strlen(md), NULL, width, &err);

    *out = d;
    return d != NULL && i < d->n ? line_text(&d->lines[i]) : NULL;
}

static void
test_blocks(void)
{
    rl_doc *d;
    char *t;

    t = text_at("a <b>x</b> &lt;", 40, 0, &d);
    is_str(t, "a <b>x</b> <", "raw HTML shown as text");
    free(t);
    rl_doc_free(d);

    t = text_at("- a\n\n- b\n", 40, 1, &d);
    ok(d && d->n == 3 && t && *t == '\0', "loose list: blank between items");
    free(t);
    rl_doc_free(d);

    t = text_at("> one\n>\n> two\n", 40, 1, &d);
    is_str(t, "│", "blank line inside a quote keeps the bar");
    ok(d && d->n == 3 && d->lines[1].spans[0].style == RL_SPAN_QUOTE,
       "quote paragraphs: bar, blank bar, bar");
    free(t);
    rl_doc_free(d);

    t = text_at("x\n\n---\n\ny", 12, 2, &d);
    is_str(t, "────────────", "rule spans the width");
    free(t);
    rl_doc_free(d);

    t = text_at("- item\n\n  > inner quote\n", 40, 2, &d);
    ok(d && d->n == 3 && d->lines[2].indent == 2 && t
       && strcmp(t, "│ inner quote") == 0, "quote nested in a list item");
    free(t);
    rl_doc_free(d);

    t = text_at("3) three\n4) four\n", 40, 1, &d);
    is_str(t, "4) four", "ordered list keeps start number and delimiter");
    free(t);
    rl_doc_free(d);

    t = text_at("[same](http://a.example) <http://b.example>", 80, 0, &d);
    is_str(t, "same <http://a.example> http://b.example",
           "autolink shown once, named link with its URL");
    free(t);
    rl_doc_free(d);
}

/* The real guide ---------------------------------------------------------- */

static const char *const brief_wnids[] = {
    "n01484850", "n01491361", "n01494475", "n01498041", "n01496331",
    "n02361337", "n02363005", "n02123045", "n02123159", "n02124075",
    "n01871265", "n02504458", "n02504013", "n03642806", "n03832673",
    "n04355933", "n04356056", "n03773504", "n04008634", "n03710637",
    "n03710721", "n02012849", "n03126707", "n02089973", "n02089867",
    "n03179701", "n03180011", "n03782006", "n04152593", "n02094258",
    "n02094114",
};

/* A baseline JPEG under 40 KB: SOI, a SOF0 marker and no SOF2. In JPEG
 * entropy data 0xFF is always followed by 0x00 or RSTn, so a marker byte
 * pair cannot occur by accident. */
static bool
small_baseline_jpeg(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[40 * 1024];
    size_t n, i;
    bool sof0 = false, sof2 = false;

    if (f == NULL)
        return false;
    n = fread(buf, 1, sizeof buf, f);
    if (fgetc(f) != EOF)
        n = 0;                       /* 40 KB or more */
    fclose(f);
    for (i = 0; i + 1 < n; i++) {
        sof0 |= buf[i] == 0xFF && buf[i + 1] == 0xC0;
        sof2 |= buf[i] == 0xFF && buf[i + 1] == 0xC2;
    }
    return n > 2 && buf[0] == 0xFF && buf[1] == 0xD8 && sof0 && !sof2;
}

static void
check_entry_text(const rl_guide_entry *e, bool *len_ok, bool *src_ok,
                 bool *wnid_ok)
{
    FILE *f = fopen(e->path, "r");
    char line[1024];
    rl_buf all = {0};
    int n = 0;
    size_t i;

    if (f == NULL) {
        *len_ok = *src_ok = *wnid_ok = false;
        return;
    }
    rl_buf_add(&all, "", 0);
    while (fgets(line, sizeof line, f) != NULL) {
        n++;
        if (n > 4)                   /* body only, after the header */
            rl_buf_adds(&all, line);
    }
    fclose(f);
    if (n < 40 || n > 120) {
        printf("# %s: %d lines\n", e->path, n);
        *len_ok = false;
    }
    if (strstr(rl_buf_str(&all), "**Sources:**") == NULL)
        *src_ok = false;
    for (i = 0; i < e->n_wnids; i++)
        if (strstr(rl_buf_str(&all), e->wnids[i]) == NULL) {
            printf("# %s does not name %s\n", e->path, e->wnids[i]);
            *wnid_ok = false;
        }
    rl_buf_free(&all);
}

static void
test_real_guides(void)
{
    rl_err err = {0};
    rl_guide *g = rl_guide_open(GUIDES, &err);
    const char *pair[] = { "n01498041", "n02012849" };
    const char *tench[] = { "n01440764" };
    size_t idx[64], n, i, j, rays, crane, general, images = 0, generals = 0;
    bool covered = true, renders = true, fits = true, safe = true;
    bool imgs_ok = true, len_ok = true, src_ok = true, wnid_ok = true;
    int widths[] = { 30, 80 };

    ok(g != NULL, "guides/ opens: %s", err.msg);
    if (g == NULL)
        return;
    is_int(rl_guide_count(g), 14, "13 class entries plus the general one");
    ok(entry_index(g, "/README.md") == (size_t)-1, "README.md is no entry");
    ok(rl_guide_covers(g, "n01498041"), "covers stingray");
    ok(!rl_guide_covers(g, "n01440764"), "tench has no entry");
    for (i = 0; i < sizeof brief_wnids / sizeof brief_wnids[0]; i++)
        if (!rl_guide_covers(g, brief_wnids[i])) {
            printf("# not covered: %s\n", brief_wnids[i]);
            covered = false;
        }
    ok(covered, "every class of the brief has an entry");

    rays = entry_index(g, "/rays.md");
    crane = entry_index(g, "/crane.md");
    general = entry_index(g, "/general.md");
    for (i = 0; i < rl_guide_count(g); i++)
        generals += rl_guide_entry_at(g, i)->general;
    ok(generals == 1 && general != (size_t)-1
       && rl_guide_entry_at(g, general)->general, "one general entry");
    n = rl_guide_for(g, pair, 2, idx);
    ok(n == 3 && idx[0] == crane && idx[1] == rays && idx[2] == general,
       "for(): file-name order, general last");
    n = rl_guide_for(g, tench, 1, idx);
    ok(n == 1 && idx[0] == general, "uncovered class gets the general entry");

    n = rl_guide_search(g, "spine", idx);
    ok(n >= 1 && idx[0] == rays, "search 'spine' finds the ray entry first");
    n = rl_guide_search(g, "Electric Ray", idx);
    ok(n >= 1 && idx[0] == rays, "title hit ranks the ray entry first");
    n = rl_guide_search(g, "n03126707", idx);
    ok(n >= 1 && idx[0] == crane, "wnid search finds the crane entry");

    for (i = 0; i < rl_guide_count(g); i++) {
        const rl_guide_entry *e = rl_guide_entry_at(g, i);

        if (!e->general)
            check_entry_text(e, &len_ok, &src_ok, &wnid_ok);
        for (j = 0; j < 2; j++) {
            rl_doc *d = rl_guide_render_file(e->path, widths[j], &err);
            size_t k;

            if (d == NULL) {
                printf("# %s: %s\n", e->path, err.msg);
                renders = false;
                continue;
            }
            fits &= max_cols(d) <= widths[j];
            safe &= doc_safe(d);
            for (k = 0; k < d->n; k++) {
                if (d->lines[k].image == NULL)
                    continue;
                images += j == 0;
                if (!small_baseline_jpeg(d->lines[k].image)) {
                    printf("# bad image %s\n", d->lines[k].image);
                    imgs_ok = false;
                }
            }
            rl_doc_free(d);
        }
    }
    ok(renders, "every guide renders at widths 30 and 80");
    ok(fits, "no guide line exceeds its width");
    ok(safe, "guide spans are safe UTF-8");
    ok(images >= 2, "at least two entries show an image (%zu)", images);
    ok(imgs_ok, "every image exists as a baseline JPEG under 40 KB");
    ok(len_ok, "every entry is 40-120 lines long");
    ok(src_ok, "every entry has a Sources line");
    ok(wnid_ok, "every entry names each of its wnids in its text");
    rl_guide_free(g);
}

int
main(void)
{
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        t_skip_all("no C.UTF-8 locale");
    test_fixture_index();
    test_fixture_errors();
    test_constructs();
    test_wrapping();
    test_hostile();
    test_blocks();
    test_real_guides();
    return t_done();
}
