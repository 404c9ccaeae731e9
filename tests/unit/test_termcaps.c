/* test_termcaps.c - the terminal reply parser and the capability
 * decision, fed recorded replies: kitty, xterm -ti vt340, a plain VT100,
 * tmux with and without passthrough, nothing at all, garbage, replies
 * split byte by byte and mixed with typed keys; and the config file. */
#include <stdbool.h>
#include <string.h>

#include "relabel/termcaps.h"
#include "t.h"

/* kitty 0.26.5 (Debian 12) answering rl_termcaps_queries(false, true) */
static const char KITTY[] =
    "\033_Gi=31;OK\033\\"
    "\033P>|kitty(0.26.5)\033\\"
    "\033P1+r524742=382F382F38\033\\"
    "\033P0+r5463\033\\"
    "\033[6;20;10t"
    "\033[4;800;1200t"
    "\033[?62;c";
/* Recorded: Debian 12's xterm 379 under Xvfb, `xterm -ti vt340` and plain
 * `xterm`, answering rl_termcaps_queries(false, true). Neither answers
 * the kitty query, XTGETTCAP or CSI 16/14 t (window ops are off by
 * default); xterm puts the pixel size in TIOCGWINSZ instead. */
static const char XTERM340[] =
    "\033P>|XTerm(379)\033\\"
    "\033[?63;1;2;4;6;9;15;16;22;28c";
static const char XTERM[] =
    "\033P>|XTerm(379)\033\\"
    "\033[?64;1;2;6;9;15;16;17;18;21;22;28c";
/* a terminal that does answer CSI 14 t (window size in pixels) */
static const char WINSIZE[] = "\033[4;480;640t\033[?62;c";
/* a VT100 answers DA1 only */
static const char VT100[] = "\033[?1;2c";
/* tmux 3.3a with the outer kitty, allow-passthrough off / on */
static const char TMUX_OFF[] =
    "\033P>|tmux 3.3a\033\\"
    "\033[?1;2c";
static const char TMUX_ON[] =
    "\033P>|tmux 3.3a\033\\"
    "\033_Gi=32;OK\033\\"
    "\033P>|kitty(0.26.5)\033\\"
    "\033[?1;2c";

static void
feed(rl_termreply *r, const char *s)
{
    rl_termreply_init(r);
    rl_termreply_feed(r, (const unsigned char *)s, strlen(s));
    rl_termreply_finish(r);
}

static rl_terminfo
ti256(void)
{
    rl_terminfo ti = { 256, false, "xterm-256color", false, 0, 0, 40, 120 };

    return ti;
}

