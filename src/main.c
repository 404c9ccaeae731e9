/* main.c - global options, the table of commands, and dispatch to the
 * command families in src/cmd/. The only place that calls exit(). */
#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ttyout.h"
#include "relabel/csvio.h"
#include "relabel/util.h"

/* Every command, in the order `relabel --help` lists them. A new command
 * is its entry in its family's file plus one line here. */
const struct cmd_entry *const cmd_table[] = {
    &cmd_init_entry,
    &cmd_import_entry,
    &cmd_export_entry,
    &cmd_stats_entry,
    &cmd_eval_entry,
    &cmd_disagreements_entry,
    &cmd_dawid_skene_entry,
    &cmd_review_entry,
    &cmd_classes_entry,
    &cmd_config_entry,
    &cmd_task_entry,
    &cmd_assign_entry,
    &cmd_merge_entry,
    &cmd_train_entry,
    &cmd_demo_entry,
    &cmd_check_entry,
    &cmd_doctor_entry,
    NULL
};

static void
usage(FILE *fp)
{
    size_t i;

    fputs("usage: relabel [--db FILE] [--reviewer NAME] COMMAND [ARGS]\n"
          "\n"
          "Build multi-label ground truth for image classification "
          "benchmarks.\n"
          "\n"
          "Commands:\n", fp);
    for (i = 0; cmd_table[i] != NULL; i++) {
        const struct cmd_entry *e = cmd_table[i];

        if (e->flags & CMD_HIDDEN)
            continue;
        if (strlen(e->name) < 11)
            fprintf(fp, "  %-10s %s\n", e->name, e->summary);
        else
            fprintf(fp, "  %s  %s\n", e->name, e->summary);
    }
    fputs("\n"
          "Global options:\n"
          "  --db FILE        the project file (default: $RELABEL_DB)\n"
          "  --reviewer NAME  who is reviewing (default: $RELABEL_REVIEWER, "
          "then\n"
          "                   the login name)\n"
          "  --help, --version\n"
          "\n"
          "`relabel COMMAND --help` describes each command.\n", fp);
}

static const char *
login_name(void)
{
    const char *env = getenv("RELABEL_REVIEWER");
    struct passwd *pw;

    if (env != NULL && *env != '\0')
        return env;
    pw = getpwuid(getuid());
    if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
        return pw->pw_name;
    env = getenv("USER");
    return env != NULL && *env != '\0' ? env : "reviewer";
}

/* --db FILE, --db=FILE: true when argv[*i] is option `name`, its value in
 * *val; 2 in *rc when the value is missing. */
static bool
global_opt(int argc, char **argv, int *i, const char *name,
           const char **val, int *rc)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);

    if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
        return false;
    if (arg[n] == '=') {
        *val = arg + n + 1;
    } else if (*i + 1 < argc) {
        *val = argv[++*i];
    } else {
        *rc = usage_error(NULL, "%s needs a value", name);
    }
    return true;
}

int
main(int argc, char **argv)
{
    cli c = { getenv("RELABEL_DB"), NULL };
    int i = 1, rc = 0;
    size_t k;

    setlocale(LC_ALL, "");
    ttyout_install();              /* data never reaches a terminal raw */
    signal(SIGXFSZ, SIG_IGN);      /* a write over ulimit -f: EFBIG */
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("relabel %s\n", RL_VERSION);
            return 0;
        }
        if (global_opt(argc, argv, &i, "--db", &c.db, &rc)
            || global_opt(argc, argv, &i, "--reviewer", &c.reviewer, &rc)) {
            if (rc != 0)
                return rc;
            i++;
            continue;
        }
        return usage_error(NULL, "unknown option '%s'", argv[i]);
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (c.reviewer == NULL)
        c.reviewer = login_name();
    /* The completion reads the command line as typed, before checks. */
    if (strcmp(argv[i], "__complete") == 0)
        return cmd_complete(&c, argc - i - 1, argv + i + 1);
    if (!rl_reviewer_valid(c.reviewer))
        return usage_error(NULL, "reviewer name must be %s",
                           RL_REVIEWER_RULE);
    for (k = 0; cmd_table[k] != NULL; k++)
        if (strcmp(argv[i], cmd_table[k]->name) == 0)
            return cmd_dispatch(cmd_table[k], NULL, &c, argc - i, argv + i);
    return usage_error(NULL, "unknown command '%s'", argv[i]);
}
