/* cmd.c - the one parser behind every command's table (cmd.h): options,
 * help generated from the entry, the bash completion's answers, and the
 * helpers all commands share (usage errors, opening the project).
 *
 * Rules, the same for every command: options and positional arguments may
 * mix; `--name VALUE` or `--name=VALUE`, `-o VALUE` or `-oVALUE`; `--`
 * ends the options; a lone `-` is an argument (standard input or output
 * where a file is expected); -h/--help and --version answer at once. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "relabel/catalog.h"
#include "relabel/journal.h"
#include "relabel/review.h"
#include "relabel/store.h"
#include "relabel/training.h"
#include "relabel/util.h"

#define HELP_WIDTH 79      /* help lines end before this column */
#define HELP_COL 22        /* option help starts here when it fits */

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

int
cmd_need_db(const cli *c, const char *cmd)
{
    if (c->db == NULL || *c->db == '\0')
        return usage_error(cmd, "no project given: use --db FILE or set "
                           "RELABEL_DB");
    return 0;
}

int
cmd_open(const cli *c, const char *cmd, int flags, rl_store **s,
         rl_catalog **cat)
{
    rl_err e;
    int rc;

    *s = NULL;
    if (cat != NULL)
        *cat = NULL;
    if ((rc = cmd_need_db(c, cmd)) != 0)
        return rc;
    if ((*s = rl_store_open(c->db, flags, &e)) == NULL) {
        print_err(&e);
        return 1;
    }
    /* Marks left in the journal while a writer held the lock (or by a
     * killed reviewer) go to the project now, if the lock is free. */
    if (!(flags & RL_STORE_READONLY)
        && rl_journal_apply(*s, RL_JOURNAL_OPEN_WAIT_MS, &e) < 0)
        print_err(&e);
    if (cat != NULL && (*cat = rl_catalog_load(*s, &e)) == NULL) {
        print_err(&e);
        rl_store_close(*s);
        *s = NULL;
        return 1;
    }
    return 0;
}

/* ---- the option table ------------------------------------------------ */

/* Appends the rows of `o` (following includes) to a->opt. */
static void
flatten(struct cmd_args *a, const struct cmd_opt *o)
{
    for (; o != NULL && (o->name != NULL || o->include != NULL); o++) {
        if (o->include != NULL) {
            flatten(a, o->include);
            continue;
        }
        assert(a->n_opts < CMD_MAX_OPTS);
        a->opt[a->n_opts++] = o;
    }
}

static int
nvals(const struct cmd_opt *o)
{
    if (o->type == CMD_FLAG)
        return 0;
    return o->nvals > 0 ? o->nvals : 1;
}

static int
find_long(const struct cmd_args *a, const char *name, size_t len)
{
    int i;

    for (i = 0; i < a->n_opts; i++)
        if (strlen(a->opt[i]->name) == len
            && strncmp(a->opt[i]->name, name, len) == 0)
            return i;
    return -1;
}

static int
find_letter(const struct cmd_args *a, char letter)
{
    int i;

    for (i = 0; i < a->n_opts; i++)
        if (a->opt[i]->letter == letter)
            return i;
    return -1;
}

static int
find_name(const struct cmd_args *a, const char *name)
{
    int k = find_long(a, name, strlen(name));

    /* A name the entry does not have is a typo in a run function. */
    if (k < 0) {
        fprintf(stderr, "relabel: internal error: %s has no option --%s\n",
                a->cmd, name);
        abort();
    }
    return k;
}

const char *
cmd_val(const struct cmd_args *a, const char *name, int i)
{
    int k = find_name(a, name);

    assert(i >= 0 && i < CMD_MAX_VALS);
    return a->count[k] > 0 ? a->val[k][i] : NULL;
}

bool
cmd_has(const struct cmd_args *a, const char *name)
{
    return a->count[find_name(a, name)] > 0;
}

const char *
cmd_arg(const struct cmd_args *a, int i)
{
    return i >= 0 && i < a->argc ? a->argv[i] : NULL;
}

const char *
cmd_input(const char *file)
{
    return file != NULL && strcmp(file, "-") == 0 ? "/dev/stdin" : file;
}

const char *
cmd_output(const char *file)
{
    return file != NULL && strcmp(file, "-") == 0 ? NULL : file;
}

