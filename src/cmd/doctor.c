/* doctor.c - `relabel doctor`: what the terminal was detected to draw,
 * and why (issue 11). The same detection the review screen runs, without
 * starting curses. Everything printed is sanitised: the terminal's own
 * replies are kept as printable ASCII by termcaps.c, environment text
 * passes rl_utf8_sanitize here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "relabel/termcaps.h"
#include "relabel/util.h"
#include "ui/termquery.h"

static const char DOCTOR_HELP[] =
    "Asks the terminal what it can draw (the same queries, environment,\n"
    "terminfo and config file the review screen uses) and prints what was\n"
    "decided and why. The options are those of relabel review.\n";

static void
line(const char *key, const char *val)
{
    char *safe = rl_utf8_sanitize(val != NULL ? val : "");

    printf("%-12s %s\n", key, safe);
    free(safe);
}

int
doctor_print(const rl_termopts *opt)
{
    char note[160], buf[200], *path = ui_termconfig_path();
    rl_termreply reply;
    rl_termcaps caps;
    rl_err e;
    int ms = 0;
    const char *p;

    fflush(stdout);
    if (ui_termcaps_detect(opt, true, false, &caps, note, sizeof note,
                           &reply, &ms, &e) != 0) {
        print_err(&e);
        free(path);
        return 1;
    }
    line("terminal:", caps.terminal[0] ? caps.terminal : "(did not say)");
    line("TERM:", getenv("TERM"));
    line("pixels:", rl_termcaps_pixmode_name(caps.pixels));
    line("colors:", rl_termcaps_colors_name(caps.colors));
    line("text colour:", caps.text_color ? "on" : "off");
    if (caps.cell_w > 0)
        snprintf(buf, sizeof buf, "%dx%d pixels", caps.cell_w, caps.cell_h);
    else
        snprintf(buf, sizeof buf, "unknown");
    line("cell:", buf);
    line("tmux:", !caps.in_tmux ? "no" : caps.passthrough
         ? "yes, graphics through passthrough" : "yes");
    if (ms < 0)
        snprintf(buf, sizeof buf, "not sent (no terminal: /dev/tty)");
    else
        snprintf(buf, sizeof buf, "%s in %d ms", reply.da1 ? "answered"
                 : "no DA1 reply", ms);
    line("queries:", buf);
    if (reply.nkeys > 0 || reply.lost > 0) {
        snprintf(buf, sizeof buf, "%zu bytes typed meanwhile, ignored",
                 reply.nkeys + reply.lost);
        line("", buf);
    }
    if (path != NULL && access(path, F_OK) != 0) {
        char *p2 = rl_xasprintf("%s (none)", path);

        free(path);
        path = p2;
    }
    line("config:", path != NULL ? path : "(no HOME)");
    if (note[0] != '\0')
        line("", note);
    printf("why:\n");
    for (p = caps.why; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
        char *one = rl_xstrndup(p, n);

        line("", one);
        free(one);
        p += n + (nl != NULL);
    }
    free(path);
    return 0;
}

static int
cmd_doctor(const cli *c, const struct cmd_args *a)
{
    rl_termopts opt;

    (void)c;
    cmd_term_options(a, &opt);
    return doctor_print(&opt);
}

const struct cmd_entry cmd_doctor_entry = {
    .name = "doctor",
    .summary = "what the terminal can draw, as detected, and why",
    .max_args = 0, .opts = cmd_term_opts, .text = DOCTOR_HELP,
    .run = cmd_doctor,
};
