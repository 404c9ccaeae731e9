/* termopt.c - the terminal options (--pixels, --render, --colors,
 * --color) that review, train, demo and doctor share, and how they are
 * read into rl_termopts. Its own module so that doctor and review (which
 * prints doctor's report for --print-terminal) do not depend on each
 * other for it. */
#include <stddef.h>
#include <string.h>

#include "cmd/cmd.h"
#include "relabel/termcaps.h"

/* How pictures and text are drawn: review, train, demo and doctor. */
const struct cmd_opt cmd_term_opts[] = {
    { .name = "pixels", .type = CMD_CHOICE, .meta = "MODE",
      .choices = "auto|kitty|iterm|sixel|symbols|ascii",
      .help = "how pictures are drawn: auto (default: the best the terminal "
              "has), kitty, iterm or sixel graphics, chafa symbols, or "
              "ascii" },
    { .name = "render", .type = CMD_CHOICE, .choices = "symbols|ascii",
      .help = "symbols or ascii (plain characters, no colour: stable "
              "captures); --pixels symbols|ascii by an older name" },
    { .name = "colors", .type = CMD_CHOICE, .meta = "N",
      .choices = "auto|full|256|16|8|none",
      .help = "colours of symbol pictures: auto (default: full wherever the "
              "terminal has it), full (24-bit), 256, 16, 8 or none; 16 or 8 "
              "send fewer bytes over slow links" },
    { .name = "color", .type = CMD_CHOICE, .meta = "WHEN",
      .choices = "never|auto|always",
      .help = "colour in text: never, auto (default; off under NO_COLOR) or "
              "always; pictures keep their colours" },
    { 0 }
};

void
cmd_term_options(const struct cmd_args *a, rl_termopts *o)
{
    const char *v;

    *o = (rl_termopts)RL_TERMOPTS_AUTO;
    o->source = "command line";
    /* The parser has checked every value against the table's choices. */
    if ((v = cmd_get(a, "render")) != NULL)
        o->pixels = strcmp(v, "ascii") == 0 ? RL_PIX_ASCII : RL_PIX_SYMBOLS;
    if ((v = cmd_get(a, "pixels")) != NULL)
        o->pixels = rl_termcaps_pixmode_parse(v);
    if ((v = cmd_get(a, "colors")) != NULL)
        o->colors = rl_termcaps_colors_parse(v);
    if ((v = cmd_get(a, "color")) != NULL)
        o->color = rl_termcaps_color_parse(v);
}
