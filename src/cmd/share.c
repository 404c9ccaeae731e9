/* share.c - where the shipped data (classes, demo, guides) is found:
 * $RELABEL_SHARE, PREFIX/share/relabel beside the binary, the install
 * folder, or the source tree. Used by init, demo and review; its own
 * module so that none of those depends on another for it. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "relabel/util.h"

static bool
is_dir(const char *p)
{
    struct stat sb;

    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *
share_dir(void)
{
    static char found[PATH_MAX];
    char exe[PATH_MAX], *slash;
    const char *env = getenv("RELABEL_SHARE");
    ssize_t n;

    if (found[0] != '\0')
        return found;
    if (env != NULL && is_dir(env)) {
        snprintf(found, sizeof found, "%s", env);
        return found;
    }
    /* Installed next to the binary: PREFIX/bin/relabel and
     * PREFIX/share/relabel. */
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            char *cand;

            *slash = '\0';
            cand = rl_xasprintf("%s/../share/relabel", exe);
            if (strlen(cand) < sizeof found && is_dir(cand)) {
                memcpy(found, cand, strlen(cand) + 1);
                free(cand);
                return found;
            }
            free(cand);
        }
    }
    snprintf(found, sizeof found, "%s", RL_DATADIR);
    if (is_dir(found))
        return found;
    snprintf(found, sizeof found, "%s", RL_SRC_SHARE);
    return found;
}
