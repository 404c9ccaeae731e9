/* cmd.h - the command-line commands behind `relabel COMMAND`.
 *
 * Every command is one `const struct cmd_entry` in the file of its family
 * (project.c, eval.c, review.c, ...), listed once in main.c's table. The
 * entry holds the name, the options (one `struct cmd_opt` row each, with
 * the value's type and the help line), the positional arguments, the help
 * text and the run function. One parser (cmd.c) serves them all, so every
 * command and subcommand answers -h/--help from its entry, `--` ends the
 * options, and the bash completion (`relabel __complete`) reads the same
 * rows, after tmux's cmd_entry and its argument spec.
 *
 * A run function gets the global options and the parsed arguments and
 * returns the process exit status: 0 ok, 1 failure, 2 usage error.
 *
 * A new option is one row in its command's `opts` table, read in the run
 * function with cmd_get(a, "name") or cmd_has(a, "name"). A new command
 * is a static run function and a `const struct cmd_entry cmd_X_entry` in
 * its family's file, declared below and listed once in main.c's
 * cmd_table; a subcommand is an entry in its parent's `subs`. */
#ifndef RL_CMD_H
#define RL_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "relabel/err.h"

struct rl_store;
struct rl_catalog;

typedef struct cli {
    const char *db;        /* --db, or $RELABEL_DB; may be NULL */
    const char *reviewer;  /* --reviewer, $RELABEL_REVIEWER, login name */
} cli;

/* What an option's value (or a positional argument) is: the parser checks
 * CMD_CHOICE, the completion offers choices, files, folders or names. */
enum cmd_val {
    CMD_FLAG,              /* an option without a value */
    CMD_TEXT,              /* any text */
    CMD_NUMBER,            /* a number; the command checks its range */
    CMD_CHOICE,            /* one of `choices`, checked by the parser */
    CMD_FILE,              /* a file; "-" is standard input or output */
    CMD_DIR,               /* a folder */
    CMD_IMAGE,             /* an image name of the project */
    CMD_TASK,              /* a training task's name */
    CMD_CLASS              /* a wnid or class index */
};

#define CMD_MAX_VALS 2     /* values one option takes at most (--pair A B) */

struct cmd_opt {
    const char *name;      /* long name without "--": "limit" */
    char letter;           /* short form (-o), or 0 */
    enum cmd_val type;     /* CMD_FLAG, or the type of the value(s) */
    const char *meta;      /* the value in help: "N", "FILE", "A B" */
    const char *choices;   /* CMD_CHOICE: "text|csv"; else NULL */
    const char *help;      /* help text; '\n' starts a new line */
    int nvals;             /* values taken; 0 means 1 (or 0 for a flag) */
    const struct cmd_opt *include;  /* a shared table used in this row's
                                       place (name NULL), or NULL */
};

/* A positional argument, for the usage line's checks and completion. */
struct cmd_arg {
    const char *meta;      /* "KIND", "FILE" */
    enum cmd_val type;     /* what completes it */
    const char *choices;   /* CMD_CHOICE: "labels|images" */
};

enum {
    CMD_DB = 1 << 0,       /* works on the project: usage shows --db FILE */
    CMD_HIDDEN = 1 << 1,   /* left out of `relabel --help` and completion */
};

struct cmd_args;
struct cmd_entry {
    const char *name;      /* "classes", or "create" under "task" */
    const char *summary;   /* the line in `relabel --help` */
    const char *usage;     /* the positional part of the usage line,
                              e.g. "QUERY...", after the options */
    const struct cmd_arg *args;  /* positional arguments, meta NULL ends;
                                    the last one repeats if usage ends
                                    in "..." */
    int max_args;          /* positionals at most, 0 (default) none; more:
                              "unexpected argument";
                              -1: no limit. Too few: the run function
                              says what to give */
    unsigned flags;        /* CMD_DB, CMD_HIDDEN */
    const struct cmd_opt *opts;  /* rows, name NULL and include NULL end */
    const char *text;      /* help after the usage line, before options */
    const char *epilog;    /* help after the options, or NULL */
    int (*run)(const cli *c, const struct cmd_args *a);
    const struct cmd_entry *const *subs;  /* subcommands, NULL ends; the
                                             entry's run (if any) takes
                                             arguments that name none */
};

/* The parsed command line of one command; borrowed from argv and the
 * entry, valid while they are. */
#define CMD_MAX_OPTS 48
struct cmd_args {
    const struct cmd_entry *entry;  /* the command run */
    const char *cmd;       /* its full name for messages: "task create" */
    int argc;              /* positional arguments */
    char **argv;           /* them, NULL-terminated; owned by cmd_args */
    int n_opts;            /* rows in the flattened option table */
    const struct cmd_opt *opt[CMD_MAX_OPTS];  /* flattened rows */
    int count[CMD_MAX_OPTS];                  /* times each was given */
    const char *val[CMD_MAX_OPTS][CMD_MAX_VALS];  /* the last values */
};

