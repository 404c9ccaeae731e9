/* csv.c - streaming CSV / TSV reader and field writer.
 *
 * The reader owns one input window (`buf`: a RL_CSV_BUFSZ read buffer, or
 * the caller's memory) and one record buffer (`rec`) into which the fields
 * of the current record are copied back to back, each NUL-terminated;
 * `fld` holds their offsets. Both are reused from record to record, so a
 * whole file costs a handful of allocations. Runs of ordinary bytes are
 * found with a per-reader stop table and copied in one go; only the bytes
 * that matter (separator, quote, CR, LF, NUL) are handled one at a time.
 *
 * Invariants: `pos <= len`; `line` is the physical line of the byte at
 * `pos`; once `failed` is set `last` holds the message every later call
 * reports. */
#include "relabel/csv.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/err.h"
#include "relabel/util.h"

struct fld {
    size_t off;                 /* start of the field in rec.data */
    size_t len;                 /* bytes, excluding the NUL */
    bool ascii;                 /* no byte >= 0x80: UTF-8 check skipped */
};

struct rl_csv {
    char *name;                 /* path or caller's name, for messages */
    rl_csv_opts opts;           /* separator and quoting mode */
    FILE *fp;                   /* NULL when reading memory */
    char *fbuf;                 /* owned read buffer (file mode only) */
    const char *buf;            /* current input window */
    size_t len;                 /* bytes valid in buf */
    size_t pos;                 /* next unread byte in buf */
    bool eof;                   /* no more input beyond buf */
    bool started;               /* first window seen (BOM handled) */
    long line;                  /* physical line at pos, 1-based */
    long rec_line;              /* line where the current record starts */
    unsigned char hi;           /* OR of the current field's bytes */
    rl_buf rec;                 /* current record's fields, NUL-separated */
    struct fld *fld;            /* field offsets into rec */
    size_t nf, fcap;            /* fields in the record, fld capacity */
    char **hdr;                 /* trimmed header names, owned */
    size_t nh;                  /* header columns; 0 without a header */
    bool has_hdr;               /* rl_csv_header() succeeded */
    bool read_any;              /* a record has been read */
    bool failed;                /* an error was reported; reader is spent */
    rl_err last;                /* that error, repeated by later calls */
    unsigned char stop_u[256];  /* bytes ending a run in unquoted fields */
    unsigned char stop_q[256];  /* bytes ending a run in quoted fields */
};

static const rl_csv_opts csv_defaults = { ',', true };

/* Records an error as "NAME:LINE: what" (or "NAME: what" when line is 0)
 * and marks the reader spent. Always returns -1. */
static int __attribute__((format(printf, 4, 5)))
fail(rl_csv *c, rl_errcode code, long line, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0)
        rl_err_set(&c->last, code, "%s:%ld: %s", c->name, line, what);
    else
        rl_err_set(&c->last, code, "%s: %s", c->name, what);
    c->failed = true;
    c->nf = 0;
    return -1;
}

/* Writes "NAME" or the 1-based column number for column `i` into `tmp`. */
static const char *
colref(const rl_csv *c, size_t i, char *tmp, size_t size)
{
    if (c->has_hdr && i < c->nh && c->hdr[i][0] != '\0')
        return c->hdr[i];
    snprintf(tmp, size, "%zu", i + 1);
    return tmp;
}

/* Fails for field `i` with "column NAME: what". */
static int __attribute__((format(printf, 5, 6)))
fail_col(rl_csv *c, long line, size_t i, rl_errcode code,
         const char *fmt, ...)
{
    char what[200], tmp[32];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fail(c, code, line, "column %s: %s",
                colref(c, i, tmp, sizeof tmp), what);
}

static void
init_common(rl_csv *c, const char *name, const rl_csv_opts *opts)
{
    c->name = rl_xstrdup(name);
    c->opts = opts ? *opts : csv_defaults;
    assert(c->opts.sep != '"' && c->opts.sep != '\r'
           && c->opts.sep != '\n' && c->opts.sep != '\0');
    c->line = 1;

    /* NUL is always a stop so it can be reported; CR and LF stop quoted
     * runs too, to count lines. */
    c->stop_u[(unsigned char)c->opts.sep] = 1;
    c->stop_u['\r'] = c->stop_u['\n'] = c->stop_u['\0'] = 1;
    c->stop_q['"'] = c->stop_q['\r'] = c->stop_q['\n'] = 1;
    c->stop_q['\0'] = 1;
    if (c->opts.quotes)
        c->stop_u['"'] = 1;
}

/* Drops a UTF-8 BOM at the start of the first window. A read of
 * RL_CSV_BUFSZ returns fewer than 3 bytes only at end of file. */