static void
test_parser(void)
{
    rl_termreply r;
    size_t i, n;
    bool done = false;

    feed(&r, KITTY);
    ok(r.da1 && r.kitty && !r.sixel && r.rgb, "kitty: DA1, graphics, RGB");
    is_str(r.version, "kitty(0.26.5)", "kitty: XTVERSION");
    ok(r.cell_w == 10 && r.cell_h == 20, "kitty: cell 10x20");
    ok(r.win_w == 1200 && r.win_h == 800, "kitty: window 1200x800");
    is_int((long long)r.nkeys, 0, "kitty: no stray key bytes");

    feed(&r, XTERM340);
    ok(r.da1 && r.sixel && !r.kitty && !r.rgb, "vt340: sixel, no kitty");
    is_str(r.version, "XTerm(379)", "vt340: XTVERSION");
    feed(&r, XTERM);
    ok(r.da1 && !r.sixel && !r.kitty, "plain xterm: no sixel (no 4)");
    feed(&r, WINSIZE);
    ok(r.cell_w == 0 && r.win_w == 640 && r.win_h == 480,
       "CSI 4 ; h ; w t: window size only");

    feed(&r, VT100);
    ok(r.da1 && !r.sixel && !r.kitty && r.version[0] == '\0',
       "vt100: DA1 and nothing else");

    feed(&r, "");
    ok(!r.da1 && r.nkeys == 0, "silent terminal: no DA1, no keys");

    /* split anywhere: one byte per read gives the same facts */
    rl_termreply_init(&r);
    n = strlen(KITTY);
    for (i = 0; i < n && !done; i++)
        done = rl_termreply_feed(&r, (const unsigned char *)KITTY + i, 1);
    ok(done && i == n, "byte by byte: DA1 ends it at the last byte");
    ok(r.kitty && r.rgb && r.cell_w == 10, "byte by byte: same facts");

    /* typed keys before, between and after replies are kept in order */
    feed(&r, "c\033_Gi=31;OK\033\\w\033[A\033P>|kitty(1)\033\\"
         "\033[?62;4c" "j");
    ok(r.kitty && r.sixel, "keys mixed: replies still seen");
    ok(r.nkeys == 6 && memcmp(r.keys, "cw\033[Aj", 6) == 0,
       "keys mixed: 'c', 'w', Up, 'j' kept in order");

    /* the terminal is slow: DA1 not yet in; a split key stays a key */
    feed(&r, "\033P>|foot(1.13.1)\033\\\033[");
    ok(!r.da1 && strcmp(r.version, "foot(1.13.1)") == 0,
       "timeout: partial replies kept, no DA1");
    ok(r.nkeys == 2 && r.keys[0] == 0x1b, "timeout: ESC [ left as keys");

    /* garbage: unknown strings dropped, an overlong one too, hostile
     * text sanitised, a broken kitty reply an error */
    {
        char big[1200];

        memset(big, 'x', sizeof big);
        memcpy(big, "\033P", 2);
        memcpy(big + sizeof big - 14, "\033\\\033[?1;2c\0", 11);
        feed(&r, big);
        ok(r.da1 && r.nkeys == 0, "overlong DCS dropped, DA1 still read");
    }
    feed(&r, "\033]11;rgb:0000/0000/0000\007\033P>|evil\033]0;pwn\007\033\\"
         "\033_Gi=31;ENOTSUPPORTED\033\\\033[?1;2c");
    ok(r.da1 && !r.kitty && r.kitty_error, "kitty error reply: no kitty");
    ok(strchr(r.version, '\033') == NULL && strchr(r.version, '\007')
       == NULL, "hostile XTVERSION: no control bytes kept");
    feed(&r, "\033[?1;2;x4c\033[6;-1;5t\033[6;0;0t\033[?1;2c");
    ok(r.da1 && !r.sixel && r.cell_w == 0, "bad parameters ignored");
    feed(&r, "\030\032\033\033\033[?1;2c");
    ok(r.da1 && r.nkeys == 4, "CAN, SUB and a lone Esc are keys");
    feed(&r, "\033P1+r\033\\\033P1+rZZ\033\\\033P1+r5463\033\\\033[?1c");
    ok(r.rgb && r.da1, "XTGETTCAP Tc without a value counts");

    /* the queries: one string, DA1 last, passthrough only in tmux */
    {
        const char *q = rl_termcaps_queries(false, false);
        const char *qt = rl_termcaps_queries(true, true);

        ok(strcmp(q + strlen(q) - 3, "\033[c") == 0, "queries end with DA1");
        ok(strstr(q, "tmux;") == NULL && strstr(q, "[16t") == NULL,
           "no passthrough or size query unless asked");
        ok(strstr(qt, "\033Ptmux;\033\033_G") != NULL
           && strstr(qt, "\033[16t") != NULL
           && strcmp(qt + strlen(qt) - 3, "\033[c") == 0,
           "tmux: wrapped kitty query, sizes, DA1 last");
    }
}

