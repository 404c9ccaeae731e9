/* review.c - `relabel review`: temporary until the interface lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int
cmd_review(const cli *c, int argc, char **argv)
{
    char *args[] = { (char *)"stats", NULL };

    (void)argc;
    (void)argv;
    return cmd_stats(c, 1, args);
}