static void
skip_bom(rl_csv *c)
{
    c->started = true;
    if (c->len - c->pos >= 3 && memcmp(c->buf + c->pos, "\xEF\xBB\xBF", 3) == 0)
        c->pos += 3;
}

rl_csv *
rl_csv_open(const char *path, const rl_csv_opts *opts, rl_err *err)
{
    struct stat st;
    rl_csv *c;
    FILE *fp;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    /* fopen() accepts a directory on Linux; only read() would fail. */
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        rl_err_set(err, RL_E_IO, "%s: %s", path, strerror(EISDIR));
        return NULL;
    }
    setvbuf(fp, NULL, _IONBF, 0);     /* we buffer; skip stdio's copy */

    c = rl_xcalloc(1, sizeof *c);
    init_common(c, path, opts);
    c->fp = fp;
    c->fbuf = rl_xmalloc(RL_CSV_BUFSZ);
    c->buf = c->fbuf;
    return c;
}

rl_csv *
rl_csv_open_mem(const char *data, size_t n, const char *name,
                const rl_csv_opts *opts)
{
    rl_csv *c = rl_xcalloc(1, sizeof *c);

    init_common(c, name ? name : "<memory>", opts);
    c->buf = n > 0 ? data : "";
    c->len = n;
    c->eof = true;
    skip_bom(c);
    return c;
}

void
rl_csv_close(rl_csv *c)
{
    if (c == NULL)
        return;
    if (c->fp != NULL)
        fclose(c->fp);
    for (size_t i = 0; i < c->nh; i++)
        free(c->hdr[i]);
    free(c->hdr);
    free(c->fbuf);
    free(c->fld);
    rl_buf_free(&c->rec);
    free(c->name);
    free(c);
}

/* Makes input available at pos: 1, 0 at end of input, -1 on read error. */
static int
refill(rl_csv *c)
{
    size_t n;

    if (c->pos < c->len)
        return 1;
    if (c->eof)
        return 0;
    n = fread(c->fbuf, 1, RL_CSV_BUFSZ, c->fp);
    if (ferror(c->fp))      /* even after a partial read: never truncate */
        return fail(c, RL_E_IO, c->line, "read error: %s", strerror(errno));
    if (n < RL_CSV_BUFSZ)
        c->eof = true;
    c->len = n;
    c->pos = 0;
    if (!c->started)
        skip_bom(c);
    return c->pos < c->len;
}

/* The byte at pos without consuming it: 0..255, -1 at end, -2 on error. */
static inline int
peekc(rl_csv *c)
{
    if (c->pos == c->len) {
        int r = refill(c);

        if (r <= 0)
            return r < 0 ? -2 : -1;
    }
    return (unsigned char)c->buf[c->pos];
}

/* Copies `n` input bytes into the current field, enforcing the limits. */
static inline int
put(rl_csv *c, size_t start, const char *p, size_t n)
{
    if (c->rec.len - start + n > RL_CSV_MAX_FIELD)
        return fail_col(c, c->rec_line, c->nf, RL_E_PARSE,
                        "field longer than %d bytes", RL_CSV_MAX_FIELD);
    if (c->rec.len + n > RL_CSV_MAX_RECORD)
        return fail(c, RL_E_PARSE, c->rec_line,
                    "record longer than %d bytes", RL_CSV_MAX_RECORD);
    if (c->rec.len + n + 1 > c->rec.cap)
        rl_grow(&c->rec.data, &c->rec.cap, c->rec.len + n + 1, 1);
    memcpy(c->rec.data + c->rec.len, p, n);
    c->rec.len += n;
    return 0;
}

/* Copies the bytes from pos up to the first `stop` byte of the window
 * into the field and returns a pointer to that byte (or to the window's
 * end); NULL when the field grew too long. */
static const unsigned char *
take_run(rl_csv *c, size_t start, const unsigned char *stop)
{
    const unsigned char *p = (const unsigned char *)c->buf + c->pos;
    const unsigned char *e = (const unsigned char *)c->buf + c->len, *q;
    unsigned char hi = 0;

    for (q = p; q < e && !stop[*q]; q++)
        hi |= *q;
    c->hi |= hi;
    if (q > p && put(c, start, (const char *)p, (size_t)(q - p)) != 0)
        return NULL;
    c->pos += (size_t)(q - p);
    return q;
}

/* Reads an unquoted field up to (not including) its terminator. Returns
 * the terminator (separator, CR, LF, -1 for end of input) or -2. */
