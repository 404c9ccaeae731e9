/* draw.c - text and colour helpers over curses, the direct-write path for
 * image panes, and a one-line prompt. All text from data files passes
 * rl_utf8_sanitize() here before curses sees it. */
#include "ui/ui.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/term.h"

static int color_attr[UI_C_COUNT];

void
ui_colors_init(struct ui_app *app)
{
    static const struct {
        short fg, bg;
        int mono;
    } table[] = {
#define UI_COLOR_ROW(name, fg, bg, mono) { fg, bg, mono },
        UI_COLORS(UI_COLOR_ROW)
#undef UI_COLOR_ROW
    };
    int i;

    /* ASCII mode is for stable captures: no colour anywhere. */
    app->color_ok = has_colors() && app->opt.pixels != UI_PIXELS_ASCII;
    if (app->color_ok) {
        start_color();
        use_default_colors();
    }
    /* Image colours: what the terminal has. 24-bit only where terminfo
     * says the terminal takes direct colour (TERM=xterm-direct and the
     * like: a choice the user made); otherwise 256, which is a quarter of
     * the bytes (--colors full asks for 24-bit anyway). */
    if (app->colors == RL_COLORS_NONE && app->opt.pixels != UI_PIXELS_ASCII
        && has_colors())
        app->colors = COLORS > 256 ? RL_COLORS_FULL : COLORS >= 256
                      ? RL_COLORS_256 : COLORS >= 16 ? RL_COLORS_16
                      : COLORS >= 8 ? RL_COLORS_8 : RL_COLORS_NONE;
    for (i = 0; i < UI_C_COUNT; i++) {
        if (app->color_ok && i > 0) {
            init_pair((short)i, table[i].fg, table[i].bg);
            color_attr[i] = COLOR_PAIR(i)
                            | (table[i].mono & (A_BOLD | A_REVERSE));
        } else {
            color_attr[i] = table[i].mono;
        }
    }
}

int
ui_attr(enum ui_color c)
{
    return c < UI_C_COUNT ? color_attr[c] : (int)A_NORMAL;
}

bool
ui_utf8(void)
{
    static int utf8 = -1;

    if (utf8 < 0) {
        const char *cs = nl_langinfo(CODESET);

        utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0
                              || strcmp(cs, "utf8") == 0);
    }
    return utf8 == 1;
}

const char *
ui_sym(const char *utf8, const char *ascii)
{
    return ui_utf8() ? utf8 : ascii;
}

/* Text as the terminal may get it: sanitised, and in ASCII when the
 * locale is not UTF-8 (the terminal would garble UTF-8 bytes). */
static char *
displayable(const char *text)
{
    char *safe = rl_utf8_sanitize(text != NULL ? text : ""), *a;

    if (ui_utf8())
        return safe;
    a = rl_utf8_to_ascii(safe);
    free(safe);
    return a;
}

int
ui_text_cut(int y, int x, int width, const char *text, int attr)
{
    const char *ell = ui_sym("\xe2\x80\xa6", "...");
    int ew = rl_utf8_width(ell), w;
    char *safe;
    size_t n;

    if (width <= 0 || y < 0 || y >= LINES)
        return 0;
    safe = displayable(text);
    if (rl_utf8_width(safe) <= width || width <= ew) {
        free(safe);
        return ui_text(y, x, width, text, attr);
    }
    n = rl_utf8_fit_words(safe, width, ew);
    attron(attr);
    mvaddnstr(y, x, safe, (int)n);
    addstr(ell);
    attroff(attr);
    w = rl_utf8_width_n(safe, n) + ew;
    free(safe);
    return w;
}

int
ui_text(int y, int x, int width, const char *text, int attr)
{
    char *safe;
    size_t n;
    int w;

    if (width <= 0 || y < 0 || y >= LINES)
        return 0;
    safe = displayable(text);
    n = rl_utf8_fit(safe, width);
    safe[n] = '\0';
    w = rl_utf8_width(safe);
    attron(attr);
    mvaddnstr(y, x, safe, (int)n);
    attroff(attr);
    free(safe);
    return w;
}

/* Word-wraps and, when `draw`, paints; returns the rows it takes. */
static int
wrap(int y, int x, int width, int maxrows, const char *text, int attr,
     bool draw)
{
    char *safe, *p;
    int rows = 0;

    if (width <= 0 || maxrows <= 0)
        return 0;
    safe = displayable(text);
    p = safe;
    while (*p != '\0' && rows < maxrows) {
        size_t n = rl_utf8_fit(p, width), cut = n;

        if (p[n] != '\0') {
            /* Break at the last space that fits, if any. */
            size_t k = n;

            while (k > 0 && p[k] != ' ')
                k--;
            if (k > 0)
                cut = k;
            if (rows == maxrows - 1) {
                /* Last row: cut at a word, mark it with an ellipsis. */
                const char *ell = ui_sym("\xe2\x80\xa6", "...");
                size_t e = rl_utf8_fit_words(p, width, rl_utf8_width(ell));

                if (draw) {
                    attron(attr);
                    mvaddnstr(y + rows, x, p, (int)e);
                    addstr(ell);
                    attroff(attr);
                }
                rows++;
                break;
            }
        }
        if (n == 0)
            break;
        if (draw) {
            attron(attr);
            mvaddnstr(y + rows, x, p, (int)cut);
            attroff(attr);
        }
        rows++;
        p += cut;
        while (*p == ' ')
            p++;
    }
    free(safe);
    return rows;
}

int
ui_wrap(int y, int x, int width, int maxrows, const char *text, int attr)
{
    return wrap(y, x, width, maxrows, text, attr, true);
}

