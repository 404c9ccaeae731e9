/* test_json.c - the JSON reader: every value type, escapes (surrogate
 * pairs to UTF-8), line numbers, lookups, and malformed text refused with
 * the line and what is wrong (truncation, trailing text, bad escapes, a
 * NUL, control characters, nesting past the cap). */
#include "relabel/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "t.h"

static rl_json *
parse(const char *s, rl_err *err)
{
    return rl_json_parse(s, strlen(s), err);
}

static void
refused(const char *text, const char *msg, const char *what)
{
    rl_err err;
    rl_json *v = parse(text, &err);

    ok(v == NULL && err.code == RL_E_PARSE && strcmp(err.msg, msg) == 0,
       "%s: %s", what, v == NULL ? err.msg : "accepted");
    rl_json_free(v);
}

int
main(void)
{
    rl_err err;
    rl_json *v = parse(" {\"a\": [1, -2.5e1, true, false, null],\n"
                       "  \"s\": \"q\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\",\n"
                       "  \"o\": {}, \"e\": [], \"a\": 2} ", &err);
    const rl_json *a;
    char deep[200];
    int i;

    ok(v != NULL && v->type == RL_JSON_OBJECT && v->n == 5, "an object");
    a = rl_json_get(v, "a");
    ok(a != NULL && a->type == RL_JSON_ARRAY && a->n == 5
       && a->items[0]->num == 1 && a->items[1]->num == -25
       && a->items[2]->b && !a->items[3]->b
       && a->items[4]->type == RL_JSON_NULL, "numbers, booleans, null; a "
       "repeated key gives the first");
    is_str(rl_json_str(rl_json_get(v, "s")),
           "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80", "escapes, surrogate pair");
    ok(rl_json_get(v, "s")->line == 2 && a->line == 1, "lines of values");
    ok(rl_json_get(v, "o")->n == 0 && rl_json_get(v, "e")->n == 0
       && rl_json_get(v, "zz") == NULL && rl_json_get(a, "a") == NULL
       && rl_json_str(a) == NULL, "empty containers; lookups that miss");
    rl_json_free(v);
    v = parse("\"\"", &err);
    ok(v != NULL && strcmp(rl_json_str(v), "") == 0, "an empty string");
    rl_json_free(v);

    refused("{\"a\": [1,\n 2", "2: expected ',' or ']'", "truncated");
    refused("[1] 2", "1: text after the value", "trailing text");
    refused("\"\\x\"", "1: an unknown escape in a string", "bad escape");
    refused("\"\\u0000\"", "1: a NUL character inside a string", "NUL");
    refused("\"\\ud800\"", "1: a lone surrogate in a \\u escape",
            "lone surrogate");
    refused("\"a\nb\"", "1: a control character inside a string",
            "raw newline in a string");
    refused("{1: 2}", "1: expected a key (a string)", "number as a key");
    refused("[1.2.3]", "1: a bad number", "bad number");
    refused("", "1: unexpected end of the text", "empty text");
    refused("nul", "1: expected a value", "a bad word");
    for (i = 0; i < 100; i++)
        deep[i] = '[';
    deep[100] = '\0';
    refused(deep, "1: nested too deeply", "nesting past the cap");
    return t_done();
}
