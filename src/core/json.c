/* json.c - recursive-descent JSON reader into an rl_json tree. The parser
 * state is one cursor over the text; every error sets the message once
 * and unwinds, freeing what was built. */
#include "relabel/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/util.h"

struct jp {
    const char *p, *end;   /* cursor, end of text */
    long line;             /* line of the cursor */
    rl_err *err;
    bool failed;
};

static rl_json *value(struct jp *j, int depth);

static void
fail(struct jp *j, const char *what)
{
    if (!j->failed)
        rl_err_set(j->err, RL_E_PARSE, "%ld: %s", j->line, what);
    j->failed = true;
}

static void
ws(struct jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n'
                             || *j->p == '\r')) {
        j->line += *j->p == '\n';
        j->p++;
    }
}

static bool
eat(struct jp *j, char c)
{
    ws(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return true;
    }
    return false;
}

static int
hex4(const char *p)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        int c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static void
put_utf8(rl_buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        rl_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        rl_buf_addc(b, (char)(0xc0 | cp >> 6));
        rl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        rl_buf_addc(b, (char)(0xe0 | cp >> 12));
        rl_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        rl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        rl_buf_addc(b, (char)(0xf0 | cp >> 18));
        rl_buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        rl_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        rl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* A string after its opening quote; the caller owns the result. */
static char *
string(struct jp *j)
{
    rl_buf b = {0};

    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p++;

        if (c < 0x20) {
            fail(j, "a control character inside a string");
            goto bad;
        }
        if (c != '\\') {
            rl_buf_addc(&b, (char)c);
            continue;
        }
        if (j->p >= j->end)
            break;
        switch (c = (unsigned char)*j->p++) {
        case '"': case '\\': case '/': rl_buf_addc(&b, (char)c); break;
        case 'b': rl_buf_addc(&b, '\b'); break;
        case 'f': rl_buf_addc(&b, '\f'); break;
        case 'n': rl_buf_addc(&b, '\n'); break;
        case 'r': rl_buf_addc(&b, '\r'); break;
        case 't': rl_buf_addc(&b, '\t'); break;
        case 'u': {
            int hi = j->end - j->p >= 4 ? hex4(j->p) : -1, lo;
            uint32_t cp;

            if (hi < 0) {
                fail(j, "a bad \\u escape");
                goto bad;
            }
            j->p += 4;
            cp = (uint32_t)hi;
            if (hi >= 0xd800 && hi < 0xdc00) {
                if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u'
                    || (lo = hex4(j->p + 2)) < 0xdc00 || lo >= 0xe000) {
                    fail(j, "a lone surrogate in a \\u escape");
                    goto bad;
                }
                j->p += 6;
                cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10)
                     + ((uint32_t)lo - 0xdc00);
            } else if (hi >= 0xdc00 && hi < 0xe000) {
                fail(j, "a lone surrogate in a \\u escape");
                goto bad;
            }
            if (cp == 0) {
                fail(j, "a NUL character inside a string");
                goto bad;
            }
            put_utf8(&b, cp);
            break;
        }
        default:
            fail(j, "an unknown escape in a string");
            goto bad;
        }
    }
    if (j->p >= j->end) {
        fail(j, "a string is not closed");
        goto bad;
    }
    j->p++;
    rl_buf_adds(&b, "");   /* an empty string still gets its buffer */
    return b.data;
bad:
    rl_buf_free(&b);
    return NULL;
}

static rl_json *
node(struct jp *j, rl_json_type t)
{
    rl_json *v = rl_xcalloc(1, sizeof *v);

    v->type = t;
    v->line = j->line;
    return v;
}

static bool
word(struct jp *j, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(j->end - j->p) >= n && memcmp(j->p, w, n) == 0) {
        j->p += n;
        return true;
    }
    return false;
}

