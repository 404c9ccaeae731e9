/* json.h - a small JSON reader (RFC 8259) for the importers of other
 * tools' files: the whole text into a tree of values, each with the line
 * it starts on, so an importer can report FILE:LINE: field. Strings are
 * decoded to UTF-8 (\uXXXX, surrogate pairs); a NUL inside a string is
 * refused. Nesting is capped at RL_JSON_DEPTH. Knows nothing of the
 * terminal. */
#ifndef RL_JSON_H
#define RL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "relabel/err.h"

#define RL_JSON_DEPTH 64

typedef enum rl_json_type {
    RL_JSON_NULL, RL_JSON_BOOL, RL_JSON_NUMBER, RL_JSON_STRING,
    RL_JSON_ARRAY, RL_JSON_OBJECT
} rl_json_type;

typedef struct rl_json rl_json;
struct rl_json {
    rl_json_type type;
    long line;             /* 1-based line the value starts on */
    bool b;                /* RL_JSON_BOOL */
    double num;            /* RL_JSON_NUMBER */
    char *str;             /* RL_JSON_STRING (owned) */
    char **keys;           /* RL_JSON_OBJECT: n keys (owned), in order */
    rl_json **items;       /* ARRAY / OBJECT: n values (owned) */
    size_t n;
};

/* Parses `len` bytes of `text` (one value, surrounding whitespace
 * allowed). NULL with RL_E_PARSE and "LINE: what" in err->msg on bad
 * input. Free with rl_json_free (NULL ok). */
rl_json *rl_json_parse(const char *text, size_t len, rl_err *err);
void rl_json_free(rl_json *v);
/* The value of `key` in object `v`, borrowed; NULL when `v` is no object
 * or has no such key (the first one if repeated). */
const rl_json *rl_json_get(const rl_json *v, const char *key);
/* The string of `v`, or NULL when it is no string. */
const char *rl_json_str(const rl_json *v);

#endif
