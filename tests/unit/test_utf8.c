/* test_utf8.c - the streaming sanitiser behind the terminal output filter,
 * and fitting text at character boundaries. */
#include <string.h>

#include "relabel/err.h"
#include "relabel/util.h"
#include "t.h"

/* Feeds `s` in pieces of `step` bytes, then flushes. */
static char *
stream(const char *s, size_t step)
{
    rl_utf8_stream st = {0};
    rl_buf out = {0};
    size_t n = strlen(s), i;

    rl_buf_add(&out, "", 0);
    for (i = 0; i < n; i += step)
        rl_utf8_sanitize_stream(&st, s + i, n - i < step ? n - i : step,
                                false, &out);
    rl_utf8_sanitize_stream(&st, "", 0, true, &out);
    return out.data;
}

int
main(void)
{
    const char *evil = "a\033]2;PWNED\a\xe2\x80\xae|\xc2\x9b" "b\n\tc\r";
    const char *want = "a\\x1b]2;PWNED\\x07\\u202e|\\x9bb\n\tc\\r";
    char *got;
    size_t step;

    for (step = 1; step <= 5; step++) {
        got = stream(evil, step);
        is_str(got, want, "controls escaped, newline and tab kept");
        free(got);
    }
    got = stream("caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80", 1);
    is_str(got, "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80",
           "characters cut between writes are put back together");
    free(got);
    got = stream("x\xe6\x97", 8);
    is_str(got, "x\\xe6\\x97", "an unfinished character at the end: \\xNN");
    free(got);
    got = stream("\xff\xc3(", 1);
    is_str(got, "\\xff\\xc3(", "invalid bytes: \\xNN");
    free(got);

    /* Cutting at a character boundary (issue 14: a 512-byte line buffer
     * cut names inside a UTF-8 character). */
    {
        char buf[8], big[700];
        rl_err err;
        size_t i;

        is_int(rl_utf8_whole("ab\xe6\x97", 4), 2, "a cut 3-byte char dropped");
        is_int(rl_utf8_whole("ab\xe6\x97\xa5", 5), 5, "a whole one kept");
        is_int(rl_utf8_whole("ab\xc3", 3), 2, "a cut 2-byte char dropped");
        is_int(rl_utf8_whole("a\xff", 2), 2, "an invalid byte is no cut");
        rl_utf8_snprintf(buf, sizeof buf, "%s", "abcd\xc3\xa9\xc3\xa9");
        is_str(buf, "abcd\xc3\xa9", "snprintf cuts before the character");
        for (i = 0; i + 2 < sizeof big; i += 2)
            memcpy(big + i, "\xc3\xa9", 2);
        big[i] = '\0';
        rl_err_set(&err, RL_E_PARSE, "xy%s", big);  /* cut inside one */
        ok(rl_utf8_valid(err.msg, strlen(err.msg))
           && strlen(err.msg) == sizeof err.msg - 2,
           "an error message cut short stays valid UTF-8");
        rl_err_set(&err, RL_E_PARSE, "%s", "abc");
        rl_err_prefix(&err, "%s", big);
        ok(rl_utf8_valid(err.msg, strlen(err.msg)), "... and a prefixed one");
    }
    {
        /* A prefix before a long message keeps the prefix whole and as
         * much of the message as fits. */
        char longmsg[400];
        rl_err err;

        memset(longmsg, 'x', sizeof longmsg - 1);
        longmsg[sizeof longmsg - 1] = '\0';
        rl_err_set(&err, RL_E_PARSE, "%s", longmsg);
        rl_err_prefix(&err, "%s:%d", "labels.csv", 3);
        ok(strncmp(err.msg, "labels.csv:3: xxx", 17) == 0
           && strlen(err.msg) == sizeof err.msg - 1
           && strspn(err.msg + 14, "x") == sizeof err.msg - 15,
           "a prefixed long message is cut at the end (%zu bytes)",
           strlen(err.msg));
        rl_err_set(&err, RL_E_PARSE, "%s", "short");
        rl_err_prefix(&err, "%s:%d", "labels.csv", 3);
        is_str(err.msg, "labels.csv:3: short", "a short one is whole");
    }
    return t_done();
}