static void
add(rl_json *v, char *key, rl_json *item)
{
    v->items = rl_xrealloc(v->items, (v->n + 1) * sizeof *v->items);
    if (v->type == RL_JSON_OBJECT) {
        v->keys = rl_xrealloc(v->keys, (v->n + 1) * sizeof *v->keys);
        v->keys[v->n] = key;
    }
    v->items[v->n++] = item;
}

/* An array or object after its opening bracket. */
static rl_json *
container(struct jp *j, rl_json_type t, int depth)
{
    rl_json *v = node(j, t);
    char close = t == RL_JSON_ARRAY ? ']' : '}';

    if (depth >= RL_JSON_DEPTH) {
        fail(j, "nested too deeply");
        goto bad;
    }
    if (eat(j, close))
        return v;
    do {
        char *key = NULL;
        rl_json *item;

        if (t == RL_JSON_OBJECT) {
            if (!eat(j, '"')) {
                fail(j, "expected a key (a string)");
                goto bad;
            }
            if ((key = string(j)) == NULL)
                goto bad;
            if (!eat(j, ':')) {
                free(key);
                fail(j, "expected ':' after a key");
                goto bad;
            }
        }
        if ((item = value(j, depth + 1)) == NULL) {
            free(key);
            goto bad;
        }
        add(v, key, item);
    } while (eat(j, ','));
    if (!eat(j, close)) {
        fail(j, t == RL_JSON_ARRAY ? "expected ',' or ']'"
                                   : "expected ',' or '}'");
        goto bad;
    }
    return v;
bad:
    rl_json_free(v);
    return NULL;
}

static rl_json *
value(struct jp *j, int depth)
{
    rl_json *v;
    char *end;

    ws(j);
    if (j->p >= j->end) {
        fail(j, "unexpected end of the text");
        return NULL;
    }
    switch (*j->p) {
    case '{': j->p++; return container(j, RL_JSON_OBJECT, depth);
    case '[': j->p++; return container(j, RL_JSON_ARRAY, depth);
    case '"':
        j->p++;
        v = node(j, RL_JSON_STRING);
        if ((v->str = string(j)) == NULL) {
            free(v);
            return NULL;
        }
        return v;
    }
    if (word(j, "null"))
        return node(j, RL_JSON_NULL);
    if (word(j, "true") || word(j, "false")) {
        v = node(j, RL_JSON_BOOL);
        v->b = j->p[-1] == 'e' && j->p[-2] == 'u';
        return v;
    }
    if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
        char tmp[64];
        size_t n = 0;

        /* strtod on a bounded copy: the text need not end in NUL. */
        while (j->p + n < j->end && n < sizeof tmp - 1
               && strchr("+-0123456789.eE", j->p[n]) != NULL)
            n++;
        memcpy(tmp, j->p, n);
        tmp[n] = '\0';
        v = node(j, RL_JSON_NUMBER);
        v->num = strtod(tmp, &end);
        if (end == tmp || (size_t)(end - tmp) != n) {
            free(v);
            fail(j, "a bad number");
            return NULL;
        }
        j->p += n;
        return v;
    }
    fail(j, "expected a value");
    return NULL;
}

rl_json *
rl_json_parse(const char *text, size_t len, rl_err *err)
{
    struct jp j = { text, text + len, 1, err, false };
    rl_json *v = value(&j, 0);

    if (v != NULL) {
        ws(&j);
        if (j.p < j.end) {
            fail(&j, "text after the value");
            rl_json_free(v);
            v = NULL;
        }
    }
    return v;
}

void
rl_json_free(rl_json *v)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < v->n; i++) {
        rl_json_free(v->items[i]);
        if (v->keys != NULL)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

const rl_json *
rl_json_get(const rl_json *v, const char *key)
{
    size_t i;

    if (v == NULL || v->type != RL_JSON_OBJECT)
        return NULL;
    for (i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

const char *
rl_json_str(const rl_json *v)
{
    return v != NULL && v->type == RL_JSON_STRING ? v->str : NULL;
}
