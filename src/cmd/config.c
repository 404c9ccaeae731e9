/* config.c - `relabel config`: a project's settings (meta table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "relabel/store.h"
#include "relabel/util.h"

static const char CONFIG_HELP[] =
    "Shows or sets a project setting. Keys:\n"
    "  guides    folder of the labeling guide (default: the shipped guide)\n"
    "  examples  folder of example images, one sub-folder per wnid\n"
    "            (DIR/n01440764/*.JPEG, e.g. ImageNet's train set); the\n"
    "            review screen's e key shows them\n"
    "An empty VALUE clears the setting.\n";

static const char *const keys[] = { "guides", "examples" };

static int
cmd_config(const cli *c, const struct cmd_args *ca)
{
    /* argv[1] KEY, argv[2] VALUE, as the command line had them. */
    const char *argv[3] = { "config", cmd_arg(ca, 0), cmd_arg(ca, 1) };
    int argc = ca->argc + 1;
    rl_store *s;
    rl_err e;
    size_t k;
    int rc = 0;

    if (argc > 3)
        return usage_error("config", "give KEY and at most one VALUE");
    if (argc >= 2) {
        for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (strcmp(argv[1], keys[k]) == 0)
                break;
        if (k == sizeof keys / sizeof keys[0])
            return usage_error("config", "unknown key '%s' (guides or "
                               "examples)", argv[1]);
    }
    if ((rc = cmd_open(c, ca->cmd, argc == 3 ? 0 : RL_STORE_READONLY, &s,
                       NULL)) != 0)
        return rc;
    if (argc == 3) {
        struct stat sb;
        char buf[4096];
        const char *v = argv[2];

        if (*v != '\0') {
            if (stat(v, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                fprintf(stderr, "relabel: %s: not a folder\n", v);
                rl_store_close(s);
                return 1;
            }
            if (realpath(v, buf) != NULL)
                v = buf;
        }
        if (rl_store_meta_set(s, argv[1], v, &e) != 0) {
            print_err(&e);
            rc = 1;
        }
    } else {
        for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            char *v;

            if (argc == 2 && strcmp(argv[1], keys[k]) != 0)
                continue;
            v = rl_store_meta_get(s, keys[k]);
            printf("%s\t%s\n", keys[k], v != NULL ? v : "");
            free(v);
        }
    }
    rl_store_close(s);
    return rc;
}

static const struct cmd_arg config_args[] = {
    { "KEY", CMD_CHOICE, "guides|examples" },
    { "VALUE", CMD_DIR, NULL },
    { 0 }
};

static const struct cmd_opt config_opts[] = {
    { 0 }
};

const struct cmd_entry cmd_config_entry = {
    .name = "config",
    .summary = "show or set a project's guide and example folders",
    .usage = "[KEY [VALUE]]", .args = config_args, .max_args = -1,
    .flags = CMD_DB, .opts = config_opts, .text = CONFIG_HELP,
    .run = cmd_config,
};