static void
test_decide(void)
{
    rl_termopts none = RL_TERMOPTS_AUTO, opt = RL_TERMOPTS_AUTO,
                cfg = RL_TERMOPTS_AUTO;
    rl_termenv env = { 0 };
    rl_terminfo ti = ti256();
    rl_termreply r;
    rl_termcaps c;

    env.term = "xterm-256color";
    feed(&r, KITTY);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.pixels == RL_PIX_KITTY && c.colors == RL_COLORS_FULL
       && !c.in_tmux && !c.passthrough, "kitty replies: kitty, truecolor");
    ok(c.cell_w == 10 && c.cell_h == 20 && c.text_color, "kitty: cell");
    ok(strstr(c.why, "pixels: kitty (the terminal answered") != NULL,
       "kitty: the reason names the reply");

    /* kitty over SSH without replies: the environment is enough */
    env.term = "xterm-kitty";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.pixels == RL_PIX_KITTY && c.colors == RL_COLORS_FULL,
       "TERM=xterm-kitty, no replies: kitty");

    env.term = "xterm";
    feed(&r, XTERM340);
    ti.px_w = 604;                  /* as xterm -geometry 100x30 sets */
    ti.px_h = 394;
    ti.cols = 100;
    ti.rows = 30;
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.pixels == RL_PIX_SIXEL && c.colors == RL_COLORS_FULL,
       "vt340: sixel (pixel terminals get 24-bit symbols as fallback)");
    ok(c.cell_w == 6 && c.cell_h == 13, "vt340: cell from TIOCGWINSZ");
    feed(&r, XTERM);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.pixels == RL_PIX_SYMBOLS && c.colors == RL_COLORS_256,
       "plain xterm: 256-colour symbols, as before");
    ti = ti256();
    feed(&r, WINSIZE);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.cell_w == 640 / 120 && c.cell_h == 480 / 40,
       "no pixels in TIOCGWINSZ: cell from the window size (CSI 14 t)");
    ti.px_w = 1200;
    ti.px_h = 800;
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.cell_w == 10 && c.cell_h == 20, "TIOCGWINSZ pixels win");
    ti = ti256();

    feed(&r, VT100);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.pixels == RL_PIX_SYMBOLS && c.colors == RL_COLORS_256,
       "vt100 reply on a 256-colour entry: 256 symbols");
    env.colorterm = "truecolor";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.colors == RL_COLORS_FULL && c.truecolor,
       "COLORTERM=truecolor: full by default");
    env.colorterm = NULL;
    ti.colors = 16;
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.colors == RL_COLORS_16, "16-colour entry: 16");
    ti.colors = 8;
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.colors == RL_COLORS_8, "8-colour entry: 8");
    ti.colors = 0;
    env.term = "vt100";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.pixels == RL_PIX_ASCII && c.colors == RL_COLORS_NONE
       && !c.text_color, "no colours at all: ascii");
    ti = ti256();

    /* nothing answered, plain environment: terminfo decides */
    env.term = "xterm-256color";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.pixels == RL_PIX_SYMBOLS && c.colors == RL_COLORS_256
       && c.cell_w == 0, "silent terminal: 256 symbols, cell unknown");
    ti.rgb = true;
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.colors == RL_COLORS_FULL, "terminfo RGB: full");
    ti = ti256();
    env.term_program = "iTerm.app";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.pixels == RL_PIX_ITERM && c.colors == RL_COLORS_FULL,
       "TERM_PROGRAM=iTerm.app: iterm");
    env.term_program = "WezTerm";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.pixels == RL_PIX_KITTY, "WezTerm: kitty protocol");
    env.term_program = NULL;
    env.wt_session = "abc";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.pixels == RL_PIX_SYMBOLS && c.colors == RL_COLORS_FULL,
       "Windows Terminal: truecolor symbols");
    env.wt_session = NULL;

    /* tmux: kitty outside, passthrough off, then on */
    env.tmux = "/tmp/tmux-1000/default,1,0";
    env.kitty_window_id = "1";
    env.colorterm = "truecolor";
    env.term = "tmux-256color";
    feed(&r, TMUX_OFF);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.in_tmux && !c.passthrough && c.pixels == RL_PIX_SYMBOLS
       && c.colors == RL_COLORS_FULL,
       "tmux without passthrough: truecolor symbols");
    ok(strstr(c.why, "allow-passthrough") != NULL, "... and says why");
    env.colorterm = NULL;            /* not passed on by this tmux */
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.pixels == RL_PIX_SYMBOLS && c.colors == RL_COLORS_FULL,
       "tmux, outer kitty by KITTY_WINDOW_ID: truecolor symbols");
    env.colorterm = "truecolor";
    feed(&r, TMUX_ON);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.in_tmux && c.passthrough && c.pixels == RL_PIX_KITTY,
       "tmux with passthrough: kitty, wrapped");
    is_str(c.terminal, "kitty(0.26.5)", "tmux: the outer terminal named");
    env.tmux = NULL;
    feed(&r, TMUX_OFF);
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.in_tmux && c.pixels == RL_PIX_SYMBOLS,
       "tmux found by XTVERSION alone (TMUX not passed on)");
    env.kitty_window_id = NULL;
    env.colorterm = NULL;
    env.term = "xterm-256color";

    /* options beat config beat detection; NO_COLOR only for text */
    feed(&r, KITTY);
    cfg.pixels = RL_PIX_SIXEL;
    cfg.colors = RL_COLORS_16;
    cfg.source = "/home/x/.config/relabel/config";
    rl_termcaps_decide(&c, &none, &cfg, &env, &ti, &r);
    ok(c.pixels == RL_PIX_SIXEL && c.colors == RL_COLORS_16,
       "config beats detection");
    ok(strstr(c.why, "pixels: sixel (/home/x/.config/relabel/config; "
              "detection found kitty)") != NULL, "config named as reason");
    opt.pixels = RL_PIX_SYMBOLS;
    opt.source = "--pixels";
    rl_termcaps_decide(&c, &opt, &cfg, &env, &ti, &r);
    ok(c.pixels == RL_PIX_SYMBOLS && c.colors == RL_COLORS_16,
       "option beats config, per field");
    opt.pixels = RL_PIX_ASCII;
    rl_termcaps_decide(&c, &opt, &cfg, &env, &ti, &r);
    ok(c.colors == RL_COLORS_NONE && !c.text_color,
       "--render ascii: no colour anywhere");
    opt = none;
    env.no_color = "1";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(!c.text_color && c.colors == RL_COLORS_FULL
       && c.pixels == RL_PIX_KITTY, "NO_COLOR: text plain, picture kept");
    opt.color = 1;
    opt.source = "--color";
    rl_termcaps_decide(&c, &opt, &none, &env, &ti, &r);
    ok(c.text_color, "--color=always beats NO_COLOR");
    env.no_color = "";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(c.text_color, "NO_COLOR empty: ignored (no-color.org)");

    /* hostile reply: nothing raw in what doctor prints */
    feed(&r, "\033P>|\033[31mred\033[0m\033\\\033[?1;2c");
    rl_termcaps_decide(&c, &none, &none, &env, &ti, &r);
    ok(strchr(c.why, '\033') == NULL && strchr(c.terminal, '\033') == NULL,
       "hostile XTVERSION: reasons without ESC");

    ti.fallback = true;
    ti.name = "xterm-256color";
    env.term = "xterm-kitty";
    rl_termcaps_decide(&c, &none, &none, &env, &ti, NULL);
    ok(c.pixels == RL_PIX_KITTY && strstr(c.why, "TERM xterm-kitty has no "
       "entry; using xterm-256color") != NULL,
       "unknown TERM: fallback named, kitty still found");
}