/* True when `v` is one of the '|'-separated `choices`. */
static bool
is_choice(const char *choices, const char *v)
{
    size_t n = strlen(v);
    const char *p = choices;

    while (p != NULL && *p != '\0') {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

        if (len == n && strncmp(p, v, n) == 0)
            return true;
        p = bar != NULL ? bar + 1 : NULL;
    }
    return false;
}

/* "a, b or c" from "a|b|c", into b. */
static void
choice_list(rl_buf *b, const char *choices)
{
    const char *p = choices;

    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

        rl_buf_add(b, p, len);
        if (bar == NULL)
            break;
        rl_buf_adds(b, strchr(bar + 1, '|') != NULL ? ", " : " or ");
        p = bar + 1;
    }
}

/* Stores the values of option k; 0, or 2 after a usage error. */
static int
take_values(struct cmd_args *a, int k, const char *inline_val, int *i,
            int argc, char **argv, const char *shown)
{
    const struct cmd_opt *o = a->opt[k];
    int n = nvals(o), j;

    for (j = 0; j < n; j++) {
        const char *v;

        if (j == 0 && inline_val != NULL) {
            v = inline_val;
        } else if (*i + 1 < argc) {
            v = argv[++*i];
        } else {
            return usage_error(a->cmd, n > 1 ? "%s needs %d values"
                               : "%s needs a value", shown, n);
        }
        if (o->type == CMD_CHOICE && !is_choice(o->choices, v)) {
            rl_buf b = {0};
            char *safe = rl_utf8_sanitize(v);

            choice_list(&b, o->choices);
            usage_error(a->cmd, "unknown %s '%s' (%s)", o->name, safe,
                        rl_buf_str(&b));
            free(safe);
            rl_buf_free(&b);
            return 2;
        }
        a->val[k][j] = v;
    }
    a->count[k]++;
    return 0;
}

/* Parses argv[1..] into `a`. Returns 0, 2 on a usage error, or -1 when
 * it printed the help or the version (exit 0). */
static int
parse(struct cmd_args *a, int argc, char **argv)
{
    bool only_args = false;
    int i, k;

    a->argv = rl_xcalloc((size_t)argc + 1, sizeof *a->argv);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (only_args || arg[0] != '-' || arg[1] == '\0') {
            a->argv[a->argc++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_args = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_help(a->entry, a->cmd, stdout);
            return -1;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("relabel %s\n", RL_VERSION);
            return -1;
        }
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            char *shown = rl_xstrndup(arg, len + 2);
            int r;

            if ((k = find_long(a, arg + 2, len)) < 0) {
                char *safe = rl_utf8_sanitize(shown);

                r = usage_error(a->cmd, "unknown option '%s'", safe);
                free(safe);
            }
            else if (eq != NULL && a->opt[k]->type == CMD_FLAG)
                r = usage_error(a->cmd, "%s takes no value", shown);
            else
                r = take_values(a, k, eq != NULL ? eq + 1 : NULL, &i, argc,
                                argv, shown);
            free(shown);
            if (r != 0)
                return r;
            continue;
        }
        if ((k = find_letter(a, arg[1])) < 0) {
            char *safe = rl_utf8_sanitize(arg);

            usage_error(a->cmd, "unknown option '%s'", safe);
            free(safe);
            return 2;
        }
        if (a->opt[k]->type == CMD_FLAG) {
            if (arg[2] != '\0')
                return usage_error(a->cmd, "unknown option '%s'", arg);
            a->count[k]++;
            continue;
        }
        {
            char shown[3] = { '-', arg[1], '\0' };

            if (take_values(a, k, arg[2] != '\0' ? arg + 2 : NULL, &i, argc,
                            argv, shown) != 0)
                return 2;
        }
    }
    if (a->entry->max_args >= 0 && a->argc > a->entry->max_args) {
        char *safe = rl_utf8_sanitize(a->argv[a->entry->max_args]);

        usage_error(a->cmd, "unexpected argument '%s'", safe);
        free(safe);
        return 2;
    }
    return 0;
}

static const struct cmd_entry *
find_sub(const struct cmd_entry *e, const char *name)
{
    const struct cmd_entry *const *s;

    for (s = e->subs; s != NULL && *s != NULL; s++)
        if (strcmp((*s)->name, name) == 0)
            return *s;
    return NULL;
}

