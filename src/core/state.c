/* state.c - names of the verdict states (see state.h). The stored names
 * are fixed by the schema's CHECK constraint on review.state. */
#include "relabel/state.h"

#include <string.h>

static const char *const state_names[RL_STATE_COUNT] = {
    "", "correct", "wrong", "unclear", "dont_know"
};
static const char *const state_labels[RL_STATE_COUNT] = {
    "Unreviewed", "Correct", "Wrong", "Unclear", "Don't know"
};

const char *
rl_state_name(rl_state st)
{
    return st < RL_STATE_COUNT ? state_names[st] : "";
}

const char *
rl_state_label(rl_state st)
{
    return st < RL_STATE_COUNT ? state_labels[st] : "?";
}

char
rl_state_letter(rl_state st)
{
    static const char letters[RL_STATE_COUNT] = { '.', 'C', 'W', 'U', 'D' };

    return st < RL_STATE_COUNT ? letters[st] : '?';
}

int
rl_state_parse(const char *s, rl_state *st)
{
    int i;

    for (i = 1; i < RL_STATE_COUNT; i++) {
        if (s != NULL && strcmp(s, state_names[i]) == 0) {
            *st = (rl_state)i;
            return 0;
        }
    }
    return -1;
}
