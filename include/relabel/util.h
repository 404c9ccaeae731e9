/* util.h - allocation that aborts on exhaustion, growable buffers,
 * UTF-8 measurement and sanitising, time. No terminal, no SQLite. */
#ifndef RL_UTIL_H
#define RL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Out of memory is not an error path: these print and abort(). */
void *rl_xmalloc(size_t n);
void *rl_xcalloc(size_t n, size_t size);
void *rl_xrealloc(void *p, size_t n);
char *rl_xstrdup(const char *s);
char *rl_xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *rl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows `*items` (of `*cap` elements of `size` bytes) to hold at least
 * `need`; doubles, so appends are amortised O(1). */
void rl_grow(void *items, size_t *cap, size_t need, size_t size);

/* A growable byte buffer, always NUL-terminated after the first append. */
typedef struct rl_buf {
    char *data;   /* owned; NULL until first append */
    size_t len;   /* bytes used, excluding the NUL */
    size_t cap;   /* bytes allocated */
} rl_buf;

void rl_buf_add(rl_buf *b, const void *p, size_t n);
void rl_buf_adds(rl_buf *b, const char *s);
void rl_buf_addc(rl_buf *b, char c);
void rl_buf_printf(rl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rl_buf_reset(rl_buf *b);          /* len = 0, keeps memory */
void rl_buf_free(rl_buf *b);           /* frees, zeroes; NULL ok */
/* Returns the contents ("" when empty) as a borrowed string. */
const char *rl_buf_str(const rl_buf *b);

/* UTF-8 ------------------------------------------------------------ */

/* True when `s[0..n)` is well-formed UTF-8 (no overlongs, no surrogates). */
bool rl_utf8_valid(const char *s, size_t n);
/* Decodes one code point at `s` (at most `n` bytes); stores it in *cp and
 * returns the byte length, or returns 1 with *cp = 0xFFFD on bad input. */
size_t rl_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Appends the UTF-8 encoding of `cp` to `b`. */
void rl_utf8_encode(rl_buf *b, uint32_t cp);
/* True for code points that must never reach a terminal raw: C0 and C1
 * controls, DEL, bidi overrides/isolates, and other invisible formatting
 * characters that could disguise text. */
bool rl_utf8_is_unsafe(uint32_t cp);
/* Columns `cp` takes (0, 1 or 2) from relabel's own table (East Asian
 * Wide/Fullwidth: 2; combining marks, zero-width format characters: 0),
 * the same in every locale; unsafe code points count as the width of
 * their escaped form. */
int rl_utf8_cp_width(uint32_t cp);
/* Copies `s` into a new string safe to print on a terminal: unsafe code
 * points become visible escapes (\x1b, \u202e, \r, \n, \t), invalid bytes
 * become \xNN. Printable text, including non-ASCII, passes unchanged. */
char *rl_utf8_sanitize(const char *s);
/* rl_utf8_sanitize() for text that arrives in pieces (a stream): appends
 * the escaped form of `s[0..n)` to `out`, except '\n' and '\t', which pass
 * so that reports keep their layout. A character cut at the end of a piece
 * waits in `st` for the next one; `final` flushes it (as \xNN). Start with
 * a zeroed rl_utf8_stream; it owns no memory. */
typedef struct rl_utf8_stream {
    char pend[4];          /* bytes of a character not yet complete */
    size_t npend;          /* how many, 0-3 */
} rl_utf8_stream;
void rl_utf8_sanitize_stream(rl_utf8_stream *st, const char *s, size_t n,
                             bool final, rl_buf *out);
/* Length of `s[0..n)` without an incomplete character at its end (a
 * buffer cut short in the middle of one). */
size_t rl_utf8_whole(const char *s, size_t n);
/* snprintf() that, when the text does not fit, cuts it at a character
 * boundary rather than inside a UTF-8 sequence. Returns what snprintf
 * returns. */
int rl_utf8_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Display width of a sanitized string in terminal columns; _n: of its
 * first n bytes. */
int rl_utf8_width(const char *s);
int rl_utf8_width_n(const char *s, size_t n);
/* Byte length of the longest prefix of `s` (already sanitized) that fits
 * in `cols` columns without splitting a character. */
size_t rl_utf8_fit(const char *s, int cols);
/* Byte length of the prefix of `s` (sanitized) to show in `cols` columns:
 * all of it when it fits; else a prefix ending at a word (spaces and
 * trailing , ; : ( dropped) that leaves `reserve` columns for an ellipsis.
 * Only a first word wider than the room is cut inside it. */
size_t rl_utf8_fit_words(const char *s, int cols, int reserve);
/* A new string with every non-ASCII character of `s` (sanitized) replaced
 * for a terminal that is not UTF-8: common symbols by ASCII stand-ins
 * ("..." for the ellipsis, "-" and "|" for box lines, "*" for bullets),
 * other characters by "?" ("??" when two columns wide), combining marks
 * dropped. The caller frees it. */
char *rl_utf8_to_ascii(const char *s);

/* Time ------------------------------------------------------------- */

/* Milliseconds since the Unix epoch (wall clock). */
int64_t rl_now_ms(void);
/* Monotonic milliseconds as a double, for measuring. */
double rl_mono_ms(void);
/* Formats `ms` as ISO 8601 UTC "2026-11-22T21:30:00.123Z" into buf (>= 25
 * bytes). */
void rl_time_format(int64_t ms, char *buf, size_t size);
/* Parses that form (also without milliseconds, or a plain integer of
 * milliseconds). 0 on success, -1 on malformed text. */
int rl_time_parse(const char *s, int64_t *ms);

/* Strings ---------------------------------------------------------- */

/* ASCII case-insensitive compare / prefix test. */
int rl_strcasecmp(const char *a, const char *b);
bool rl_starts_with(const char *s, const char *prefix);
/* The file name of `path` without its folders and its extension, in a new
 * string the caller frees ("a/b/preds.csv" -> "preds"). */
char *rl_path_stem(const char *path);
/* Strict integer parse of the whole string; 0 or -1. */
int rl_parse_long(const char *s, long *out);

/* Hash maps ------------------------------------------------------- */

/* String -> int64 map; keys are copied. Lookups return `dflt` when
 * absent. Open addressing, no deletion. */
typedef struct rl_strmap {
    char **keys;          /* owned; NULL = empty slot */
    int64_t *vals;
    size_t n, mask;       /* entries, table size - 1 */
} rl_strmap;

void rl_strmap_put(rl_strmap *m, const char *key, int64_t val);
int64_t rl_strmap_get(const rl_strmap *m, const char *key, int64_t dflt);
void rl_strmap_free(rl_strmap *m);

/* Set of non-zero 64-bit keys. rl_u64set_add returns false when the key
 * was present already. */
typedef struct rl_u64set {
    uint64_t *keys;       /* 0 = empty slot */
    size_t n, mask;
} rl_u64set;

bool rl_u64set_add(rl_u64set *s, uint64_t key);
void rl_u64set_free(rl_u64set *s);

#endif
