/* csv.h - streaming RFC 4180 CSV / TSV reader and a field writer.
 *
 * The reader hands out one record at a time; field text is borrowed and
 * stays valid until the next rl_csv_next() (or rl_csv_close()). Input rules:
 *  - fields may be quoted ("..."), with "" for a literal quote; separators,
 *    CR, LF and CRLF inside quotes are kept verbatim;
 *  - a record ends at LF, CRLF or a lone CR outside quotes; the last record
 *    may lack a line end;
 *  - a UTF-8 byte order mark at the very start is skipped;
 *  - zero-length lines are skipped; a line holding only separators is a
 *    record of empty fields;
 *  - every field must be valid UTF-8 and free of NUL bytes.
 * Every error message reads "FILE:LINE: what" or, when one field is at
 * fault, "FILE:LINE: column NAME: what" (NAME is the header name, or the
 * 1-based column number before a header is read). LINE is the physical line
 * where the record starts, except for an unterminated quoted field, where it
 * is the line of the opening quote. Once an error is reported the reader is
 * spent: further calls return -1 with the same message. */
#ifndef RL_CSV_H
#define RL_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "relabel/err.h"
#include "relabel/util.h"

#define RL_CSV_BUFSZ      (256 * 1024)       /* bytes per read(); tests
                                                 aim records across it */
#define RL_CSV_MAX_FIELD  (1024 * 1024)      /* longest field, bytes */
#define RL_CSV_MAX_RECORD (8 * 1024 * 1024)  /* longest record, bytes */
#define RL_CSV_MAX_FIELDS 4096               /* most fields per record */

typedef struct rl_csv rl_csv;

typedef struct rl_csv_opts {
    char sep;     /* field separator: ',' or '\t' (never '"', CR, LF, NUL) */
    bool quotes;  /* false: plain TSV, '"' is an ordinary character */
} rl_csv_opts;

/* Opens `path` for reading. `opts` NULL means CSV: { ',', true }; it is
 * copied. Returns NULL with RL_E_IO and "PATH: <strerror>" when the file is
 * missing, unreadable or a directory. Free with rl_csv_close(). */
rl_csv *rl_csv_open(const char *path, const rl_csv_opts *opts, rl_err *err);
/* Reads `n` bytes at `data` (borrowed: must outlive the reader; may be NULL
 * when n is 0). `name` (copied; NULL gives "<memory>") stands for the file
 * in messages. Never fails. */
rl_csv *rl_csv_open_mem(const char *data, size_t n, const char *name,
                        const rl_csv_opts *opts);
/* Frees the reader and every string it handed out; NULL is a no-op. Does
 * not free memory passed to rl_csv_open_mem(). */
void rl_csv_close(rl_csv *c);

/* Reads the first record as the header. Names are trimmed of surrounding
 * spaces and tabs and compared ASCII case-insensitively; empty names are
 * allowed but never match. Afterwards every record must have exactly as
 * many fields as the header. 0, or -1 with `err` set: RL_E_PARSE for
 * "FILE: empty file, expected a header line", for a duplicate name
 * ("FILE:1: column wnid: duplicate column name (also column 2)") or any
 * record error; RL_E_IO on read failure; RL_E_USAGE when a record has
 * already been read. */
int rl_csv_header(rl_csv *c, rl_err *err);
/* 0-based index of the header column `name` (case-insensitive, exact
 * otherwise), or -1 when absent or no header was read. */
int rl_csv_col(const rl_csv *c, const char *name);
/* Trimmed header name of column `i` (borrowed, valid until close), or NULL
 * when `i` is out of range or no header was read. */
const char *rl_csv_colname(const rl_csv *c, size_t i);
/* Number of header columns; 0 before rl_csv_header(). */
size_t rl_csv_ncols(const rl_csv *c);

/* Advances to the next record: 1 when one is ready, 0 at end of input, -1
 * with `err` set (RL_E_PARSE for malformed input, RL_E_IO for read errors)
 * after which the reader only returns -1. */
int rl_csv_next(rl_csv *c, rl_err *err);
/* Fields in the current record; 0 before the first and after an error. */
size_t rl_csv_nfields(const rl_csv *c);
/* Field `i` of the current record, NUL-terminated, borrowed until the next
 * rl_csv_next(); "" when `i` is out of range. Never NULL. */
const char *rl_csv_field(const rl_csv *c, size_t i);
/* Byte length of field `i` (0 when out of range). Fields never hold NUL. */
size_t rl_csv_field_len(const rl_csv *c, size_t i);
/* 1-based physical line where the current record starts; 0 before any. */
long rl_csv_line(const rl_csv *c);
/* The name given at open (path or `name`); borrowed until close. */
const char *rl_csv_name(const rl_csv *c);

/* Writer ----------------------------------------------------------- */

/* Appends `s` (NULL means "") as one field. Quotes it when it holds `sep`,
 * '"', CR or LF, or starts or ends with a space or tab; quotes inside are
 * doubled. Output is meant for a quote-aware reader (quotes = true). */
void rl_csv_write_field(rl_buf *out, const char *s, char sep);
/* Appends `n` fields separated by `sep`, then "\n". A row of one empty
 * field is written as "\"\"" so that it does not read back as a blank
 * line; a row of zero fields is a blank line, which readers skip. */
void rl_csv_write_row(rl_buf *out, const char *const *fields, size_t n,
                      char sep);

#endif