/* The commands, in main.c's order; NULL ends. */
extern const struct cmd_entry *const cmd_table[];

/* Parses argv (argv[0] = the command's name) against `e`, descending into
 * subcommands, and runs the command. -h/--help print the help generated
 * from the entry, --version the version; both exit 0. `prefix` names the
 * parent for messages ("task"), or NULL. Returns the exit status. */
int cmd_dispatch(const struct cmd_entry *e, const char *prefix, const cli *c,
                 int argc, char **argv);
/* Prints the help of `e` (full name `cmd`) to `fp`, generated from it. */
void cmd_help(const struct cmd_entry *e, const char *cmd, FILE *fp);

/* The value of option `name` (long name without "--"), the i-th of its
 * values, or NULL when it was not given. Aborts on a name not in the
 * entry: a typo in a run function is a bug, not input. */
const char *cmd_val(const struct cmd_args *a, const char *name, int i);
static inline const char *
cmd_get(const struct cmd_args *a, const char *name)
{
    return cmd_val(a, name, 0);
}
/* True when the flag or option `name` was given. */
bool cmd_has(const struct cmd_args *a, const char *name);
/* The i-th positional argument, or NULL. */
const char *cmd_arg(const struct cmd_args *a, int i);

/* Where a file is read: "-" is standard input ("/dev/stdin"), anything
 * else itself. */
const char *cmd_input(const char *file);
/* Where a file is written: NULL (standard output) for NULL or "-". */
const char *cmd_output(const char *file);

/* `relabel __complete WORD...`: the words of a bash command line after
 * "relabel" (the last one being completed) -> the mode ("words", "files"
 * or "dirs") and the candidates on stdout, one a line. */
int cmd_complete(const cli *c, int argc, char **argv);

/* Prints "relabel CMD: MSG (see relabel CMD --help)" and returns 2. */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "relabel: MESSAGE" to stderr, the message sanitised. */
void print_err(const rl_err *e);

/* 0 when --db (or $RELABEL_DB) names a project; else prints "no project
 * given" for `cmd` and returns 2. */
int cmd_need_db(const cli *c, const char *cmd);
/* Opens the project of --db for command `cmd` with rl_store_open flags,
 * and its catalog when `cat` is not NULL. Returns 0 with *s (and *cat)
 * set, which the caller closes and frees; 2 after "no project given" when
 * there is no --db; 1 after printing why it could not be opened. */
int cmd_open(const cli *c, const char *cmd, int flags, struct rl_store **s,
             struct rl_catalog **cat);

/* The terminal options (--pixels, --render, --colors, --color) of the
 * review commands and doctor, and what they say, into `o`
 * (RL_TERMOPTS_AUTO where not given). termopt.c. */
struct rl_termopts;
extern const struct cmd_opt cmd_term_opts[];
void cmd_term_options(const struct cmd_args *a, struct rl_termopts *o);
/* Prints what the terminal was detected to draw and why (sanitised), for
 * `doctor` and --print-terminal; returns the exit status. doctor.c. */
int doctor_print(const struct rl_termopts *opt);

/* The folder of shipped data (classes, demo, guides). share.c. */
const char *share_dir(void);

/* The commands of each family. */
extern const struct cmd_entry cmd_init_entry, cmd_import_entry,
    cmd_export_entry, cmd_stats_entry, cmd_demo_entry;      /* project.c */
extern const struct cmd_entry cmd_eval_entry, cmd_disagreements_entry,
    cmd_dawid_skene_entry;                                  /* eval.c */
extern const struct cmd_entry cmd_review_entry, cmd_train_entry;
                                                            /* review.c */
extern const struct cmd_entry cmd_classes_entry;            /* classes.c */
extern const struct cmd_entry cmd_config_entry;             /* config.c */
extern const struct cmd_entry cmd_task_entry;               /* task.c */
extern const struct cmd_entry cmd_assign_entry, cmd_merge_entry;
                                                            /* team.c */
extern const struct cmd_entry cmd_doctor_entry;             /* doctor.c */
extern const struct cmd_entry cmd_check_entry;              /* check.c */

/* review.c: runs review or train on project `c` (demo reuses them). */
int cmd_review(const cli *c, const struct cmd_args *a);
int cmd_train(const cli *c, const struct cmd_args *a);
/* review.c: the display options shared by review and train, and the
 * whole option tables of each (demo reuses them). */
extern const struct cmd_opt cmd_ui_opts[], cmd_review_opts[],
    cmd_train_opts[];

/* Prints the reviewers' agreement table (stats --agreement); exit status. */
int eval_print_agreement(struct rl_store *s);
/* `eval --humans`: human accuracy on evaluation-mode tasks. */
int eval_humans(const cli *c, bool csv);

#endif