/* "create, list or export": the subcommands' names, into b. */
static void
sub_list(rl_buf *b, const struct cmd_entry *e)
{
    rl_buf bars = {0};
    const struct cmd_entry *const *s;

    for (s = e->subs; *s != NULL; s++)
        rl_buf_printf(&bars, "%s%s", s == e->subs ? "" : "|", (*s)->name);
    choice_list(b, rl_buf_str(&bars));
    rl_buf_free(&bars);
}

int
cmd_dispatch(const struct cmd_entry *e, const char *prefix, const cli *c,
             int argc, char **argv)
{
    struct cmd_args a;
    char *name = prefix != NULL ? rl_xasprintf("%s %s", prefix, e->name)
                                : rl_xstrdup(e->name);
    const struct cmd_entry *sub;
    int rc;

    if (e->subs != NULL && argc > 1 && (sub = find_sub(e, argv[1])) != NULL) {
        rc = cmd_dispatch(sub, name, c, argc - 1, argv + 1);
        free(name);
        return rc;
    }
    memset(&a, 0, sizeof a);
    a.entry = e;
    a.cmd = name;
    flatten(&a, e->opts);
    rc = parse(&a, argc, argv);
    if (rc == 0 && e->run == NULL) {
        /* A family of subcommands and no default: name one. */
        rl_buf b = {0};

        sub_list(&b, e);
        if (a.argc == 0) {
            rc = usage_error(name, "give %s", rl_buf_str(&b));
        } else {
            char *safe = rl_utf8_sanitize(a.argv[0]);

            rc = usage_error(name, "unknown subcommand '%s' (%s)", safe,
                             rl_buf_str(&b));
            free(safe);
        }
        rl_buf_free(&b);
    } else if (rc == 0) {
        rc = e->run(c, &a);
    }
    free(a.argv);
    free(name);
    return rc < 0 ? 0 : rc;
}

/* ---- help ------------------------------------------------------------ */

/* Writes `s` from column `col`, wrapped at HELP_WIDTH with later lines
 * indented to `indent`; '\n' in `s` breaks a line. Ends with a newline. */
static void
wrap(FILE *fp, const char *s, int col, int indent)
{
    while (*s != '\0') {
        size_t word = strcspn(s, " \n");

        if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', fp);
            col++;
        }
        fwrite(s, 1, word, fp);
        col += (int)word;
        s += word;
        if (*s == '\n') {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        }
        while (*s == ' ' || *s == '\n')
            s++;
    }
    fputc('\n', fp);
}

/* "--limit N", "-o, --output FILE", "--format text|csv" into b. */
static void
opt_left(rl_buf *b, const struct cmd_opt *o, bool usage)
{
    if (o->letter != 0 && usage)
        rl_buf_printf(b, "-%c", o->letter);
    else if (o->letter != 0)
        rl_buf_printf(b, "-%c, --%s", o->letter, o->name);
    else
        rl_buf_printf(b, "--%s", o->name);
    if (o->type == CMD_CHOICE && o->meta == NULL)
        rl_buf_printf(b, " %s", o->choices);
    else if (o->type != CMD_FLAG)
        rl_buf_printf(b, " %s", o->meta != NULL ? o->meta : "VALUE");
}

/* Adds `word` to a usage line at *col, wrapping to `indent`. */
static void
usage_word(FILE *fp, const char *word, size_t len, int *col, int indent)
{
    if (*col + 1 + (int)len > HELP_WIDTH) {
        fprintf(fp, "\n%*s", indent, "");
        *col = indent;
    } else {
        fputc(' ', fp);
        (*col)++;
    }
    fwrite(word, 1, len, fp);
    *col += (int)len;
}

/* One usage line: "usage: relabel --db FILE task create [--x N] NAME". */
static void
usage_line(FILE *fp, const struct cmd_entry *e, const char *cmd,
           const char *lead)
{
    const char *p = e->subs != NULL && e->run == NULL ? "SUBCOMMAND ..."
                                                      : e->usage;
    struct cmd_args a;
    rl_buf b = {0};
    int col, indent, i;

    memset(&a, 0, sizeof a);
    flatten(&a, e->opts);
    col = fprintf(fp, "%srelabel %s%s", lead,
                  e->flags & CMD_DB ? "--db FILE " : "", cmd);
    indent = col + 1 < 40 ? col + 1 : 8;
    for (i = 0; i < a.n_opts; i++) {
        rl_buf_reset(&b);
        rl_buf_addc(&b, '[');
        opt_left(&b, a.opt[i], true);
        rl_buf_addc(&b, ']');
        usage_word(fp, b.data, b.len, &col, indent);
    }
    while (p != NULL && *p != '\0') {
        size_t len = strcspn(p, " ");

        usage_word(fp, p, len, &col, indent);
        p += len;
        p += strspn(p, " ");
    }
    fputc('\n', fp);
    rl_buf_free(&b);
}

