/* test_csv.c - the CSV/TSV reader and writer: quoting, line ends, BOM,
 * header lookup, every error message, window boundaries, round trips. */
#include "relabel/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/err.h"
#include "relabel/util.h"
#include "t.h"

#ifndef RL_TEST_DATA
#define RL_TEST_DATA "tests/data"
#endif
#ifndef RL_SHARED_DATA
#define RL_SHARED_DATA "../shared/data"
#endif

static const rl_csv_opts tsv_plain = { '\t', false };
static const rl_csv_opts tsv_quoted = { '\t', true };

static rl_buf dumped;

/* Renders every record of reader `c` as "LINE:f1|f2|...\n"; an error ends
 * the text as "!MESSAGE". Closes `c`. Borrowed result, valid until the
 * next call. */
static const char *
dump_reader(rl_csv *c, bool header)
{
    rl_err err;
    int r;

    rl_buf_reset(&dumped);
    rl_buf_adds(&dumped, "");
    if (header && rl_csv_header(c, &err) != 0) {
        rl_buf_printf(&dumped, "!%s", err.msg);
        goto out;
    }
    while ((r = rl_csv_next(c, &err)) == 1) {
        rl_buf_printf(&dumped, "%ld:", rl_csv_line(c));
        for (size_t i = 0; i < rl_csv_nfields(c); i++) {
            if (i > 0)
                rl_buf_addc(&dumped, '|');
            rl_buf_adds(&dumped, rl_csv_field(c, i));
        }
        rl_buf_addc(&dumped, '\n');
    }
    if (r < 0)
        rl_buf_printf(&dumped, "!%s", err.msg);
out:
    rl_csv_close(c);
    return rl_buf_str(&dumped);
}

/* dump_reader() over an in-memory text named "t.csv". */
static const char *
dump(const char *s, const rl_csv_opts *o, bool header)
{
    return dump_reader(rl_csv_open_mem(s, strlen(s), "t.csv", o), header);
}

/* Same, for text holding NUL bytes. */
static const char *
dumpn(const char *s, size_t n, bool header)
{
    return dump_reader(rl_csv_open_mem(s, n, "t.csv", NULL), header);
}

