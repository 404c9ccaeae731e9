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

    /* Colour in text as detection decided (off in ASCII mode, under
     * NO_COLOR and --color never); image colours are app->colors, set
     * from the same decision (termquery.c). */
    app->color_ok = has_colors() && app->caps.text_color;
    if (app->color_ok) {
        start_color();
        use_default_colors();
    }
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
 * locale is not UTF-8 (the terminal would garble UTF-8 bytes). A line
 * formatted into a fixed buffer may end inside a UTF-8 character, cut
 * there by snprintf: that tail is dropped, not shown as \xNN. */
static char *
displayable(const char *text)
{
    char *whole, *safe, *a;

    if (text == NULL)
        text = "";
    whole = rl_xstrndup(text, rl_utf8_whole(text, strlen(text)));
    safe = rl_utf8_sanitize(whole);
    free(whole);

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
    if (app->opt.pixels == UI_PIXELS_ASCII)
        return RL_RENDER_ASCII;
    return app->caps.pixels >= RL_PIX_SIXEL
           ? rl_pixmode_render(app->caps.pixels) : RL_RENDER_SYMBOLS;
}

rl_cells *
ui_pane_cells(struct ui_app *app, rl_prefetch *pf, const char *path,
              int cols, int rows, char *msg, size_t size)
{
    return ui_pane_cells_view(app, pf, path, cols, rows, NULL, msg, size);
}

rl_cells *
ui_pane_cells_view(struct ui_app *app, rl_prefetch *pf, const char *path,
                   int cols, int rows, const rl_view *v, char *msg,
                   size_t size)
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
    rl_prefetch_set_cell(pf, app->caps.cell_w, app->caps.cell_h);
    c = rl_prefetch_get_view(pf, path, ui_image_cols(app, cols),
                             ui_image_rows(app, rows), ui_render_mode(app),
                             app->colors, v, warning, &e);
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
    rl_prefetch_set_cell(pf, app->caps.cell_w, app->caps.cell_h);
    if (path != NULL)
        rl_prefetch_want(pf, path, ui_image_cols(app, cols),
                         ui_image_rows(app, rows), ui_render_mode(app),
                         app->colors);
}

void
ui_pane_paint(struct ui_app *app, const rl_cells *c, int top, int left)
{
    unsigned id;
    int r;

    if (c == NULL || app->opt.pixels == UI_PIXELS_ASCII)
        return;
    if (c->pic == NULL) {
        rl_cells_to_ansi(c, top, left, &app->out);
        return;
    }
    id = (unsigned)(top * 4096 + left + 1);
    if (app->nframe < (int)(sizeof app->frame / sizeof app->frame[0]))
        app->frame[app->nframe++] = (struct ui_shown){ id, top, left,
                                                       c->rows, c->cols,
                                                       c->pic->sum };
    for (r = 0; r < app->nshown; r++) {
        const struct ui_shown *s = &app->shown[r];

        if (s->id == id && s->sum == c->pic->sum && s->rows == c->rows
            && s->cols == c->cols)
            return;             /* there, untouched since it was drawn */
    }
    /* ECH erases the cells and, in xterm, the sixel pixels over them */
    rl_buf_adds(&app->out, "\033[0m");
    for (r = 0; r < c->rows && top + r < LINES; r++)
        rl_buf_printf(&app->out, "\033[%d;%dH\033[%dX", top + r + 1,
                      left + 1, c->cols);
    /* one kitty id per pane position: panes never share a top-left */
    rl_pic_place(c->pic, top, left, id, app->caps.passthrough, &app->out);
}

/* True while every cell of the rectangle still holds the invisible
 * placeholder ui_pane_draw() put there, as curses last wrote it. */
static bool
placeholders(int top, int left, int rows, int cols)
{
    int y, x, cy, cx;
    bool ok = true;

    getyx(stdscr, cy, cx);
    for (y = top; ok && y < top + rows && y < LINES; y++)
        for (x = left; ok && x < left + cols && x < COLS; x++)
            ok = (mvwinch(stdscr, y, x) & A_INVIS) != 0;
    move(cy, cx);
    return ok;
}

void
ui_pane_sweep(struct ui_app *app)
{
    rl_buf b = {0};
    int i, n = 0;

    for (i = 0; i < app->nshown; i++) {
        struct ui_shown *s = &app->shown[i];

        if (placeholders(s->top, s->left, s->rows, s->cols))
            app->shown[n++] = *s;
        else if (app->caps.pixels == RL_PIX_KITTY)
            rl_pic_erase(RL_PIX_KITTY, s->id, app->caps.passthrough, &b);
    }
    app->nshown = n;
    if (b.len > 0)
        ui_write_direct(app, b.data, b.len);
    rl_buf_free(&b);
}

rl_cells *
ui_image_file(struct ui_app *app, const char *path, int cols, int max_rows,
              bool fit_rows, rl_err *err)
{
    rl_render_mode mode = ui_render_mode(app);
    int cw = app->caps.cell_w > 0 ? app->caps.cell_w : RL_PIC_CELL_W;
    int ch = app->caps.cell_h > 0 ? app->caps.cell_h : RL_PIC_CELL_H;
    int mw, mh, rows = max_rows;
    rl_pixels *px;
    rl_cells *c;

    rl_render_view_target(cols, max_rows, mode, cw, ch, NULL, &mw, &mh);
    if (mw == 0) {
        rl_err_set(err, RL_E_RANGE, "no room for the image (%dx%d cells)",
                   cols, max_rows);
        return NULL;
    }
    if ((px = rl_pixels_load(path, mw, mh, err)) == NULL)
        return NULL;
    if (fit_rows) {
        /* the rows the whole width needs: cells are cw x ch pixels, or
         * 1:2 for symbols */
        long need = mode >= RL_RENDER_SIXEL
                    ? ((long)cols * cw * px->h + (long)px->w * ch - 1)
                      / ((long)px->w * ch)
                    : ((long)cols * px->h + 2L * px->w - 1) / (2L * px->w);

        rows = need < 1 ? 1 : need < max_rows ? (int)need : max_rows;
    }
    c = rl_render_view(px, cols, rows, mode, app->colors, NULL, cw, ch, err);
    rl_pixels_free(px);
    return c;
}

void
ui_pane_forget(struct ui_app *app)
{
    rl_buf b = {0};

    app->nshown = app->nframe = 0;
    if (app->opt.pixels == UI_PIXELS_ASCII || app->caps.pixels != RL_PIX_KITTY)
        return;
    rl_pic_erase(RL_PIX_KITTY, 0, app->caps.passthrough, &b);
    ui_write_direct(app, b.data, b.len);
    rl_buf_free(&b);
}

void
ui_pane_flush(struct ui_app *app)
{
    int i, k;

    /* The screen's pictures are now those of this paint. Kitty: delete
     * the ones it no longer places (a guide image scrolled elsewhere). */
    for (i = 0; i < app->nshown; i++) {
        for (k = 0; k < app->nframe; k++)
            if (app->shown[i].id == app->frame[k].id)
                break;
        if (k == app->nframe && app->caps.pixels == RL_PIX_KITTY)
            rl_pic_erase(RL_PIX_KITTY, app->shown[i].id,
                         app->caps.passthrough, &app->out);
    }
    memcpy(app->shown, app->frame, sizeof app->shown);
    app->nshown = app->nframe;
    app->nframe = 0;
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