static void
test_config(void)
{
    rl_termopts cfg = RL_TERMOPTS_AUTO;
    rl_err e;

    ok(rl_termcaps_config_parse("# relabel\n\npixels = sixel\r\n"
                                " colors=256 # slow link\ncolor = never\n",
                                "cfg", &cfg, &e) == 0, "config parses");
    ok(cfg.pixels == RL_PIX_SIXEL && cfg.colors == RL_COLORS_256
       && cfg.color == 0 && strcmp(cfg.source, "cfg") == 0,
       "config values");
    ok(rl_termcaps_config_parse("pixels = auto\n", "cfg", &cfg, &e) == 0
       && cfg.pixels == -1 && cfg.colors == RL_COLORS_256,
       "auto resets one key");
    ok(rl_termcaps_config_parse("colors = full\ncolour = never\n", "/c",
                                &cfg, &e) == -1 && e.code == RL_E_PARSE,
       "unknown key fails");
    is_str(e.msg, "/c:2: colour: unknown key (pixels, colors or color)",
           "FILE:LINE: field");
    ok(cfg.colors == RL_COLORS_256, "failed parse changes nothing");
    ok(rl_termcaps_config_parse("\n\npixels = \033[2Jbig\n", "/c", &cfg,
                                &e) == -1
       && strncmp(e.msg, "/c:3: pixels: '?[2Jbig' is not one of", 37) == 0,
       "bad value named, sanitised");
    ok(rl_termcaps_config_parse("pixels\n", "/c", &cfg, &e) == -1
       && strcmp(e.msg, "/c:1: pixels: expected key = value") == 0,
       "line without =");
    ok(rl_termcaps_pixmode_parse("kitty") == RL_PIX_KITTY
       && rl_termcaps_pixmode_parse("auto") == -2
       && rl_termcaps_pixmode_parse("png") == -1
       && rl_termcaps_colors_parse("full") == RL_COLORS_FULL
       && rl_termcaps_color_parse("always") == 1, "names");
}

int
main(void)
{
    test_parser();
    test_decide();
    test_config();
    return t_done();
}
