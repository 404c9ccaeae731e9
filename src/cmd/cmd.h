/* cmd.h - the command-line commands behind `relabel COMMAND`.
 * Each takes the global options and its own argv (argv[0] = command) and
 * returns the process exit status: 0 ok, 1 failure, 2 usage error. */
#ifndef RL_CMD_H
#define RL_CMD_H

#include <stdbool.h>

#include "relabel/err.h"

typedef struct cli {
    const char *db;        /* --db, or $RELABEL_DB; may be NULL */
    const char *reviewer;  /* --reviewer, $RELABEL_REVIEWER, login name */
} cli;

/* Option scanner: `--name VALUE`, `--name=VALUE`, flags `--name`. */
typedef struct argscan {
    int argc;
    char **argv;
    int i;                 /* next argument */
    const char *cmd;       /* for messages */
} argscan;

/* True if argv[i] is option `name`; on a valued option stores the value
 * in *val (advancing past it) or prints a usage error and sets *bad. */
bool arg_opt(argscan *a, const char *name, const char **val, bool *bad);
bool arg_flag(argscan *a, const char *name);
/* --help (prints `help`) or --version (prints the version) at argv[i]:
 * true when it printed, and the command then exits 0. */
bool arg_info(argscan *a, const char *help);
/* Prints "relabel CMD: MSG" to stderr and returns 2. */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "relabel: MESSAGE" to stderr, the message sanitised. */
void print_err(const rl_err *e);

/* The folder of shipped data (classes, demo, guides). */
const char *share_dir(void);

int cmd_init(const cli *c, int argc, char **argv);
int cmd_import(const cli *c, int argc, char **argv);
int cmd_export(const cli *c, int argc, char **argv);
int cmd_stats(const cli *c, int argc, char **argv);
int cmd_demo(const cli *c, int argc, char **argv);
int cmd_review(const cli *c, int argc, char **argv);
int cmd_classes(const cli *c, int argc, char **argv);
int cmd_config(const cli *c, int argc, char **argv);
int cmd_eval(const cli *c, int argc, char **argv);
int cmd_disagreements(const cli *c, int argc, char **argv);
int cmd_dawid_skene(const cli *c, int argc, char **argv);

/* Prints the reviewers' agreement table (stats --agreement); exit status. */
struct rl_store;
int eval_print_agreement(struct rl_store *s);
int cmd_task(const cli *c, int argc, char **argv);
int cmd_assign(const cli *c, int argc, char **argv);
int cmd_merge(const cli *c, int argc, char **argv);
int cmd_train(const cli *c, int argc, char **argv);
int cmd_check(const cli *c, int argc, char **argv);
/* `eval --humans`: human accuracy on evaluation-mode tasks. */
int eval_humans(const cli *c, bool csv);

#endif
