/* main.c - global options and dispatch to the commands in src/cmd/.
 * The only place that calls exit(). */
#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "relabel/util.h"

static const char USAGE[] =
    "usage: relabel [--db FILE] [--reviewer NAME] COMMAND [ARGS]\n"
    "\n"
    "Build multi-label ground truth for image classification benchmarks.\n"
    "\n"
    "Commands:\n"
    "  init       create a project with the ImageNet-1k catalog\n"
    "  import     import labels, images, predictions or reviews (CSV)\n"
    "  export     export reviews as CSV (long, wide) or ReaL JSON\n"
    "  stats      counts of images, candidates and reviews per reviewer\n"
    "  eval       score model predictions against the project's labels\n"
    "  disagreements  candidates on which reviewers differ\n"
    "  dawid-skene    fit Dawid-Skene to raw vote counts (ReaL's ratings)\n"
    "  review     open the review screen\n"
    "  classes    search the label set by name, gloss, wnid or index\n"
    "  config     show or set a project's guide and example folders\n"
    "  task       create, list and export training tasks\n"
    "  assign     split the images among reviewers\n"
    "  merge      bring in the reviews made in another copy of the project\n"
    "  train      the home screen: training tasks and the review queue\n"
    "  demo       create (first time) and open the demo project\n"
    "  check      is the project file sound; --repair copies what is readable\n"
    "\n"
    "Global options:\n"
    "  --db FILE        the project file (default: $RELABEL_DB)\n"
    "  --reviewer NAME  who is reviewing (default: $RELABEL_REVIEWER, then\n"
    "                   the login name)\n"
    "  --help, --version\n"
    "\n"
    "`relabel COMMAND --help` describes each command.\n";

static const struct {
    const char *name;
    int (*run)(const cli *, int, char **);
} commands[] = {
    { "init", cmd_init },
    { "import", cmd_import },
    { "export", cmd_export },
    { "stats", cmd_stats },
    { "eval", cmd_eval },
    { "disagreements", cmd_disagreements },
    { "dawid-skene", cmd_dawid_skene },
    { "review", cmd_review },
    { "classes", cmd_classes },
    { "config", cmd_config },
    { "task", cmd_task },
    { "assign", cmd_assign },
    { "merge", cmd_merge },
    { "train", cmd_train },
    { "demo", cmd_demo },
    { "check", cmd_check },
};

bool
arg_opt(argscan *a, const char *name, const char **val, bool *bad)
{
    const char *arg = a->argv[a->i];
    size_t n = strlen(name);

    if (strncmp(arg, name, n) != 0)
        return false;
    if (arg[n] == '=') {
        *val = arg + n + 1;
        a->i++;
        return true;
    }
    if (arg[n] != '\0')
        return false;
    if (a->i + 1 >= a->argc) {
        usage_error(a->cmd, "%s needs a value", name);
        *bad = true;
        a->i++;
        return true;
    }
    *val = a->argv[a->i + 1];
    a->i += 2;
    return true;
}

bool
arg_flag(argscan *a, const char *name)
{
    if (strcmp(a->argv[a->i], name) != 0)
        return false;
    a->i++;
    return true;
}

bool
arg_info(argscan *a, const char *help)
{
    if (arg_flag(a, "--help")) {
        fputs(help, stdout);
        return true;
    }
    if (arg_flag(a, "--version")) {
        printf("relabel %s\n", RL_VERSION);
        return true;
    }
    return false;
}

int
usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "relabel%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see relabel%s%s --help)\n", cmd ? " " : "",
            cmd ? cmd : "");
    return 2;
}

void
print_err(const rl_err *e)
{
    char *safe = rl_utf8_sanitize(e->msg);

    fprintf(stderr, "relabel: %s\n", safe);
    free(safe);
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

static bool
valid_reviewer(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (*p == '\0' || strlen(s) > 64 || !rl_utf8_valid(s, strlen(s)))
        return false;
    for (; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == ',' || *p == '"')
            return false;
    return true;
}

int
main(int argc, char **argv)
{
    cli c = { getenv("RELABEL_DB"), NULL };
    argscan a = { argc, argv, 1, NULL };
    bool bad = false;
    size_t k;

    setlocale(LC_ALL, "");
    while (a.i < argc && argv[a.i][0] == '-') {
        if (arg_flag(&a, "--help") || arg_flag(&a, "-h")) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (arg_flag(&a, "--version")) {
            printf("relabel %s\n", RL_VERSION);
            return 0;
        }
        if (arg_opt(&a, "--db", &c.db, &bad)
            || arg_opt(&a, "--reviewer", &c.reviewer, &bad)) {
            if (bad)
                return 2;
            continue;
        }
        return usage_error(NULL, "unknown option '%s'", argv[a.i]);
    }
    if (a.i >= argc) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (c.reviewer == NULL)
        c.reviewer = login_name();
    if (!valid_reviewer(c.reviewer))
        return usage_error(NULL, "reviewer name must be 1-64 printable "
                           "characters without commas or quotes");
    for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[a.i], commands[k].name) == 0)
            return commands[k].run(&c, argc - a.i, argv + a.i);
    return usage_error(NULL, "unknown command '%s'", argv[a.i]);
}
