/* guide.c - the labeling guide: an index of Markdown entries and a layout
 * engine that turns one entry into lines of styled spans.
 *
 * The index reads only each file's header block; Markdown itself is parsed
 * by md4c's callback parser, never by hand. Invariants of the layout:
 * every span's text has been through rl_utf8_sanitize(), so widths are
 * measured on what the terminal will show; no line is wider than the
 * requested width (which is at least 2, so one wide character always fits);
 * a UTF-8 character is never split across spans or lines. */
#include "relabel/guide.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <md4c.h>

#include "relabel/err.h"
#include "relabel/file.h"
#include "relabel/util.h"

#define GUIDE_MAX_BYTES (1u << 20)   /* larger files are refused */
#define CODE_INDENT 2                /* columns before code block lines */

/* Index ---------------------------------------------------------------- */

struct entry {
    rl_guide_entry pub;   /* what callers see */
    char *ltitle;         /* title, ASCII lower-cased, for ranking */
    char *hay;            /* title, wnids and text, lower-cased */
};

struct rl_guide {
    struct entry *e;      /* entries in file-name order */
    size_t n;             /* entries used */
    size_t cap;           /* entries allocated */
};

/* Reads a whole regular file of at most GUIDE_MAX_BYTES; `shown` names it
 * in messages. With `within`, the file (symlinks resolved) must lie in
 * that folder. Returns a NUL-terminated copy or NULL with `err` set. */
static char *
slurp(const char *path, const char *within, const char *shown, size_t *len,
      rl_err *err)
{
    FILE *f;
    rl_buf b = {0};
    char chunk[8192];
    size_t k;
    int rc = -1, fd;

    if ((fd = rl_file_open_regular(path, within, err)) < 0) {
        rl_err_prefix(err, "%s", shown);
        return NULL;
    }
    if ((f = fdopen(fd, "rb")) == NULL) {
        rl_err_set(err, RL_E_IO, "%s: %s", shown, strerror(errno));
        close(fd);
        return NULL;
    }
    rl_buf_add(&b, "", 0);
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + k > GUIDE_MAX_BYTES) {
            rl_err_set(err, RL_E_RANGE, "%s: larger than 1 MiB", shown);
            goto out;
        }
        rl_buf_add(&b, chunk, k);
    }
    if (ferror(f)) {
        rl_err_set(err, RL_E_IO, "%s: read failed", shown);
        goto out;
    }
    *len = b.len;
    rc = 0;
out:
    fclose(f);
    if (rc != 0)
        rl_buf_free(&b);
    return rc == 0 ? b.data : NULL;
}

