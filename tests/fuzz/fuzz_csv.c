/* fuzz_csv.c - the CSV / TSV reader (csv.h) and its writer.
 *
 * Input: one option byte, then the file. Bits 0-1 of the option byte pick
 * the dialect (0 CSV, 1 quoted TSV, 2 plain TSV, 3 CSV without quoting);
 * bit 2 set skips rl_csv_header(). Every record is walked and checked
 * against the header's promises (field count, NUL-free valid UTF-8,
 * lengths, lines that never go back, a spent reader repeating its error),
 * then written with rl_csv_write_row() and read back, which must give the
 * same fields. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "relabel/csv.h"
#include "relabel/err.h"
#include "relabel/util.h"

#define NAME "fuzz.csv"

/* Reads `row` (one record written by rl_csv_write_row) back and compares
 * it with the current record of `c`. */
static void
check_round_trip(const rl_csv *c, const rl_buf *row, char sep)
{
    rl_csv_opts o = { sep, true };
    rl_csv *back;
    rl_err err;
    size_t n = rl_csv_nfields(c), i;
    int r;

    /* after a line of its own, so a leading U+FEFF is not taken for the
     * byte order mark, which only the very start of a file may carry */
    back = rl_csv_open_mem(row->data, row->len, "back", &o);
    FUZZ_CHECK(rl_csv_next(back, &err) == 1, "lead line: %s", err.msg);
    r = rl_csv_next(back, &err);
    FUZZ_CHECK(r == 1, "written record does not read back (%d): %s", r,
               r < 0 ? err.msg : "end of input");
    FUZZ_CHECK(rl_csv_nfields(back) == n, "%zu fields read back as %zu", n,
               rl_csv_nfields(back));
    for (i = 0; i < n; i++)
        FUZZ_CHECK(rl_csv_field_len(back, i) == rl_csv_field_len(c, i)
                   && memcmp(rl_csv_field(back, i), rl_csv_field(c, i),
                             rl_csv_field_len(c, i)) == 0,
                   "field %zu changed on the round trip", i);
    FUZZ_CHECK(rl_csv_next(back, &err) == 0, "extra record read back");
    rl_csv_close(back);
}

static void
check_record(const rl_csv *c, bool header, size_t ncols)
{
    size_t n = rl_csv_nfields(c), i;

    FUZZ_CHECK(n > 0 && n <= RL_CSV_MAX_FIELDS, "%zu fields", n);
    FUZZ_CHECK(!header || n == ncols, "%zu fields under %zu columns", n,
               ncols);
    for (i = 0; i < n; i++) {
        const char *f = rl_csv_field(c, i);
        size_t len = rl_csv_field_len(c, i);

        FUZZ_CHECK(f != NULL && strlen(f) == len,
                   "field %zu: length %zu, strlen %zu", i, len,
                   f ? strlen(f) : 0);
        FUZZ_CHECK(len <= RL_CSV_MAX_FIELD, "field %zu: %zu bytes", i, len);
        FUZZ_CHECK(fuzz_utf8_valid(f, len), "field %zu: invalid UTF-8", i);
    }
    FUZZ_CHECK(*rl_csv_field(c, n) == '\0' && rl_csv_field_len(c, n) == 0,
               "field past the end is not empty");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rl_csv_opts dialects[] = {
        { ',', true }, { '\t', true }, { '\t', false }, { ',', false },
    };
    const rl_csv_opts *o;
    bool header;
    size_t ncols = 0, i;
    long line = 0;
    rl_csv *c;
    rl_err err, again;
    rl_buf row = {0};
    int r = 0;

    if (size == 0)
        return 0;
    o = &dialects[data[0] & 3];
    header = (data[0] & 4) == 0;
    c = rl_csv_open_mem((const char *)data + 1, size - 1, NAME, o);
    rl_err_clear(&err);

    if (header) {
        r = rl_csv_header(c, &err);
        if (r == 0) {
            ncols = rl_csv_ncols(c);
            FUZZ_CHECK(ncols > 0, "header without columns");
            for (i = 0; i < ncols; i++) {
                const char *name = rl_csv_colname(c, i);

                FUZZ_CHECK(name != NULL, "column %zu has no name", i);
                FUZZ_CHECK(*name == '\0' || rl_csv_col(c, name) == (int)i,
                           "column %zu not found by its name", i);
            }
            FUZZ_CHECK(rl_csv_colname(c, ncols) == NULL, "name past end");
            line = rl_csv_line(c);
        }
    }

    while (r == 0 && (r = rl_csv_next(c, &err)) == 1) {
        const char **f;
        size_t n = rl_csv_nfields(c);

        FUZZ_CHECK(rl_csv_line(c) > line, "record line %ld after %ld",
                   rl_csv_line(c), line);
        line = rl_csv_line(c);
        check_record(c, header, ncols);

        f = rl_xmalloc(n * sizeof *f);
        for (i = 0; i < n; i++)
            f[i] = rl_csv_field(c, i);
        rl_buf_reset(&row);
        rl_buf_adds(&row, "x\n");
        rl_csv_write_row(&row, f, n, o->sep);
        free(f);
        check_round_trip(c, &row, o->sep);
        r = 0;
    }

    if (r < 0) {
        FUZZ_CHECK(err.code != RL_E_OK, "failure without a code");
        FUZZ_CHECK(strncmp(err.msg, NAME ":", strlen(NAME ":")) == 0,
                   "message does not name the file: %s", err.msg);
        FUZZ_CHECK(rl_csv_nfields(c) == 0, "fields after an error");
        FUZZ_CHECK(rl_csv_next(c, &again) == -1
                   && strcmp(again.msg, err.msg) == 0,
                   "spent reader did not repeat: %s / %s", err.msg,
                   again.msg);
    }
    rl_buf_free(&row);
    rl_csv_close(c);
    return 0;
}