/* Writes `n` bytes to a new temporary file; returns its path (static). */
static const char *
write_temp(const char *data, size_t n)
{
    static char path[64];
    FILE *fp;
    int fd;

    snprintf(path, sizeof path, "/tmp/rl_test_csv_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    fp = fdopen(fd, "wb");
    if (fp == NULL || fwrite(data, 1, n, fp) != n) {
        if (fp != NULL)
            fclose(fp);
        return NULL;
    }
    fclose(fp);
    return path;
}

/* Dumps a temporary file holding `data` (read through the file path, so
 * the read window is RL_CSV_BUFSZ). */
static const char *
dump_file(const rl_buf *data)
{
    const char *path = write_temp(data->data, data->len);
    rl_err err;
    rl_csv *c;

    if (path == NULL)
        return "!cannot write temp file";
    c = rl_csv_open(path, NULL, &err);
    unlink(path);
    if (c == NULL)
        return "!open failed";
    return dump_reader(c, false);
}

static void
test_basic(void)
{
    is_str(dump("a,b,c\n1,2,3\n", NULL, false), "1:a|b|c\n2:1|2|3\n",
           "plain records");
    is_str(dump("\"a\",\"b c\",d\n", NULL, false), "1:a|b c|d\n",
           "quoted fields");
    is_str(dump("\"he said \"\"hi\"\"\",\"\"\"\"\n", NULL, false),
           "1:he said \"hi\"|\"\n", "doubled quotes");
    is_str(dump("\"x,y\",z\n", NULL, false), "1:x,y|z\n",
           "embedded separator");
    is_str(dump("\"one\ntwo\",b\nc,d\n", NULL, false),
           "1:one\ntwo|b\n3:c|d\n", "embedded LF, next record on line 3");
    is_str(dump("\"one\r\ntwo\r\nthree\",b\r\nc,d\r\n", NULL, false),
           "1:one\r\ntwo\r\nthree|b\n4:c|d\n",
           "embedded CRLF kept verbatim, counted as one line each");
    is_str(dump("\"one\rtwo\",b\nc,d\n", NULL, false),
           "1:one\rtwo|b\n3:c|d\n", "embedded lone CR kept");
    is_str(dump("a,b\r\nc,d\r\n", NULL, false), "1:a|b\n2:c|d\n",
           "CRLF file");
    is_str(dump("a,b\rc,d\r", NULL, false), "1:a|b\n2:c|d\n",
           "lone CR ends records");
    is_str(dump("\xEF\xBB\xBF" "a,b\n\xEF\xBB\xBF" "c,d\n", NULL, false),
           "1:a|b\n2:\xEF\xBB\xBF" "c|d\n",
           "BOM skipped at start only");
    is_str(dump("\xEF\xBB\xBF\"q\",b\n", NULL, false), "1:q|b\n",
           "BOM before a quoted field");
    is_str(dump("a,b\nc,d", NULL, false), "1:a|b\n2:c|d\n",
           "last record without newline");
    is_str(dump("a,\"b\"", NULL, false), "1:a|b\n",
           "quoted last field without newline");
    is_str(dump("\n\na,b\n\r\n\n\rc,d\n\n", NULL, false),
           "3:a|b\n7:c|d\n", "blank lines skipped but counted");
    is_str(dump(",,\n,\n", NULL, false), "1:||\n2:|\n",
           "separator-only lines are records of empty fields");
    is_str(dump("a,b,\n", NULL, false), "1:a|b|\n", "trailing empty field");
    is_str(dump("a,b,", NULL, false), "1:a|b|\n",
           "trailing empty field at end of input");
    is_str(dump("\"\",x,\"\"\n", NULL, false), "1:|x|\n",
           "empty quoted fields");
    is_str(dump(" a , b \n", NULL, false), "1: a | b \n",
           "data fields are not trimmed");
    is_str(dump("", NULL, false), "", "empty input has no records");
    is_str(dump("\n\r\n", NULL, false), "", "only blank lines: no records");
    is_str(dump("caf\xC3\xA9,\xE2\x82\xAC\n", NULL, false),
           "1:caf\xC3\xA9|\xE2\x82\xAC\n", "UTF-8 passes");
}

static void
test_accessors(void)
{
    const char *s = "abc,,\"x\"\"y\"\n";
    rl_csv *c = rl_csv_open_mem(s, strlen(s), "acc.csv", NULL);
    rl_err err;

    is_int(rl_csv_nfields(c), 0, "no fields before the first record");
    is_str(rl_csv_field(c, 0), "", "field before first record is \"\"");
    is_int(rl_csv_line(c), 0, "line 0 before the first record");
    is_str(rl_csv_name(c), "acc.csv", "name as given");
    is_int(rl_csv_next(c, &err), 1, "record ready");
    is_int(rl_csv_nfields(c), 3, "three fields");
    is_int(rl_csv_field_len(c, 0), 3, "length of abc");
    is_int(rl_csv_field_len(c, 1), 0, "length of empty field");
    is_str(rl_csv_field(c, 2), "x\"y", "unescaped field");
    is_int(rl_csv_field_len(c, 2), 3, "length after unescaping");
    is_str(rl_csv_field(c, 3), "", "out-of-range field is \"\"");
    is_int(rl_csv_field_len(c, 99), 0, "out-of-range length is 0");
    is_int(rl_csv_next(c, &err), 0, "then end of input");
    is_int(rl_csv_next(c, &err), 0, "end of input repeats");
    is_int(rl_csv_ncols(c), 0, "no header columns");
    is_int(rl_csv_col(c, "abc"), -1, "no column lookup without header");
    rl_csv_close(c);
    rl_csv_close(NULL);
    ok(1, "rl_csv_close(NULL) is a no-op");
    c = rl_csv_open_mem(NULL, 0, NULL, NULL);
    is_str(rl_csv_name(c), "<memory>", "default name");
    is_int(rl_csv_next(c, &err), 0, "NULL, 0 is empty input");
    rl_csv_close(c);
}

static void
test_header(void)
{
    const char *s = "\xEF\xBB\xBF Image ,\tWNID,score ,\n"
                    "a.JPEG,n01440764,0.5,\n";
    rl_csv *c = rl_csv_open_mem(s, strlen(s), "h.csv", NULL);
    rl_err err;

    is_int(rl_csv_header(c, &err), 0, "header read");
    is_int(rl_csv_ncols(c), 4, "four columns (last unnamed)");
    is_int(rl_csv_col(c, "image"), 0, "lookup ignores case and spaces");
    is_int(rl_csv_col(c, "wnid"), 1, "lookup ignores case and tab");
    is_int(rl_csv_col(c, "SCORE"), 2, "upper-case query");
    is_int(rl_csv_col(c, "nope"), -1, "absent column");
    is_int(rl_csv_col(c, ""), -1, "empty name never matches");
    is_str(rl_csv_colname(c, 0), "Image", "colname keeps case, trimmed");
    is_str(rl_csv_colname(c, 3), "", "unnamed column is \"\"");
    ok(rl_csv_colname(c, 4) == NULL, "colname out of range is NULL");
    is_int(rl_csv_line(c), 1, "header on line 1");
    is_int(rl_csv_next(c, &err), 1, "data record");
    is_str(rl_csv_field(c, rl_csv_col(c, "wnid")), "n01440764",
           "field by column name");
    is_int(rl_csv_line(c), 2, "data on line 2");
    is_int(rl_csv_header(c, &err), -1, "header twice refused");
    is_int(err.code, RL_E_USAGE, "as a usage error");
    rl_csv_close(c);

    is_str(dump("a,b\n", NULL, true), "", "header-only file has no records");
    is_str(dump("\n\nx,y\n1,2\n", NULL, true), "4:1|2\n",
           "blank lines before the header");
    is_str(dump("image,wnid,WNID\n", NULL, true),
           "!t.csv:1: column WNID: duplicate column name (also column 2)",
           "duplicate header named");
    is_str(dump("a, b ,B\n", NULL, true),
           "!t.csv:1: column B: duplicate column name (also column 2)",
           "duplicate after trimming");
    is_str(dump("", NULL, true),
           "!t.csv: empty file, expected a header line", "empty file");
    is_str(dump("\xEF\xBB\xBF\r\n\n", NULL, true),
           "!t.csv: empty file, expected a header line",
           "BOM and blank lines only count as empty");
    is_str(dump("a,\"b\n", NULL, true),
           "!t.csv:1: column 2: unterminated quoted field",
           "header errors use column numbers");
}

static void
test_errors(void)
{
    static const char big_hdr[] = "x\n";
    rl_buf b = { 0 };
    rl_csv *c;
    rl_err err;

    is_str(dump("image,wnid,score\na,b,c\nd,e,f,g\n", NULL, true),
           "2:a|b|c\n!t.csv:3: expected 3 fields, found 4", "too many");
    is_str(dump("image,wnid,score\na,b\n", NULL, true),
           "!t.csv:2: expected 3 fields, found 2", "too few");
    is_str(dump("one\na,b\n", NULL, true),
           "!t.csv:2: expected 1 field, found 2", "singular field");
    is_str(dump("image,wnid\n\"a\nb\nc\",n1\nd,e,f\n", NULL, true),
           "2:a\nb\nc|n1\n!t.csv:5: expected 2 fields, found 3",
           "line number after a multi-line field");
    is_str(dump("image,wnid\na,n1\nb,\"n2\n\n", NULL, true),
           "2:a|n1\n!t.csv:3: column wnid: unterminated quoted field",
           "unterminated quote at end of file");
    is_str(dump("image,note\na,\"x\nb,\"y\n", NULL, true),
           "!t.csv:2: column note: unexpected 'y' after closing quote",
           "quote spanning lines, then text after it: record line");
    is_str(dump("image,note\na,5\" screen\n", NULL, true),
           "!t.csv:2: column note: stray quote in unquoted field",
           "stray quote");
    is_str(dump("image,note\na,\"x\"y\n", NULL, true),
           "!t.csv:2: column note: unexpected 'y' after closing quote",
           "text after closing quote");
    is_str(dump("image,note\na,\"x\" ,b\n", NULL, true),
           "!t.csv:2: column note: unexpected ' ' after closing quote",
           "space after closing quote");
    is_str(dump("image,wnid\na,\"x\"\tb\n", NULL, true),
           "!t.csv:2: column wnid: unexpected byte 0x09 after closing quote",
           "control byte after closing quote");
    is_str(dump("image,wnid\nok,n01\nb,n\xC3(\n", NULL, true),
           "2:ok|n01\n!t.csv:3: column wnid: not valid UTF-8",
           "invalid UTF-8 names the column");
    is_str(dump("image,wnid\na,\"\xED\xA0\x80\"\n", NULL, true),
           "!t.csv:2: column wnid: not valid UTF-8", "surrogate rejected");
    is_str(dump("a,b\n\xFF,x\n", NULL, false),
           "1:a|b\n!t.csv:2: column 1: not valid UTF-8",
           "without header: column number");
    is_str(dump("a\nb,\xC0\xAF\n", NULL, true),
           "!t.csv:2: expected 1 field, found 2",
           "field count reported before UTF-8");
    is_str(dumpn("image,wnid\na,n0\0001\n", 17, true),
           "!t.csv:2: column wnid: NUL byte in field", "NUL byte");
    is_str(dumpn("image,wnid\na,\"n\0\"\n", 17, true),
           "!t.csv:2: column wnid: NUL byte in field", "NUL in quotes");

    /* Field size limit: exactly the maximum passes, one more fails. */
    rl_buf_adds(&b, big_hdr);
    for (size_t i = 0; i < RL_CSV_MAX_FIELD; i++)
        rl_buf_addc(&b, 'a');
    c = rl_csv_open_mem(b.data, b.len, "big.csv", NULL);
    ok(rl_csv_header(c, &err) == 0 && rl_csv_next(c, &err) == 1
       && rl_csv_field_len(c, 0) == RL_CSV_MAX_FIELD,
       "field of exactly 1 MiB accepted");
    rl_csv_close(c);
    rl_buf_addc(&b, 'a');
    is_str(dumpn(b.data, b.len, true),
           "!t.csv:2: column x: field longer than 1048576 bytes",
           "field over 1 MiB reported");
    rl_buf_reset(&b);
    rl_buf_addc(&b, '"');
    for (size_t i = 0; i < RL_CSV_MAX_FIELD + 1; i++)
        rl_buf_addc(&b, i % 100 == 99 ? '\n' : 'q');
    is_str(dumpn(b.data, b.len, false),
           "!t.csv:1: column 1: field longer than 1048576 bytes",
           "quoted field over 1 MiB reported");
    rl_buf_reset(&b);
    for (size_t i = 0; i < RL_CSV_MAX_FIELDS; i++)
        rl_buf_addc(&b, ',');
    is_str(dumpn(b.data, b.len, false), "!t.csv:1: more than 4096 fields",
           "field count limit");
    rl_buf_free(&b);

    /* An error is final. */
    c = rl_csv_open_mem("a\n\"b\n", 5, "s.csv", NULL);
    rl_csv_next(c, &err);
    is_int(rl_csv_next(c, &err), -1, "error reported");
    is_int(err.code, RL_E_PARSE, "as a parse error");
    rl_err_clear(&err);
    is_int(rl_csv_next(c, &err), -1, "later calls fail too");
    is_str(err.msg, "s.csv:2: column 1: unterminated quoted field",
           "with the same message");
    is_int(rl_csv_nfields(c), 0, "no fields after an error");
    is_int(rl_csv_next(c, NULL), -1, "NULL err accepted");
    rl_csv_close(c);
}

static void
test_tsv(void)
{
    is_str(dump("a\"b\t\"c\"\td\n", &tsv_plain, false),
           "1:a\"b|\"c\"|d\n", "plain TSV: quotes are literal");
    is_str(dump("a\t\"x\n", &tsv_plain, false), "1:a|\"x\n",
           "plain TSV: a lone quote does not open a field");
    is_str(dump("a,b\tc\n\td\t\n", &tsv_plain, false),
           "1:a,b|c\n2:|d|\n", "plain TSV: comma is data, empty fields");
    is_str(dump("\"x\ty\"\tz\n", &tsv_quoted, false), "1:x\ty|z\n",
           "quoted TSV: tab inside quotes");
    is_str(dump("a\"b\tc\n", &tsv_quoted, false),
           "!t.csv:1: column 1: stray quote in unquoted field",
           "quoted TSV still rejects stray quotes");
}

/* A pseudo-random, reproducible byte stream. */
static unsigned
rnd(void)
{
    static unsigned s = 2463534242u;

    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

/* Appends distinct one-line records to `file` until it spans well past
 * two read windows, and their dump_reader() form to `exp`. */
static void
add_tail(rl_buf *file, rl_buf *exp, long line)
{
    for (size_t i = 0; file->len < 2 * RL_CSV_BUFSZ + 100; i++, line++) {
        rl_buf_printf(file, "t%zu,%zu\n", i, i * 7);
        rl_buf_printf(exp, "%ld:t%zu|%zu\n", line, i, i * 7);
    }
}

/* Records with long quoted fields, over several read windows: every field
 * and every line number must come back. */
static void
test_boundaries(void)
{
    static const char *const pieces[] = {
        "abc", "\"", ",", "\n", "\r\n", "\r", "\xC3\xA9", "\xE2\x82\xAC",
        " ", "xyzzy", "\"\"", "0123456789",
    };
    enum { NREC = 1500 };
    char **want = rl_xcalloc(NREC * 3, sizeof *want);
    long *want_line = rl_xcalloc(NREC, sizeof *want_line);
    rl_buf file = { 0 }, f = { 0 };
    const char *path;
    size_t bad = 0, nrec = 0, badline = 0;
    long line = 1;
    rl_csv *c;
    rl_err err;
    int r;

    for (size_t i = 0; i < NREC; i++) {
        size_t len = rnd() % 1500;
        const char *row[3];

        rl_buf_reset(&f);
        rl_buf_adds(&f, "");
        while (f.len < len)
            rl_buf_adds(&f, pieces[rnd() % (sizeof pieces / sizeof *pieces)]);
        want[i * 3] = rl_xasprintf("%zu", i);
        want[i * 3 + 1] = rl_xstrdup(f.data);
        rl_buf_reset(&f);
        rl_buf_adds(&f, "");
        while (f.len < len / 2)
            rl_buf_adds(&f, "plain");
        want[i * 3 + 2] = rl_xstrdup(f.data);

        row[0] = want[i * 3];
        row[1] = want[i * 3 + 1];
        row[2] = want[i * 3 + 2];
        want_line[i] = line;
        rl_csv_write_row(&file, row, 3, ',');
        /* Lines in the row: CRLF counts once, lone CR and LF once each. */
        for (const char *p = row[1]; *p; p++)
            if (*p == '\n' || (*p == '\r' && p[1] != '\n'))
                line++;
        line++;
    }
    ok(file.len > 3 * RL_CSV_BUFSZ, "generated %zu bytes, over 3 windows",
       file.len);

    path = write_temp(file.data, file.len);
    c = path ? rl_csv_open(path, NULL, &err) : NULL;
    ok(c != NULL, "opened temp file");
    while (c != NULL && (r = rl_csv_next(c, &err)) == 1) {
        if (nrec < NREC) {
            for (size_t k = 0; k < 3; k++)
                if (strcmp(rl_csv_field(c, k), want[nrec * 3 + k]) != 0
                    || rl_csv_nfields(c) != 3)
                    bad++;
            if (rl_csv_line(c) != want_line[nrec])
                badline++;
        }
        nrec++;
    }
    is_int(nrec, NREC, "every record read back");
    is_int(bad, 0, "every field identical");
    is_int(badline, 0, "every line number right");
    rl_csv_close(c);
    if (path != NULL)
        unlink(path);
    for (size_t i = 0; i < NREC * 3; i++)
        free(want[i]);
    free(want);
    free(want_line);

    /* Two-byte sequences split exactly across the first window edge: the
     * opening quote at 0, filler, then the pair at BUFSZ-1 and BUFSZ.
     * add_tail() then fills the second window completely, so a stale
     * pointer into the first window would read different bytes. */
    {
        size_t k = RL_CSV_BUFSZ - 2;
        rl_buf exp = { 0 };

        rl_buf_reset(&file);
        rl_buf_addc(&file, '"');
        for (size_t i = 0; i < k; i++)
            rl_buf_addc(&file, 'x');
        rl_buf_reset(&f);
        rl_buf_add(&f, file.data + 1, k);   /* the filler alone */

        rl_buf_adds(&file, "\"\" y\",z\n");
        rl_buf_printf(&exp, "1:%s\" y|z\n", f.data);
        add_tail(&file, &exp, 2);
        ok(strcmp(dump_file(&file), exp.data) == 0,
           "doubled quote split across windows");

        file.len = k + 1;
        rl_buf_adds(&file, "\",z\n");
        rl_buf_reset(&exp);
        rl_buf_printf(&exp, "1:%s|z\n", f.data);
        add_tail(&file, &exp, 2);
        ok(strcmp(dump_file(&file), exp.data) == 0,
           "closing quote and separator split across windows");

        file.len = k + 1;
        rl_buf_adds(&file, "\r\nq\",z\n");
        rl_buf_reset(&exp);
        rl_buf_printf(&exp, "1:%s\r\nq|z\n", f.data);
        add_tail(&file, &exp, 3);
        ok(strcmp(dump_file(&file), exp.data) == 0,
           "quoted CRLF split across windows counts one line");

        rl_buf_reset(&file);
        for (size_t i = 0; i < RL_CSV_BUFSZ - 1; i++)
            rl_buf_addc(&file, 'x');
        rl_buf_adds(&file, "\r\n");
        rl_buf_reset(&exp);
        rl_buf_add(&exp, "1:", 2);
        rl_buf_add(&exp, file.data, RL_CSV_BUFSZ - 1);
        rl_buf_addc(&exp, '\n');
        add_tail(&file, &exp, 2);
        ok(strcmp(dump_file(&file), exp.data) == 0,
           "record-ending CRLF split across windows: no blank record");

        /* BOM in file mode, many lines, then an unterminated quote: the
         * error names the opening quote's line, not the last one. */
        rl_buf_reset(&file);
        rl_buf_add(&file, "\xEF\xBB\xBF", 3);
        for (size_t i = 0; i < RL_CSV_BUFSZ; i++)
            rl_buf_addc(&file, i % 2 ? '\n' : 'r');
        rl_buf_adds(&file, "\"unterminated\n\n\n");
        rl_buf_reset(&exp);
        rl_buf_printf(&exp, ":%d: column 1: unterminated quoted field",
                      RL_CSV_BUFSZ / 2 + 1);
        {
            const char *d = dump_file(&file);
            size_t n = strlen(d);

            ok(strncmp(d, "1:r\n2:r\n", 8) == 0,
               "BOM skipped when reading a file");
            ok(n > exp.len && strcmp(d + n - exp.len, exp.data) == 0,
               "unterminated quote after a window edge: line %d",
               RL_CSV_BUFSZ / 2 + 1);
        }
        rl_buf_free(&exp);
    }
    rl_buf_free(&file);
    rl_buf_free(&f);
}

static void
test_writer(void)
{
    static const char *const nasty[] = {
        "", " lead", "trail ", "a,b", "q\"uote", "\"", "line\nbreak",
        "cr\rlf\r\n", "\t tab", "caf\xC3\xA9", "plain", "\"\"\"",
    };
    enum { N = sizeof nasty / sizeof *nasty };
    const char *one_empty[] = { "" };
    const char *row[3] = { "a", NULL, "c d" };
    rl_buf out = { 0 };
    size_t bad = 0, nrec = 0;
    rl_csv *c;
    rl_err err;

    rl_csv_write_field(&out, "plain", ',');
    is_str(rl_buf_str(&out), "plain", "plain field unquoted");
    rl_buf_reset(&out);
    rl_csv_write_field(&out, "say \"hi\"", ',');
    is_str(rl_buf_str(&out), "\"say \"\"hi\"\"\"", "quotes doubled");
    rl_buf_reset(&out);
    rl_csv_write_field(&out, " x", ',');
    rl_csv_write_field(&out, "a,b", '\t');
    rl_csv_write_field(&out, "a\tb", '\t');
    is_str(rl_buf_str(&out), "\" x\"a,b\"a\tb\"",
           "leading space quoted; only the given separator matters");
    rl_buf_reset(&out);
    rl_csv_write_row(&out, row, 3, ',');
    rl_csv_write_row(&out, one_empty, 1, ',');
    is_str(rl_buf_str(&out), "a,,c d\n\"\"\n",
           "row: NULL is empty; lone empty field quoted");

    for (int pass = 0; pass < 2; pass++) {
        char sep = pass ? '\t' : ',';

        rl_buf_reset(&out);
        for (size_t i = 0; i < N; i++) {
            const char *r3[3] = { nasty[i], nasty[(i + 1) % N],
                                  nasty[(i + 5) % N] };

            rl_csv_write_row(&out, r3, 3, sep);
            rl_csv_write_row(&out, r3, 1, sep);
        }
        c = rl_csv_open_mem(out.data, out.len, "rt.csv",
                            pass ? &tsv_quoted : NULL);
        nrec = bad = 0;
        while (rl_csv_next(c, &err) == 1) {
            size_t i = nrec / 2, want = nrec % 2 ? 1 : 3;
            const char *r3[3] = { nasty[i], nasty[(i + 1) % N],
                                  nasty[(i + 5) % N] };

            if (rl_csv_nfields(c) != want)
                bad++;
            for (size_t k = 0; k < want; k++)
                if (strcmp(rl_csv_field(c, k), r3[k]) != 0)
                    bad++;
            nrec++;
        }
        is_int(nrec, 2 * N, pass ? "TSV round trip: all rows"
                                 : "CSV round trip: all rows");
        is_int(bad, 0, pass ? "TSV round trip: fields identical"
                            : "CSV round trip: fields identical");
        rl_csv_close(c);
    }
    rl_buf_free(&out);
}

static void
test_files(void)
{
    static const struct {
        const char *file;
        bool header;
        const char *want;   /* "%s" stands for the path */
    } cases[] = {
        { "good_basic.csv", true,
          "2:ILSVRC2012_val_00000001.JPEG|n01751748|0.93\n"
          "3:ILSVRC2012_val_00000002.JPEG|n09193705|0.5\n" },
        { "good_bom_crlf.csv", true,
          "2:a.JPEG|n01440764|says \"hi\", twice\n"
          "4:b.JPEG|n01443537|\n5:c.JPEG|n01484850|caf\xC3\xA9\n" },
        { "good_multiline.csv", true,
          "2:a.JPEG|n01440764|first line\nsecond line\r\nthird line\n"
          "5:b.JPEG|n01443537|plain\n" },
        { "bad_empty.csv", true,
          "!%s: empty file, expected a header line" },
        { "bad_count.csv", true,
          "2:a.JPEG|n01440764|0.9\n!%s:3: expected 3 fields, found 4" },
        { "bad_unterminated.csv", true,
          "2:a.JPEG|n01440764|ok\n"
          "!%s:3: column note: unterminated quoted field" },
        { "bad_stray_quote.csv", true,
          "!%s:2: column note: stray quote in unquoted field" },
        { "bad_after_quote.csv", true,
          "!%s:2: column wnid: unexpected 'x' after closing quote" },
        { "bad_utf8.csv", true, "!%s:2: column wnid: not valid UTF-8" },
        { "bad_nul.csv", true, "!%s:2: column note: NUL byte in field" },
        { "bad_dup_header.csv", true,
          "!%s:1: column WNID: duplicate column name (also column 2)" },
    };
    char path[512], want[1024];
    rl_csv *c;
    rl_err err;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(path, sizeof path, "%s/csv/%s", RL_TEST_DATA, cases[i].file);
        snprintf(want, sizeof want, cases[i].want, path);
        c = rl_csv_open(path, NULL, &err);
        if (c == NULL) {
            ok(0, "%s: %s", cases[i].file, err.msg);
            continue;
        }
        is_str(dump_reader(c, cases[i].header), want, cases[i].file);
    }

    snprintf(path, sizeof path, "%s/csv/good_plain.tsv", RL_TEST_DATA);
    c = rl_csv_open(path, &tsv_plain, &err);
    is_str(c ? dump_reader(c, true) : err.msg,
           "2:a.JPEG|n01440764|he said \"no\"\n3:b.JPEG|n01443537|\n",
           "good_plain.tsv");

    snprintf(path, sizeof path, "%s/csv/no_such.csv", RL_TEST_DATA);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    c = rl_csv_open(path, NULL, &err);
    ok(c == NULL && err.code == RL_E_IO, "missing file fails");
    is_str(err.msg, want, "missing file message");
    snprintf(path, sizeof path, "%s/csv", RL_TEST_DATA);
    snprintf(want, sizeof want, "%s: Is a directory", path);
    c = rl_csv_open(path, NULL, &err);
    ok(c == NULL && err.code == RL_E_IO, "directory fails");
    is_str(err.msg, want, "directory message");

    /* Reading /proc/self/mem at offset 0 fails with EIO. */
    c = rl_csv_open("/proc/self/mem", NULL, &err);
    if (c == NULL) {
        ok(1, "read error # SKIP no /proc/self/mem");
        ok(1, "read error code # SKIP no /proc/self/mem");
    } else {
        is_int(rl_csv_next(c, &err), -1, "read error reported");
        ok(err.code == RL_E_IO
           && strncmp(err.msg, "/proc/self/mem:1: read error: ", 30) == 0,
           "read error message: %s", err.msg);
        rl_csv_close(c);
    }
}

/* Prints parse speed; never asserts on time. */
static void
test_throughput(void)
{
    char path[512];
    rl_buf b = { 0 };
    size_t rows = 0, bytes = 0;
    double t0, ms;
    rl_csv *c;
    rl_err err;

    /* Synthetic: 11 MB shaped like the proposals file. */
    rl_buf_adds(&b, "image,wnid,ds_score,votes_no,votes_maybe,votes_yes,"
                    "in_real,is_original\n");
    for (size_t i = 0; b.len < 11u * 1000 * 1000; i++)
        rl_buf_printf(&b, "ILSVRC2012_val_%08zu.JPEG,n%08zu,0.%08zu,"
                      "%zu,0,%zu,0,1\n", i / 8 + 1, 1000000 + i * 7,
                      i * 31 % 100000000, i % 6, i % 4);
    c = rl_csv_open_mem(b.data, b.len, "synthetic", NULL);
    t0 = rl_mono_ms();
    if (rl_csv_header(c, &err) == 0)
        while (rl_csv_next(c, &err) == 1)
            rows++;
    ms = rl_mono_ms() - t0;
    printf("# parsed %.1f MB (synthetic, in memory, %zu rows) in %.1f ms\n",
           b.len / 1e6, rows, ms);
    rl_csv_close(c);
    rl_buf_free(&b);

    snprintf(path, sizeof path, "%s/real_proposals.csv", RL_SHARED_DATA);
    if (access(path, R_OK) != 0) {
        ok(1, "real_proposals.csv # SKIP %s absent", path);
        ok(1, "real_proposals.csv columns # SKIP absent");
        return;
    }
    rows = 0;
    t0 = rl_mono_ms();
    c = rl_csv_open(path, NULL, &err);
    if (c == NULL || rl_csv_header(c, &err) != 0) {
        ok(0, "real_proposals.csv: %s", err.msg);
        rl_csv_close(c);
        return;
    }
    while (rl_csv_next(c, &err) == 1) {
        rows++;
        for (size_t i = 0; i < rl_csv_nfields(c); i++)
            bytes += rl_csv_field_len(c, i) + 1;
    }
    ms = rl_mono_ms() - t0;
    printf("# parsed %.1f MB in %.1f ms (real_proposals.csv)\n",
           bytes / 1e6, ms);
    is_int(rows, 184962, "real_proposals.csv: 184962 data rows");
    ok(rl_csv_ncols(c) == 8 && rl_csv_col(c, "wnid") == 1
       && rl_csv_col(c, "is_original") == 7,
       "real_proposals.csv: 8 columns, wnid second");
    rl_csv_close(c);
}

int
main(void)
{
    test_basic();
    test_accessors();
    test_header();
    test_errors();
    test_tsv();
    test_boundaries();
    test_writer();
    test_files();
    test_throughput();
    rl_buf_free(&dumped);
    return t_done();
}