static int
unquoted(rl_csv *c, size_t start)
{
    const unsigned char *stop = c->stop_u;

    for (;;) {
        const unsigned char *q;
        int ch = peekc(c);

        if (ch < 0)
            return ch;
        if ((q = take_run(c, start, stop)) == NULL)
            return -2;
        if (q == (const unsigned char *)c->buf + c->len)
            continue;
        if (*q == '"') {
            fail_col(c, c->rec_line, c->nf, RL_E_PARSE,
                     "stray quote in unquoted field");
            return -2;
        }
        if (*q == '\0') {
            fail_col(c, c->rec_line, c->nf, RL_E_PARSE, "NUL byte in field");
            return -2;
        }
        return *q;
    }
}

/* Reads a quoted field, pos at the opening quote, and returns the byte
 * after the closing quote (as unquoted() does) or -2. */
static int
quoted(rl_csv *c, size_t start)
{
    const unsigned char *stop = c->stop_q;
    long qline = c->line;
    int ch;
    char b;

    c->pos++;
    for (;;) {
        const unsigned char *q;

        ch = peekc(c);
        if (ch == -2)
            return -2;
        if (ch == -1) {
            fail_col(c, qline, c->nf, RL_E_PARSE,
                     "unterminated quoted field");
            return -2;
        }
        if ((q = take_run(c, start, stop)) == NULL)
            return -2;
        if (q == (const unsigned char *)c->buf + c->len)
            continue;

        /* Copy the byte now: peekc() below may refill the window. */
        b = (char)*q;
        c->pos++;
        switch (b) {
        case '"':
            ch = peekc(c);
            if (ch != '"')
                goto closed;
            c->pos++;
            break;
        case '\n':
            /* CRLF is one line break; its CR was counted already. */
            if (c->rec.len == start || c->rec.data[c->rec.len - 1] != '\r')
                c->line++;
            break;
        case '\r':
            c->line++;
            break;
        default:
            fail_col(c, c->rec_line, c->nf, RL_E_PARSE, "NUL byte in field");
            return -2;
        }
        if (put(c, start, &b, 1) != 0)
            return -2;
    }

closed:
    if (ch == -2 || ch == -1 || ch == c->opts.sep || ch == '\r' || ch == '\n')
        return ch;
    if (ch >= 0x20 && ch < 0x7f)
        fail_col(c, c->rec_line, c->nf, RL_E_PARSE,
                 "unexpected '%c' after closing quote", ch);
    else
        fail_col(c, c->rec_line, c->nf, RL_E_PARSE,
                 "unexpected byte 0x%02x after closing quote", ch);
    return -2;
}

/* Consumes a line end (CR, LF or CRLF) at pos. 0 or -1. */
static int
eat_eol(rl_csv *c)
{
    int ch = peekc(c);

    c->pos++;
    c->line++;
    if (ch == '\r') {
        ch = peekc(c);
        if (ch == -2)
            return -1;
        if (ch == '\n')
            c->pos++;
    }
    return 0;
}

/* Parses one record into rec/fld: 1, 0 at end of input, -1 (c->last). */
static int
read_record(rl_csv *c)
{
    int ch;

    rl_buf_reset(&c->rec);
    c->nf = 0;

    /* Zero-length lines are not records. */
    for (;;) {
        ch = peekc(c);
        if (ch == -2)
            return -1;
        if (ch == -1)
            return 0;
        if (ch != '\r' && ch != '\n')
            break;
        if (eat_eol(c) != 0)
            return -1;
    }
    c->rec_line = c->line;
    c->read_any = true;

    for (;;) {
        size_t start = c->rec.len;

        if (c->nf == RL_CSV_MAX_FIELDS)
            return fail(c, RL_E_PARSE, c->rec_line, "more than %d fields",
                        RL_CSV_MAX_FIELDS);
        c->hi = 0;
        ch = peekc(c);
        if (ch == '"' && c->opts.quotes)
            ch = quoted(c, start);
        else if (ch >= 0)
            ch = unquoted(c, start);
        if (ch == -2)
            return -1;

        rl_grow(&c->fld, &c->fcap, c->nf + 1, sizeof *c->fld);
        c->fld[c->nf].off = start;
        c->fld[c->nf].len = c->rec.len - start;
        c->fld[c->nf].ascii = c->hi < 0x80;
        c->nf++;
        if (c->rec.len + 1 > c->rec.cap)      /* empty field: no put() */
            rl_grow(&c->rec.data, &c->rec.cap, c->rec.len + 1, 1);
        c->rec.data[c->rec.len++] = '\0';

        if (ch == -1)
            return 1;
        if (ch == c->opts.sep) {
            c->pos++;
            continue;
        }
        return eat_eol(c) == 0 ? 1 : -1;
    }
}

