/* state.h - what a reviewer can say about one candidate label, and its
 * names. A header of its own so that review, consensus and the importers
 * share it without including each other. Knows nothing of the screen. */
#ifndef RL_STATE_H
#define RL_STATE_H

typedef enum rl_state {
    RL_STATE_NONE,        /* unreviewed: no row stored */
    RL_STATE_CORRECT,
    RL_STATE_WRONG,
    RL_STATE_UNCLEAR,
    RL_STATE_DONT_KNOW,
    RL_STATE_COUNT
} rl_state;

/* "correct", "wrong", "unclear", "dont_know"; "" for RL_STATE_NONE. */
const char *rl_state_name(rl_state st);
/* Human label: "Correct", "Wrong", "Unclear", "Don't know", "Unreviewed". */
const char *rl_state_label(rl_state st);
/* Marker letter for monochrome screens: C W U D and '.' for none. */
char rl_state_letter(rl_state st);
/* Parses the stored names; 0, or -1 for anything else. */
int rl_state_parse(const char *s, rl_state *st);

#endif