int
ui_wrap_rows(int width, int maxrows, const char *text)
{
    return wrap(0, 0, width, maxrows, text, 0, false);
}

void
ui_blank(int y, int x, int width)
{
    if (width > 0 && y >= 0 && y < LINES)
        mvhline(y, x, ' ', width);
}

void
ui_cells_curses(const rl_cells *c, int top, int left)
{
    int r, k;

    for (r = 0; r < c->rows && top + r < LINES; r++) {
        move(top + r, left);
        for (k = 0; k < c->cols && left + k < COLS; k++) {
            uint32_t cp = c->cell[r * c->cols + k].cp;

            addch(cp >= 0x20 && cp < 0x7f ? (chtype)cp : ' ');
        }
    }
}

void
ui_pane_draw(struct ui_app *app, const rl_cells *c, int top, int left)
{
    int r;

    if (c == NULL)
        return;
    if (app->opt.pixels == UI_PIXELS_ASCII) {
        ui_cells_curses(c, top, left);
        return;
    }
    for (r = 0; r < c->rows && top + r < LINES; r++)
        mvhline(top + r, left, ' ' | A_INVIS, c->cols);
}

int
ui_image_cols(const struct ui_app *app, int cols)
{
    return app->opt.low_detail && cols >= 8 ? cols / 2 : cols;
}

int
ui_image_rows(const struct ui_app *app, int rows)
{
    return app->opt.low_detail && rows >= 4 ? rows / 2 : rows;
}

rl_render_mode
ui_render_mode(const struct ui_app *app)
{
    return app->opt.pixels == UI_PIXELS_ASCII ? RL_RENDER_ASCII
           : RL_RENDER_SYMBOLS;
}

rl_cells *
ui_pane_cells(struct ui_app *app, rl_prefetch *pf, const char *path,
              int cols, int rows, char *msg, size_t size)
{
    char warning[128] = "";
    rl_cells *c;
    rl_err e;

    msg[0] = '\0';
    if (path == NULL) {
        snprintf(msg, size, "no image file for this image (relabel import "
                 "images adds them)");
        return NULL;
    }
    c = rl_prefetch_get(pf, path, ui_image_cols(app, cols),
                        ui_image_rows(app, rows), ui_render_mode(app),
                        app->colors, warning, &e);
    if (c == NULL) {
        char *safe = rl_utf8_sanitize(e.msg);

        snprintf(msg, size, "cannot show image: %s", safe);
        free(safe);
    } else if (warning[0] != '\0') {
        snprintf(msg, size, "%s", warning);
    }
    return c;
}

void
ui_pane_want(struct ui_app *app, rl_prefetch *pf, const char *path,
             int cols, int rows)
{
    if (path != NULL)
        rl_prefetch_want(pf, path, ui_image_cols(app, cols),
                         ui_image_rows(app, rows), ui_render_mode(app),
                         app->colors);
}

void
ui_pane_paint(struct ui_app *app, const rl_cells *c, int top, int left)
{
    if (c != NULL && app->opt.pixels != UI_PIXELS_ASCII)
        rl_cells_to_ansi(c, top, left, &app->out);
}

void
ui_pane_flush(struct ui_app *app)
{
    if (app->out.len > 0)
        ui_write_direct(app, app->out.data, app->out.len);
    rl_buf_reset(&app->out);
}

void
ui_write_direct(struct ui_app *app, const char *bytes, size_t len)
{
    char tail[48];
    int y, x, n;
    size_t off = 0;

    getyx(curscr, y, x);
    n = snprintf(tail, sizeof tail, "\033[0m\033[%d;%dH", y + 1, x + 1);
    while (off < len) {
        ssize_t w = write(STDOUT_FILENO, bytes + off, len - off);

        if (w <= 0)
            return;            /* terminal gone: nothing more to do */
        off += (size_t)w;
    }
    if (write(STDOUT_FILENO, tail, (size_t)n) == n)
        app->bytes_out += (long)len + n;
}

char *
ui_prompt(struct ui_app *app, int y, const char *label, const char *initial)
{
    rl_buf b = {0};
    int lw;

    (void)app;
    rl_buf_adds(&b, initial != NULL ? initial : "");
    curs_set(1);
    for (;;) {
        int ch;

        ui_blank(y, 0, COLS);
        lw = ui_text(y, 0, COLS, label, ui_attr(UI_C_KEY));
        ui_text(y, lw, COLS - lw - 1, rl_buf_str(&b), A_NORMAL);
        refresh();
        ch = getch();
        /* Asked to end, or the terminal is gone (getch would return ERR
         * at once, for ever): cancel, so the main loop can quit. */
        if (ui_term_pending())
            ch = 27;
        else if (ch == ERR)
            continue;
        if (ch == 27 || ch == 7) {           /* Esc, ctrl-G */
            rl_buf_free(&b);
            curs_set(0);
            return NULL;
        }
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            break;
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            /* Remove one whole UTF-8 character. */
            while (b.len > 0) {
                unsigned char last = (unsigned char)b.data[--b.len];

                if ((last & 0xC0) != 0x80)
                    break;
            }
            if (b.data != NULL)
                b.data[b.len] = '\0';
            continue;
        }
        if (ch == 21) {                      /* ctrl-U: clear */
            rl_buf_reset(&b);
            continue;
        }
        if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && b.len < 500)
            rl_buf_addc(&b, (char)ch);
    }
    curs_set(0);
    if (b.data == NULL)
        rl_buf_add(&b, "", 0);
    if (!rl_utf8_valid(b.data, b.len)) {
        rl_buf_free(&b);
        return NULL;
    }
    return b.data;
}