void
cmd_help(const struct cmd_entry *e, const char *cmd, FILE *fp)
{
    const struct cmd_entry *const *s;
    struct cmd_args a;
    rl_buf b = {0};
    int i;

    usage_line(fp, e, cmd, "usage: ");
    for (s = e->subs; s != NULL && *s != NULL; s++) {
        char *full = rl_xasprintf("%s %s", cmd, (*s)->name);

        usage_line(fp, *s, full, "       ");
        free(full);
    }
    if (e->text != NULL)
        fprintf(fp, "\n%s", e->text);
    memset(&a, 0, sizeof a);
    flatten(&a, e->opts);
    fputs("\nOptions:\n", fp);
    for (i = 0; i < a.n_opts; i++) {
        int col;

        rl_buf_reset(&b);
        opt_left(&b, a.opt[i], false);
        col = fprintf(fp, "  %s", rl_buf_str(&b));
        if (col + 2 > HELP_COL) {
            fprintf(fp, "\n%*s", HELP_COL, "");
        } else {
            fprintf(fp, "%*s", HELP_COL - col, "");
        }
        wrap(fp, a.opt[i]->help != NULL ? a.opt[i]->help : "", HELP_COL,
             HELP_COL);
    }
    fprintf(fp, "  -h, --help%*sthis help\n", HELP_COL - 12, "");
    if (e->subs != NULL) {
        fputs("\nSubcommands:\n", fp);
        for (s = e->subs; *s != NULL; s++) {
            int col = fprintf(fp, "  %s", (*s)->name);

            fprintf(fp, "%*s", col + 2 > HELP_COL ? 2 : HELP_COL - col, "");
            wrap(fp, (*s)->summary, HELP_COL, HELP_COL);
        }
        fprintf(fp, "`relabel %s SUBCOMMAND --help` describes each.\n", cmd);
    }
    if (e->epilog != NULL)
        fprintf(fp, "\n%s", e->epilog);
    rl_buf_free(&b);
}

/* ---- completion ------------------------------------------------------ */

/* The global options, for completion; main.c parses them. */
static const struct cmd_opt global_opts[] = {
    { .name = "db", .type = CMD_FILE, .meta = "FILE" },
    { .name = "reviewer", .type = CMD_TEXT, .meta = "NAME" },
    { .name = "version", .type = CMD_FLAG },
    { .name = "help", .type = CMD_FLAG },
    { 0 }
};

struct completion {
    const char *prefix;    /* the word being completed */
    size_t len;            /* its length */
};