/* Field count against the header, then UTF-8 of every field. */
static int
check_record(rl_csv *c)
{
    size_t nf = c->nf;

    if (c->has_hdr && nf != c->nh)
        return fail(c, RL_E_PARSE, c->rec_line,
                    "expected %zu field%s, found %zu",
                    c->nh, c->nh == 1 ? "" : "s", nf);
    for (size_t i = 0; i < nf; i++)
        if (!c->fld[i].ascii
            && !rl_utf8_valid(c->rec.data + c->fld[i].off, c->fld[i].len))
            return fail_col(c, c->rec_line, i, RL_E_PARSE,
                            "not valid UTF-8");
    return 0;
}

/* Copies the reader's stored error into `err`; returns -1. */
static int
report(const rl_csv *c, rl_err *err)
{
    if (err != NULL)
        *err = c->last;
    return -1;
}

int
rl_csv_header(rl_csv *c, rl_err *err)
{
    int r;

    if (c->failed)
        return report(c, err);
    if (c->read_any || c->has_hdr) {
        rl_err_set(err, RL_E_USAGE, "%s: header must be read first",
                   c->name);
        return -1;
    }
    r = read_record(c);
    if (r == 0)
        fail(c, RL_E_PARSE, 0, "empty file, expected a header line");
    if (r <= 0 || check_record(c) != 0)
        return report(c, err);

    c->hdr = rl_xcalloc(c->nf, sizeof *c->hdr);
    for (size_t i = 0; i < c->nf; i++) {
        const char *s = rl_csv_field(c, i);
        size_t n = rl_csv_field_len(c, i);

        while (n > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        c->hdr[i] = rl_xstrndup(s, n);
        c->nh = i + 1;     /* close() frees what exists so far */
    }
    for (size_t i = 0; i < c->nh; i++) {
        if (c->hdr[i][0] == '\0')
            continue;
        for (size_t j = 0; j < i; j++) {
            if (rl_strcasecmp(c->hdr[i], c->hdr[j]) == 0) {
                fail(c, RL_E_PARSE, c->rec_line,
                     "column %s: duplicate column name (also column %zu)",
                     c->hdr[i], j + 1);
                return report(c, err);
            }
        }
    }
    c->has_hdr = true;
    return 0;
}

int
rl_csv_col(const rl_csv *c, const char *name)
{
    if (name == NULL || name[0] == '\0' || !c->has_hdr)
        return -1;
    for (size_t i = 0; i < c->nh; i++)
        if (rl_strcasecmp(c->hdr[i], name) == 0)
            return (int)i;
    return -1;
}

const char *
rl_csv_colname(const rl_csv *c, size_t i)
{
    return c->has_hdr && i < c->nh ? c->hdr[i] : NULL;
}

size_t
rl_csv_ncols(const rl_csv *c)
{
    return c->has_hdr ? c->nh : 0;
}

int
rl_csv_next(rl_csv *c, rl_err *err)
{
    int r;

    if (c->failed)
        return report(c, err);
    r = read_record(c);
    if (r == 1 && check_record(c) != 0)
        r = -1;
    if (r < 0)
        return report(c, err);
    return r;
}

size_t
rl_csv_nfields(const rl_csv *c)
{
    return c->nf;
}

const char *
rl_csv_field(const rl_csv *c, size_t i)
{
    return i < c->nf ? c->rec.data + c->fld[i].off : "";
}

size_t
rl_csv_field_len(const rl_csv *c, size_t i)
{
    return i < c->nf ? c->fld[i].len : 0;
}

long
rl_csv_line(const rl_csv *c)
{
    return c->read_any ? c->rec_line : 0;
}

const char *
rl_csv_name(const rl_csv *c)
{
    return c->name;
}

/* Writer ----------------------------------------------------------- */

void
rl_csv_write_field(rl_buf *out, const char *s, char sep)
{
    size_t n;
    bool q;

    if (s == NULL)
        s = "";
    n = strlen(s);
    q = n > 0 && (s[0] == ' ' || s[0] == '\t'
                  || s[n - 1] == ' ' || s[n - 1] == '\t');
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!q) {
        rl_buf_add(out, s, n);
        return;
    }

    rl_buf_addc(out, '"');
    for (const char *p = s, *e; *p != '\0'; p = e + 1) {
        e = strchr(p, '"');
        if (e == NULL) {
            rl_buf_adds(out, p);
            break;
        }
        rl_buf_add(out, p, (size_t)(e - p));
        rl_buf_add(out, "\"\"", 2);
    }
    rl_buf_addc(out, '"');
}

void
rl_csv_write_row(rl_buf *out, const char *const *fields, size_t n, char sep)
{
    if (n == 1 && (fields[0] == NULL || fields[0][0] == '\0')) {
        rl_buf_adds(out, "\"\"\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            rl_buf_addc(out, sep);
        rl_csv_write_field(out, fields[i], sep);
    }
    rl_buf_addc(out, '\n');
}