static bool
is_wnid(const char *s, size_t n)
{
    size_t i;

    if (n != 9 || s[0] != 'n')
        return false;
    for (i = 1; i < 9; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One line of `text` starting at *pos: sets [*s, *s + *n) without the line
 * end or a trailing '\r', advances *pos past the '\n'. False at the end. */
static bool
next_line(const char *text, size_t len, size_t *pos, const char **s,
          size_t *n)
{
    const char *nl;

    if (*pos >= len)
        return false;
    *s = text + *pos;
    nl = memchr(*s, '\n', len - *pos);
    *n = nl != NULL ? (size_t)(nl - *s) : len - *pos;
    *pos += *n + (nl != NULL);
    if (*n > 0 && (*s)[*n - 1] == '\r')
        (*n)--;
    return true;
}

static bool
is_fence(const char *s, size_t n)
{
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    return n == 3 && memcmp(s, "---", 3) == 0;
}

static size_t
skip_bom(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Offset just past the header block, or 0 (after any BOM) when the text
 * does not start with a closed one. */
static size_t
body_offset(const char *text, size_t len)
{
    size_t pos = skip_bom(text, len), start = pos, n;
    const char *s;

    if (!next_line(text, len, &pos, &s, &n) || !is_fence(s, n))
        return start;
    while (next_line(text, len, &pos, &s, &n))
        if (is_fence(s, n))
            return pos;
    return start;
}

/* Quotes a piece of untrusted text for an error message: sanitized, cut
 * to 40 columns. The caller frees the result. */
static char *
quote_bad(const char *s, size_t n)
{
    char *raw = rl_xstrndup(s, n), *safe = rl_utf8_sanitize(raw);

    safe[rl_utf8_fit(safe, 40)] = '\0';
    free(raw);
    return safe;
}

static void
trim(const char **s, size_t *n)
{
    while (*n > 0 && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_blank((*s)[*n - 1]))
        (*n)--;
}

static void
entry_clear(struct entry *e)
{
    size_t i;

    free(e->pub.path);
    free(e->pub.title);
    for (i = 0; i < e->pub.n_wnids; i++)
        free(e->pub.wnids[i]);
    free(e->pub.wnids);
    free(e->ltitle);
    free(e->hay);
    memset(e, 0, sizeof *e);
}

/* Parses the value of `classes:` into e; `at` is "FILE:LINE" for errors. */
static int
parse_classes(struct entry *e, const char *v, size_t n, const char *at,
              rl_err *err)
{
    size_t i = 0, cap = 0, j;

    while (i < n) {
        size_t k = i;
        char *bad;

        while (k < n && !is_blank(v[k]))
            k++;
        if (k - i == 1 && v[i] == '*') {
            e->pub.general = true;
        } else if (is_wnid(v + i, k - i)) {
            for (j = 0; j < e->pub.n_wnids; j++)
                if (memcmp(e->pub.wnids[j], v + i, 9) == 0) {
                    rl_err_set(err, RL_E_PARSE,
                               "%s: classes: repeated wnid: %.9s", at, v + i);
                    return -1;
                }
            rl_grow(&e->pub.wnids, &cap, e->pub.n_wnids + 1,
                    sizeof *e->pub.wnids);
            e->pub.wnids[e->pub.n_wnids++] = rl_xstrndup(v + i, 9);
        } else {
            bad = quote_bad(v + i, k - i);
            rl_err_set(err, RL_E_PARSE, "%s: classes: not a wnid: %s",
                       at, bad);
            free(bad);
            return -1;
        }
        for (i = k; i < n && is_blank(v[i]); i++)
            ;
    }
    if (!e->pub.general && e->pub.n_wnids == 0) {
        rl_err_set(err, RL_E_PARSE, "%s: classes: empty", at);
        return -1;
    }
    if (e->pub.general && e->pub.n_wnids > 0) {
        rl_err_set(err, RL_E_PARSE, "%s: classes: * must stand alone", at);
        return -1;
    }
    return 0;
}

/* Reads the header block of `text` into `e`. Returns 0 for an entry, 1 for
 * a file without a header block (not an entry), -1 on a malformed one. */
static int
parse_header(struct entry *e, const char *text, size_t len, const char *name,
             rl_err *err)
{
    size_t pos = skip_bom(text, len), n, kn;
    const char *s, *colon, *v;
    bool have_classes = false;
    int line = 1;
    char at[300] = "";

    if (!next_line(text, len, &pos, &s, &n) || !is_fence(s, n))
        return 1;
    if (body_offset(text, len) == skip_bom(text, len)) {
        rl_err_set(err, RL_E_PARSE, "%s:1: header block not closed by ---",
                   name);
        return -1;
    }
    while (next_line(text, len, &pos, &s, &n)) {
        line++;
        snprintf(at, sizeof at, "%s:%d", name, line);
        if (is_fence(s, n))
            break;                   /* body_offset() saw it exists */
        colon = memchr(s, ':', n);
        if (colon == NULL) {
            rl_err_set(err, RL_E_PARSE, "%s: expected \"key: value\"", at);
            return -1;
        }
        kn = (size_t)(colon - s);
        v = colon + 1;
        n -= kn + 1;
        trim(&s, &kn);
        trim(&v, &n);
        if (kn == 5 && memcmp(s, "title", 5) == 0) {
            char *raw;

            if (e->pub.title != NULL) {
                rl_err_set(err, RL_E_PARSE, "%s: title: given twice", at);
                return -1;
            }
            if (n == 0) {
                rl_err_set(err, RL_E_PARSE, "%s: title: empty", at);
                return -1;
            }
            raw = rl_xstrndup(v, n);
            e->pub.title = rl_utf8_sanitize(raw);
            free(raw);
        } else if (kn == 7 && memcmp(s, "classes", 7) == 0) {
            if (have_classes) {
                rl_err_set(err, RL_E_PARSE, "%s: classes: given twice", at);
                return -1;
            }
            have_classes = true;
            if (parse_classes(e, v, n, at, err) != 0)
                return -1;
        } else {
            char *bad = quote_bad(s, kn);

            rl_err_set(err, RL_E_PARSE, "%s: unknown key: %s", at, bad);
            free(bad);
            return -1;
        }
    }
    if (e->pub.title == NULL || !have_classes) {
        rl_err_set(err, RL_E_PARSE, "%s: header has no %s", at,
                   e->pub.title == NULL ? "title:" : "classes:");
        return -1;
    }
    return 0;
}

static char *
lower_dup(const char *s)
{
    char *p = rl_xstrdup(s), *q;

    for (q = p; *q != '\0'; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    return p;
}

static void
make_haystack(struct entry *e, const char *text)
{
    rl_buf b = {0};
    size_t i;

    rl_buf_adds(&b, e->pub.title);
    for (i = 0; i < e->pub.n_wnids; i++) {
        rl_buf_addc(&b, ' ');
        rl_buf_adds(&b, e->pub.wnids[i]);
    }
    rl_buf_addc(&b, '\n');
    rl_buf_adds(&b, text);
    e->hay = lower_dup(rl_buf_str(&b));
    e->ltitle = lower_dup(e->pub.title);
    rl_buf_free(&b);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
ends_with_md(const char *name)
{
    size_t n = strlen(name);

    return n > 3 && strcmp(name + n - 3, ".md") == 0;
}

/* Sorted names of the *.md files in `dir`; NULL with `err` set if the
 * folder cannot be read. */
static char **
list_md(const char *dir, size_t *count, rl_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;

    if (d == NULL) {
        char *shown = rl_utf8_sanitize(dir);

        rl_err_set(err, RL_E_IO, "%s: %s", shown, strerror(errno));
        free(shown);
        return NULL;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !ends_with_md(de->d_name))
            continue;
        rl_grow(&names, &cap, n + 1, sizeof *names);
        names[n++] = rl_xstrdup(de->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, name_cmp);
    *count = n;
    return names != NULL ? names : rl_xcalloc(1, sizeof *names);
}

rl_guide *
rl_guide_open(const char *dir, rl_err *err)
{
    rl_guide *g = rl_xcalloc(1, sizeof *g);
    char **names;
    size_t n = 0, i;
    int rc = -1;

    names = list_md(dir, &n, err);
    if (names == NULL)
        goto out;
    for (i = 0; i < n; i++) {
        char *path = rl_xasprintf("%s/%s", dir, names[i]);
        char *shown = rl_utf8_sanitize(names[i]);
        struct entry e = {0};
        struct stat st;
        char *text = NULL;
        size_t len = 0;
        int hr = 1;

        /* Only regular files: a FIFO named x.md would block the open. A
         * link out of the folder is an error, like a bad header. */
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            text = slurp(path, dir, shown, &len, err);
            hr = text != NULL ? parse_header(&e, text, len, shown, err) : -1;
        }
        if (hr == 0) {
            e.pub.path = path;
            path = NULL;
            make_haystack(&e, text + body_offset(text, len));
            rl_grow(&g->e, &g->cap, g->n + 1, sizeof *g->e);
            g->e[g->n++] = e;
        } else {
            entry_clear(&e);
        }
        free(path);
        free(shown);
        free(text);
        if (hr < 0)
            goto out;
    }
    rc = 0;
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc != 0) {
        rl_guide_free(g);
        return NULL;
    }
    return g;
}

void
rl_guide_free(rl_guide *g)
{
    size_t i;

    if (g == NULL)
        return;
    for (i = 0; i < g->n; i++)
        entry_clear(&g->e[i]);
    free(g->e);
    free(g);
}

size_t
rl_guide_count(const rl_guide *g)
{
    return g->n;
}

const rl_guide_entry *
rl_guide_entry_at(const rl_guide *g, size_t i)
{
    return i < g->n ? &g->e[i].pub : NULL;
}

static bool
entry_names(const struct entry *e, const char *wnid)
{
    size_t i;

    for (i = 0; i < e->pub.n_wnids; i++)
        if (strcmp(e->pub.wnids[i], wnid) == 0)
            return true;
    return false;
}

size_t
rl_guide_for(const rl_guide *g, const char *const *wnids, size_t n,
             size_t *idx)
{
    size_t i, j, k = 0;

    for (i = 0; i < g->n; i++) {
        if (g->e[i].pub.general)
            continue;
        for (j = 0; j < n; j++)
            if (wnids[j] != NULL && entry_names(&g->e[i], wnids[j])) {
                idx[k++] = i;
                break;
            }
    }
    for (i = 0; i < g->n; i++)
        if (g->e[i].pub.general)
            idx[k++] = i;
    return k;
}

bool
rl_guide_covers(const rl_guide *g, const char *wnid)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        if (!g->e[i].pub.general && entry_names(&g->e[i], wnid))
            return true;
    return false;
}

struct hit {
    size_t i;        /* entry index */
    size_t title;    /* query words found in the title */
    size_t count;    /* occurrences of query words anywhere */
};

static int
hit_cmp(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;

    if (a->title != b->title)
        return a->title > b->title ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static size_t
occurrences(const char *hay, const char *word)
{
    size_t n = 0, wl = strlen(word);
    const char *p = hay;

    while ((p = strstr(p, word)) != NULL) {
        n++;
        p += wl;
    }
    return n;
}

size_t
rl_guide_search(const rl_guide *g, const char *query, size_t *idx)
{
    char *q = lower_dup(query), *save = NULL, *w;
    char **words = NULL;
    size_t nw = 0, cap = 0, i, j, k = 0;
    struct hit *hits = rl_xcalloc(g->n + 1, sizeof *hits);

    for (w = strtok_r(q, " \t", &save); w != NULL;
         w = strtok_r(NULL, " \t", &save)) {
        rl_grow(&words, &cap, nw + 1, sizeof *words);
        words[nw++] = w;
    }
    for (i = 0; i < g->n; i++) {
        struct hit h = { i, 0, 0 };
        bool all = true;

        for (j = 0; j < nw && all; j++) {
            size_t c = occurrences(g->e[i].hay, words[j]);

            all = c > 0;
            h.count += c;
            h.title += strstr(g->e[i].ltitle, words[j]) != NULL;
        }
        if (all)
            hits[k++] = h;
    }
    if (nw > 0)
        qsort(hits, k, sizeof *hits, hit_cmp);
    for (i = 0; i < k; i++)
        idx[i] = hits[i].i;
    free(hits);
    free(words);
    free(q);
    return k;
}

/* Rendering ------------------------------------------------------------ */

enum atom_kind { A_WORD, A_SPACE, A_BREAK };

/* A word is a run of non-space text, possibly in several styles. */
struct seg {
    char *text;   /* sanitized */
    int style;    /* rl_span_style flags */
    int width;    /* columns */
};

struct atom {
    enum atom_kind kind;
    struct seg *segs;    /* A_WORD only */
    size_t n, cap;       /* segs used / allocated */
    int width;           /* columns of the whole word */
    int style;           /* A_SPACE: style of the space */
};

enum frame_kind { F_QUOTE, F_LIST, F_ITEM };

/* One open container block; the prefix of a line is built from these. */
struct frame {
    enum frame_kind kind;
    bool tight;          /* F_LIST: items not separated by blank lines */
    bool ordered;        /* F_LIST: numbered */
    char delim;          /* F_LIST ordered: '.' or ')' */
    unsigned next;       /* F_LIST ordered: number of the next item */
    char marker[24];     /* F_ITEM: "• " or "12. " */
    int marker_w;        /* F_ITEM: its width in columns */
    bool marker_done;    /* F_ITEM: marker already shown on a line */
};

struct render {
    rl_doc *doc;          /* output being built */
    size_t cap;           /* lines allocated in doc */
    size_t sealed;        /* spans of the last line that are its prefix */
    int width;            /* columns per line, >= 2 */
    char *base;           /* absolute folder images are relative to */

    struct frame *st;     /* container stack, outermost first */
    size_t nst, capst;

    struct atom *atoms;   /* inline content of the current paragraph */
    size_t na, capa;
    bool word_open;       /* last atom is a word still growing */

    int bold, italic, code, link;   /* nesting depths of inline spans */
    int heading;          /* level of the heading being read, or 0 */
    bool need_gap;        /* a blank line is due before the next block */

    bool in_code;         /* inside a code block */
    rl_buf code_text;     /* its raw text */
    rl_buf link_text;     /* raw text of the current link */
    char *href;           /* destination of the current link */
    int img_depth;        /* inside an image's alt text */
    rl_buf alt;           /* raw alt text */
    char *img_src;        /* raw source of the current image */
};

static int
quote_depth(const struct render *r)
{
    size_t i;
    int q = 0;

    for (i = 0; i < r->nst; i++)
        q += r->st[i].kind == F_QUOTE;
    return q;
}

static int
cur_style(const struct render *r)
{
    int s = 0;

    if (r->bold > 0)
        s |= RL_SPAN_BOLD;
    if (r->italic > 0)
        s |= RL_SPAN_ITALIC;
    if (r->code > 0)
        s |= RL_SPAN_CODE;
    if (r->link > 0)
        s |= RL_SPAN_LINK;
    if (r->heading > 0)
        s |= RL_SPAN_HEADING;
    if (quote_depth(r) > 0)
        s |= RL_SPAN_QUOTE;
    return s;
}

/* Appends text to a line; with `merge`, joins the last span when it has
 * the same style. */
static void
span_add(rl_line *ln, const char *s, size_t n, int style, bool merge)
{
    rl_span *sp;
    size_t old;

    if (n == 0)
        return;
    if (merge && ln->n > 0 && ln->spans[ln->n - 1].style == style) {
        sp = &ln->spans[ln->n - 1];
        old = strlen(sp->text);
        sp->text = rl_xrealloc(sp->text, old + n + 1);
        memcpy(sp->text + old, s, n);
        sp->text[old + n] = '\0';
        return;
    }
    ln->spans = rl_xrealloc(ln->spans, (ln->n + 1) * sizeof *ln->spans);
    ln->spans[ln->n].text = rl_xstrndup(s, n);
    ln->spans[ln->n].style = style;
    ln->n++;
}

/* Adds `cols` blank columns: to the indent while the line has no span. */
static void
line_pad(rl_line *ln, int cols, int style)
{
    char sp[64];

    if (ln->n == 0) {
        ln->indent += cols;
        return;
    }
    while (cols > 0) {
        int k = cols < (int)sizeof sp ? cols : (int)sizeof sp;

        memset(sp, ' ', (size_t)k);
        span_add(ln, sp, (size_t)k, style, false);
        cols -= k;
    }
}

static int
line_width(const rl_line *ln)
{
    size_t i;
    int w = ln->indent;

    for (i = 0; i < ln->n; i++)
        w += rl_utf8_width(ln->spans[i].text);
    return w;
}

static void
line_clear(rl_line *ln)
{
    size_t i;

    for (i = 0; i < ln->n; i++)
        free(ln->spans[i].text);
    free(ln->spans);
    free(ln->image);
    memset(ln, 0, sizeof *ln);
}

/* Starts a line carrying the prefix of the open containers: quote bars,
 * list markers (shown once when `consume`) or their hanging indent. Stores
 * the columns left for content in *avail (at least 2). */
static rl_line *
line_new(struct render *r, bool consume, int *avail)
{
    rl_line *ln;
    size_t i;
    int q = 0, w, maxp = r->width - 2;

    rl_grow(&r->doc->lines, &r->cap, r->doc->n + 1, sizeof *r->doc->lines);
    ln = &r->doc->lines[r->doc->n++];
    memset(ln, 0, sizeof *ln);
    for (i = 0; i < r->nst; i++) {
        struct frame *f = &r->st[i];
        int style = q > 0 ? RL_SPAN_QUOTE : 0;

        if (f->kind == F_QUOTE) {
            span_add(ln, "│ ", strlen("│ "), RL_SPAN_QUOTE, false);
            q++;
        } else if (f->kind == F_ITEM && consume && !f->marker_done) {
            span_add(ln, f->marker, strlen(f->marker), style, false);
            f->marker_done = true;
        } else if (f->kind == F_ITEM) {
            line_pad(ln, f->marker_w, style);
        }
    }

    /* Deep nesting in a narrow panel: give up indentation, not content. */
    w = line_width(ln);
    if (w > maxp) {
        ln->indent -= w - maxp < ln->indent ? w - maxp : ln->indent;
        if (line_width(ln) > maxp) {
            line_clear(ln);
            ln->indent = maxp;
        }
    }
    ln->heading_level = r->heading;
    r->sealed = ln->n;
    *avail = r->width - line_width(ln);
    return ln;
}

/* Appends content to the last line; never merges into the prefix. */
static void
put(struct render *r, const char *s, size_t n, int style)
{
    rl_line *ln = &r->doc->lines[r->doc->n - 1];

    span_add(ln, s, n, style, ln->n > r->sealed);
}

/* A blank line; inside a quote it keeps the bar. */
static void
emit_blank(struct render *r)
{
    rl_line *ln;
    int avail;

    ln = line_new(r, false, &avail);
    ln->heading_level = 0;
    while (ln->n > 0) {
        rl_span *sp = &ln->spans[ln->n - 1];
        size_t k = strlen(sp->text);

        while (k > 0 && sp->text[k - 1] == ' ')
            k--;
        sp->text[k] = '\0';
        if (k > 0)
            break;
        free(sp->text);
        ln->n--;
    }
    if (ln->n == 0)
        ln->indent = 0;
}

static void
gap(struct render *r)
{
    if (r->need_gap && r->doc->n > 0)
        emit_blank(r);
    r->need_gap = false;
}

/* Inline content ------------------------------------------------------- */

static struct atom *
atom_push(struct render *r, enum atom_kind kind, int style)
{
    struct atom *a;

    rl_grow(&r->atoms, &r->capa, r->na + 1, sizeof *r->atoms);
    a = &r->atoms[r->na++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->style = style;
    return a;
}

static void
atoms_free(struct render *r)
{
    size_t i, j;

    for (i = 0; i < r->na; i++) {
        for (j = 0; j < r->atoms[i].n; j++)
            free(r->atoms[i].segs[j].text);
        free(r->atoms[i].segs);
    }
    r->na = 0;
    r->word_open = false;
}

/* Adds already-sanitized text in one style, split into words at spaces. */
static void
add_safe(struct render *r, const char *s, int style)
{
    while (*s != '\0') {
        size_t k = 0;

        if (*s == ' ') {
            while (s[k] == ' ')
                k++;
            if (r->na == 0 || r->atoms[r->na - 1].kind != A_SPACE)
                atom_push(r, A_SPACE, style);
            r->word_open = false;
        } else {
            struct atom *a;
            struct seg *sg;

            while (s[k] != '\0' && s[k] != ' ')
                k++;
            if (!r->word_open)
                atom_push(r, A_WORD, 0);
            a = &r->atoms[r->na - 1];
            rl_grow(&a->segs, &a->cap, a->n + 1, sizeof *a->segs);
            sg = &a->segs[a->n++];
            sg->text = rl_xstrndup(s, k);
            sg->style = style;
            sg->width = rl_utf8_width(sg->text);
            a->width += sg->width;
            r->word_open = true;
        }
        s += k;
    }
}

/* Adds raw text from the file: routed to alt or link buffers as needed,
 * sanitized, then split into words. */
static void
add_text(struct render *r, const char *s, size_t n, int style)
{
    char *raw, *safe;

    if (r->img_depth > 0) {
        rl_buf_add(&r->alt, s, n);
        return;
    }
    if (r->link > 0)
        rl_buf_add(&r->link_text, s, n);
    raw = rl_xstrndup(s, n);
    safe = rl_utf8_sanitize(raw);
    add_safe(r, safe, style);
    free(safe);
    free(raw);
}

static void
add_break(struct render *r)
{
    if (r->img_depth > 0) {
        rl_buf_addc(&r->alt, ' ');
        return;
    }
    atom_push(r, A_BREAK, 0);
    r->word_open = false;
}

/* Lays the pending words out as wrapped lines. */
static void
flush_para(struct render *r)
{
    bool open = false, space = false;
    int avail = 0, col = 0, space_style = 0;
    size_t i, j;

    if (r->na == 0)
        return;
    gap(r);
    for (i = 0; i < r->na; i++) {
        struct atom *a = &r->atoms[i];

        if (a->kind == A_SPACE) {
            if (open && col > 0) {
                space = true;
                space_style = a->style;
            }
            continue;
        }
        if (a->kind == A_BREAK) {
            if (!open)
                line_new(r, true, &avail);
            open = false;
            space = false;
            continue;
        }
        if (open && col > 0 && space) {
            if (col + 1 + a->width <= avail) {
                put(r, " ", 1, space_style);
                col++;
            } else {
                open = false;
            }
        }
        space = false;
        if (!open) {
            line_new(r, true, &avail);
            open = true;
            col = 0;
        }
        if (col + a->width <= avail) {
            for (j = 0; j < a->n; j++)
                put(r, a->segs[j].text, strlen(a->segs[j].text),
                    a->segs[j].style);
            col += a->width;
            continue;
        }

        /* Longer than a line: cut at character boundaries. */
        for (j = 0; j < a->n; j++) {
            const char *p = a->segs[j].text;

            while (*p != '\0') {
                size_t k = rl_utf8_fit(p, avail - col);

                if (k == 0 && col > 0) {
                    line_new(r, true, &avail);
                    col = 0;
                    continue;
                }
                if (k == 0) {            /* cannot happen with avail >= 2 */
                    uint32_t cp;

                    k = rl_utf8_decode(p, strlen(p), &cp);
                }
                put(r, p, k, a->segs[j].style);
                col += rl_utf8_width_n(p, k);
                p += k;
            }
        }
    }
    atoms_free(r);
}

/* Decodes an HTML entity as md4c reports it ("&amp;", "&#233;", "&#x1F;")
 * into `b`; unknown names are kept literally. */
static void
add_entity(rl_buf *b, const char *s, size_t n)
{
    static const struct { const char *name; uint32_t cp; } named[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&apos;", '\'' }, { "&nbsp;", 0xA0 },
        { "&copy;", 0xA9 }, { "&reg;", 0xAE }, { "&deg;", 0xB0 },
        { "&middot;", 0xB7 }, { "&times;", 0xD7 }, { "&ndash;", 0x2013 },
        { "&mdash;", 0x2014 }, { "&lsquo;", 0x2018 }, { "&rsquo;", 0x2019 },
        { "&ldquo;", 0x201C }, { "&rdquo;", 0x201D }, { "&bull;", 0x2022 },
        { "&hellip;", 0x2026 }, { "&larr;", 0x2190 }, { "&rarr;", 0x2192 },
    };
    size_t i;

    if (n >= 4 && s[1] == '#') {
        unsigned long cp = 0;
        bool hex = s[2] == 'x' || s[2] == 'X';

        for (i = hex ? 3 : 2; i < n - 1; i++) {
            int c = (unsigned char)s[i], d;

            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                break;
            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
            if (cp > 0x10FFFF)
                break;
        }
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        rl_utf8_encode(b, (uint32_t)cp);
        return;
    }
    for (i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0) {
            rl_utf8_encode(b, named[i].cp);
            return;
        }
    rl_buf_add(b, s, n);
}

/* An md4c attribute (link or image destination) as a plain string. */
static char *
attr_str(const MD_ATTRIBUTE *a)
{
    rl_buf b = {0};
    unsigned i;

    rl_buf_add(&b, "", 0);
    for (i = 0; a->substr_offsets[i] < a->size; i++) {
        const char *s = a->text + a->substr_offsets[i];
        size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];

        if (a->substr_types[i] == MD_TEXT_NULLCHAR)
            rl_utf8_encode(&b, 0xFFFD);
        else if (a->substr_types[i] == MD_TEXT_ENTITY)
            add_entity(&b, s, n);
        else
            rl_buf_add(&b, s, n);
    }
    return b.data;
}

/* Absolute path of an image source, or NULL when it is not a plain path
 * inside the guide's folder: absolute, a URL, "..", or unsafe text; or,
 * with *outside set, a symlink that leads out of the folder. */
static char *
resolve_image(const struct render *r, const char *src, bool *outside)
{
    const char *p = src;
    char *safe, *real;
    bool ok;

    if (*src == '\0' || *src == '/' || strchr(src, ':') != NULL)
        return NULL;
    while (*p != '\0') {
        size_t k = strcspn(p, "/");

        if (k == 2 && p[0] == '.' && p[1] == '.')
            return NULL;
        p += k + (p[k] == '/');
    }
    safe = rl_utf8_sanitize(src);
    ok = strcmp(safe, src) == 0;
    free(safe);
    if (!ok)
        return NULL;
    /* Through a symlink it must still be in the folder (README): the
     * real path is what gets drawn. */
    safe = rl_xasprintf("%s/%s", r->base, src);
    if ((real = realpath(safe, NULL)) == NULL)
        return safe;               /* missing: the load says so */
    free(real);
    real = rl_file_inside(safe, r->base);
    free(safe);
    *outside = real == NULL;
    return real;
}

static void
emit_image(struct render *r)
{
    char *alt = rl_utf8_sanitize(rl_buf_str(&r->alt));
    bool outside = false;
    char *path = resolve_image(r, r->img_src != NULL ? r->img_src : "",
                               &outside);
    char *text;
    rl_line *ln;
    int avail, style = cur_style(r);

    flush_para(r);
    gap(r);
    ln = line_new(r, true, &avail);
    if (path != NULL) {
        ln->image = path;
        text = rl_xstrdup(*alt != '\0' ? alt : "[image]");
    } else {
        text = rl_xasprintf(outside ? "[image outside the guide folder: %s]"
                            : "[image: %s]", alt);
    }
    put(r, text, rl_utf8_fit(text, avail), style);
    free(text);
    free(alt);
    free(r->img_src);
    r->img_src = NULL;
    rl_buf_reset(&r->alt);
}

static void
emit_code(struct render *r)
{
    const char *s = rl_buf_str(&r->code_text), *e;
    int style = RL_SPAN_CODE | (quote_depth(r) > 0 ? RL_SPAN_QUOTE : 0);

    gap(r);
    while (*s != '\0') {
        rl_buf line = {0};
        rl_line *ln;
        char *safe;
        const char *c;
        int avail, col = 0;

        e = strchr(s, '\n');
        if (e == NULL)
            e = s + strlen(s);

        /* Expand tabs before sanitizing, which would show them as \t. */
        rl_buf_add(&line, "", 0);
        for (c = s; c < e; c++) {
            if (*c == '\t') {
                do
                    rl_buf_addc(&line, ' ');
                while (++col % 4 != 0);
            } else {
                rl_buf_addc(&line, *c);
                col++;
            }
        }
        safe = rl_utf8_sanitize(rl_buf_str(&line));
        ln = line_new(r, true, &avail);
        if (avail > CODE_INDENT + 1) {
            line_pad(ln, CODE_INDENT, style & RL_SPAN_QUOTE);
            avail -= CODE_INDENT;
        }
        r->sealed = ln->n;
        put(r, safe, rl_utf8_fit(safe, avail), style);
        free(safe);
        rl_buf_free(&line);
        s = *e == '\n' ? e + 1 : e;
    }
    rl_buf_reset(&r->code_text);
}

static void
emit_rule(struct render *r)
{
    rl_buf b = {0};
    int avail, i;

    gap(r);
    line_new(r, true, &avail);
    for (i = 0; i < avail; i++)
        rl_buf_adds(&b, "─");
    put(r, rl_buf_str(&b), b.len, quote_depth(r) ? RL_SPAN_QUOTE : 0);
    rl_buf_free(&b);
}

/* md4c callbacks ------------------------------------------------------- */

static struct frame *
push(struct render *r, enum frame_kind kind)
{
    struct frame *f;

    rl_grow(&r->st, &r->capst, r->nst + 1, sizeof *r->st);
    f = &r->st[r->nst++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    return f;
}

/* The innermost open list, or NULL. */
static struct frame *
innermost_list(struct render *r)
{
    size_t i = r->nst;

    while (i-- > 0)
        if (r->st[i].kind == F_LIST)
            return &r->st[i];
    return NULL;
}

static int
on_enter_block(MD_BLOCKTYPE type, void *detail, void *u)
{
    struct render *r = u;
    struct frame *f, *list;

    flush_para(r);
    switch (type) {
    case MD_BLOCK_QUOTE:
        gap(r);
        push(r, F_QUOTE);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        gap(r);
        f = push(r, F_LIST);
        f->ordered = type == MD_BLOCK_OL;
        if (f->ordered) {
            const MD_BLOCK_OL_DETAIL *d = detail;

            f->tight = d->is_tight != 0;
            f->next = d->start;
            f->delim = d->mark_delimiter;
        } else {
            f->tight = ((const MD_BLOCK_UL_DETAIL *)detail)->is_tight != 0;
        }
        break;
    case MD_BLOCK_LI:
        f = push(r, F_ITEM);
        list = innermost_list(r);   /* after push, which may move r->st */
        if (list != NULL && list->ordered)
            snprintf(f->marker, sizeof f->marker, "%u%c ", list->next++,
                     list->delim);
        else
            snprintf(f->marker, sizeof f->marker, "• ");
        f->marker_w = rl_utf8_width(f->marker);
        break;
    case MD_BLOCK_HR:
        emit_rule(r);
        r->need_gap = true;
        break;
    case MD_BLOCK_H:
        r->heading = (int)((const MD_BLOCK_H_DETAIL *)detail)->level;
        break;
    case MD_BLOCK_CODE:
        r->in_code = true;
        rl_buf_reset(&r->code_text);
        break;
    default:
        break;
    }
    return 0;
}

static int
on_leave_block(MD_BLOCKTYPE type, void *detail, void *u)
{
    struct render *r = u;
    struct frame *list;

    (void)detail;
    flush_para(r);
    switch (type) {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_LI:
        r->nst--;
        r->need_gap |= type == MD_BLOCK_QUOTE;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        r->nst--;
        /* A list nested in a tight item runs on into the next item. */
        list = innermost_list(r);
        r->need_gap = list == NULL || !list->tight;
        break;
    case MD_BLOCK_H:
        r->heading = 0;
        emit_blank(r);
        r->need_gap = false;
        break;
    case MD_BLOCK_CODE:
        emit_code(r);
        r->in_code = false;
        r->need_gap = true;
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_HTML:
    case MD_BLOCK_TABLE:
        r->need_gap = true;
        break;
    default:
        break;
    }
    return 0;
}

static int
on_enter_span(MD_SPANTYPE type, void *detail, void *u)
{
    struct render *r = u;

    switch (type) {
    case MD_SPAN_EM:
        r->italic++;
        break;
    case MD_SPAN_STRONG:
        r->bold++;
        break;
    case MD_SPAN_CODE:
        r->code++;
        break;
    case MD_SPAN_A:
        if (r->img_depth > 0)
            break;
        r->link++;
        free(r->href);
        r->href = attr_str(&((const MD_SPAN_A_DETAIL *)detail)->href);
        rl_buf_reset(&r->link_text);
        break;
    case MD_SPAN_IMG:
        if (r->img_depth++ == 0)
            r->img_src = attr_str(&((const MD_SPAN_IMG_DETAIL *)detail)->src);
        break;
    default:
        break;
    }
    return 0;
}

static int
on_leave_span(MD_SPANTYPE type, void *detail, void *u)
{
    struct render *r = u;
    const char *text;
    char *url;

    (void)detail;
    switch (type) {
    case MD_SPAN_EM:
        r->italic--;
        break;
    case MD_SPAN_STRONG:
        r->bold--;
        break;
    case MD_SPAN_CODE:
        r->code--;
        break;
    case MD_SPAN_A:
        if (r->img_depth > 0 || r->link == 0)
            break;
        r->link--;
        text = rl_buf_str(&r->link_text);
        if (r->href != NULL && *r->href != '\0'
            && strcmp(text, r->href) != 0
            && !(rl_starts_with(r->href, "mailto:")
                 && strcmp(text, r->href + 7) == 0)) {
            int keep = cur_style(r) & (RL_SPAN_QUOTE | RL_SPAN_HEADING);

            add_safe(r, " ", keep);
            url = rl_xasprintf("<%s>", r->href);
            add_text(r, url, strlen(url), RL_SPAN_URL | keep);
            free(url);
        }
        free(r->href);
        r->href = NULL;
        break;
    case MD_SPAN_IMG:
        if (--r->img_depth == 0)
            emit_image(r);
        break;
    default:
        break;
    }
    return 0;
}

static int
on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *u)
{
    struct render *r = u;
    rl_buf b = {0};
    size_t i;

    switch (type) {
    case MD_TEXT_NULLCHAR:
        if (r->in_code)
            rl_buf_adds(&r->code_text, "\xEF\xBF\xBD");
        else
            add_text(r, "\xEF\xBF\xBD", 3, cur_style(r));
        break;
    case MD_TEXT_BR:
        add_break(r);
        break;
    case MD_TEXT_SOFTBR:
        add_text(r, " ", 1, cur_style(r));
        break;
    case MD_TEXT_ENTITY:
        add_entity(&b, text, size);
        add_text(r, b.data, b.len, cur_style(r));
        break;
    case MD_TEXT_CODE:
        if (r->in_code) {
            rl_buf_add(&r->code_text, text, size);
            break;
        }
        /* A code span may cross a line end; show it as a space. */
        rl_buf_add(&b, text, size);
        for (i = 0; i < b.len; i++)
            if (b.data[i] == '\n')
                b.data[i] = ' ';
        add_text(r, b.data, b.len, cur_style(r));
        break;
    default:
        add_text(r, text, size, cur_style(r));
        break;
    }
    rl_buf_free(&b);
    return 0;
}

/* Absolute form of `dir` ("." when NULL), without touching the file. */
static char *
absolute_dir(const char *dir)
{
    char *real, cwd[4096];

    if (dir == NULL || *dir == '\0')
        dir = ".";
    real = realpath(dir, NULL);
    if (real != NULL)
        return real;
    if (dir[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
        return rl_xstrdup(dir);
    return rl_xasprintf("%s/%s", cwd, dir);
}

rl_doc *
rl_guide_render(const char *markdown, size_t len, const char *base_dir,
                int width, rl_err *err)
{
    struct render r = {0};
    MD_PARSER p = {0};
    size_t off = body_offset(markdown, len);
    char *body;
    int rc;

    if (len - off > (MD_SIZE)-1) {
        rl_err_set(err, RL_E_RANGE, "guide text too large");
        return NULL;
    }
    r.doc = rl_xcalloc(1, sizeof *r.doc);
    r.width = width < 2 ? 2 : width;
    r.base = absolute_dir(base_dir);
    p.abi_version = 0;
    p.flags = MD_FLAG_COLLAPSEWHITESPACE | MD_FLAG_NOHTML;
    p.enter_block = on_enter_block;
    p.leave_block = on_leave_block;
    p.enter_span = on_enter_span;
    p.leave_span = on_leave_span;
    p.text = on_text;
    /* md4c 0.4.8 can read one byte past the end (found: an image whose
     * destination runs to the end of the text; later md4c fixed reads of
     * this kind, e.g. mity/md4c#167) and crashes if that byte is ')':
     * parse a copy that ends in a NUL. */
    body = rl_xmalloc(len - off + 1);
    memcpy(body, markdown + off, len - off);
    body[len - off] = '\0';
    rc = md_parse(body, (MD_SIZE)(len - off), &p, &r);
    free(body);
    flush_para(&r);

    atoms_free(&r);
    free(r.atoms);
    free(r.st);
    free(r.base);
    free(r.href);
    free(r.img_src);
    rl_buf_free(&r.code_text);
    rl_buf_free(&r.link_text);
    rl_buf_free(&r.alt);
    if (rc != 0) {
        rl_err_set(err, RL_E_PARSE, "Markdown parser failed (%d)", rc);
        rl_doc_free(r.doc);
        return NULL;
    }
    return r.doc;
}

rl_doc *
rl_guide_render_file(const char *path, int width, rl_err *err)
{
    char *shown = rl_utf8_sanitize(path), *text, *dir, *slash;
    size_t len = 0;
    rl_doc *d = NULL;

    text = slurp(path, NULL, shown, &len, err);
    if (text != NULL) {
        dir = rl_xstrdup(path);
        slash = strrchr(dir, '/');
        if (slash == NULL)
            strcpy(dir, ".");
        else if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        d = rl_guide_render(text, len, dir, width, err);
        if (d == NULL)
            rl_err_prefix(err, "%s", shown);
        free(dir);
    }
    free(text);
    free(shown);
    return d;
}

void
rl_doc_free(rl_doc *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; i++)
        line_clear(&d->lines[i]);
    free(d->lines);
    free(d);
}