static void
offer(void *ctx, const char *word)
{
    const struct completion *k = ctx;
    const unsigned char *p;

    if (strncmp(word, k->prefix, k->len) != 0)
        return;
    /* Nothing that would reach the terminal unsafely, nor split in two
     * lines: such a name is left out rather than offered altered. */
    if (!rl_utf8_valid(word, strlen(word)))
        return;
    for (p = (const unsigned char *)word; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return;
    puts(word);
}

static void
offer_choices(struct completion *k, const char *choices)
{
    char *dup = rl_xstrdup(choices), *p, *save = NULL;

    puts("words");
    for (p = strtok_r(dup, "|", &save); p; p = strtok_r(NULL, "|", &save))
        offer(k, p);
    free(dup);
}

static void
offer_tasks(struct completion *k, rl_store *s, const char *reviewer)
{
    rl_task_list l;
    rl_err e;
    size_t i;

    if (rl_task_list_load(s, reviewer, &l, &e) != 0)
        return;
    for (i = 0; i < l.n; i++)
        offer(k, l.items[i].name);
    rl_task_list_free(&l);
}

/* Offers the values of type `t`; the project is opened only when asked. */
static void
offer_type(struct completion *k, enum cmd_val t, const char *choices,
           const char *db, const char *reviewer)
{
    rl_store *s;
    rl_err e;

    if (t == CMD_CHOICE) {
        offer_choices(k, choices);
        return;
    }
    if (t == CMD_FILE || t == CMD_DIR) {
        puts(t == CMD_FILE ? "files" : "dirs");
        return;
    }
    puts("words");
    if ((t != CMD_IMAGE && t != CMD_TASK) || db == NULL || *db == '\0')
        return;
    if ((s = rl_store_open(db, RL_STORE_READONLY, &e)) == NULL)
        return;
    if (t == CMD_IMAGE)
        rl_image_names(s, k->prefix, 2000, offer, k, &e);
    else
        offer_tasks(k, s, reviewer);
    rl_store_close(s);
}

static void
offer_options(struct completion *k, const struct cmd_args *a)
{
    rl_buf b = {0};
    int i;

    puts("words");
    for (i = 0; i < a->n_opts; i++) {
        rl_buf_reset(&b);
        rl_buf_printf(&b, "--%s", a->opt[i]->name);
        offer(k, rl_buf_str(&b));
    }
    if (a->entry != NULL)
        offer(k, "--help");
    rl_buf_free(&b);
}

/* The positional argument `n` of `e`: its spec, or NULL. */
static const struct cmd_arg *
nth_arg(const struct cmd_entry *e, int n)
{
    int i;

    if (e->args == NULL || e->args[0].meta == NULL)
        return NULL;
    for (i = 0; i < n && e->args[i + 1].meta != NULL; i++)
        ;
    if (i < n && (e->usage == NULL || strstr(e->usage, "...") == NULL))
        return NULL;
    return &e->args[i];
}

int
cmd_complete(const cli *c, int argc, char **argv)
{
    const struct cmd_entry *e = NULL;
    const char *db = c->db;
    struct cmd_args a;
    struct completion k;
    int i, k_opt, n_pos = 0, cur = argc - 1;

    memset(&a, 0, sizeof a);
    flatten(&a, global_opts);
    k.prefix = argc > 0 ? argv[cur] : "";
    k.len = strlen(k.prefix);
    for (i = 0; i < cur; i++) {
        const char *w = argv[i];

        if (w[0] == '-' && w[1] == '-' && w[2] != '\0'
            && strchr(w, '=') == NULL
            && (k_opt = find_long(&a, w + 2, strlen(w + 2))) >= 0
            && nvals(a.opt[k_opt]) > 0) {
            int n = nvals(a.opt[k_opt]);

            if (e == NULL && strcmp(w, "--db") == 0 && i + 1 < cur)
                db = argv[i + 1];
            if (i + n >= cur) {
                /* The word is this option's value. */
                offer_type(&k, a.opt[k_opt]->type, a.opt[k_opt]->choices,
                           db, c->reviewer);
                return 0;
            }
            i += n;
            continue;
        }
        if (w[0] == '-' && w[1] != '\0')
            continue;
        if (e == NULL) {
            for (e = NULL, k_opt = 0; cmd_table[k_opt] != NULL; k_opt++)
                if (strcmp(cmd_table[k_opt]->name, w) == 0)
                    e = cmd_table[k_opt];
            if (e == NULL)
                return 0;
        } else if (n_pos == 0 && e->subs != NULL && find_sub(e, w) != NULL) {
            e = find_sub(e, w);
        } else {
            n_pos++;
            continue;
        }
        memset(&a, 0, sizeof a);
        a.entry = e;
        flatten(&a, e->opts);
    }
    if (k.prefix[0] == '-') {
        offer_options(&k, &a);
    } else if (e == NULL) {
        puts("words");
        for (i = 0; cmd_table[i] != NULL; i++)
            if (!(cmd_table[i]->flags & CMD_HIDDEN))
                offer(&k, cmd_table[i]->name);
    } else if (n_pos == 0 && e->subs != NULL) {
        const struct cmd_entry *const *s;

        puts("words");
        for (s = e->subs; *s != NULL; s++)
            offer(&k, (*s)->name);
    } else {
        const struct cmd_arg *p = nth_arg(e, n_pos);

        if (p != NULL)
            offer_type(&k, p->type, p->choices, db, c->reviewer);
        else
            puts("words");
    }
    return 0;
}
