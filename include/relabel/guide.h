/* guide.h - the labeling guide: an index over a folder of Markdown entries,
 * and a renderer that turns one entry into lines of styled spans.
 *
 * Knows nothing of curses: the UI paints rl_doc lines itself. Every string
 * handed out (titles, span text, alt text) has been through
 * rl_utf8_sanitize(), so it is safe to print on a terminal.
 *
 * An entry is a file NAME.md that starts with a header block:
 *
 *     ---
 *     title: Stingray vs electric ray
 *     classes: n01498041 n01496331
 *     ---
 *
 * `classes:` lists WordNet noun ids (n + 8 digits), or a lone `*` for the
 * general entry that applies to every class. Files without a header block
 * (such as README.md) are not entries and are skipped. */
#ifndef RL_GUIDE_H
#define RL_GUIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "relabel/err.h"

typedef struct rl_guide_entry {
    char *path;       /* dir + "/" + file name, as passed to rl_guide_open */
    char *title;      /* from `title:`, sanitized */
    char **wnids;     /* from `classes:`; none when general */
    size_t n_wnids;   /* entries in wnids */
    bool general;     /* `classes: *`: applies to every class */
} rl_guide_entry;

/* An index over a folder of .md entries, in file-name (byte) order. */
typedef struct rl_guide rl_guide;

/* Reads every *.md file in `dir` that starts with a header block (a first
 * line "---", then "key: value" lines, then "---"; CRLF and a UTF-8 BOM are
 * accepted). Keys are `title:` (required, non-empty) and `classes:`
 * (required). Any malformed header fails the whole open with RL_E_PARSE and
 * a message "FILE:LINE: what", FILE being the file name within `dir`, e.g.
 * "rays.md:3: classes: not a wnid: xyz". A missing or unreadable folder or
 * file gives RL_E_IO; a file over 1 MiB gives RL_E_RANGE. An empty folder
 * is not an error. Returns NULL on failure; free with rl_guide_free(). */
rl_guide *rl_guide_open(const char *dir, rl_err *err);
/* Frees the index and every entry in it; accepts NULL. */
void rl_guide_free(rl_guide *g);

/* Number of entries. */
size_t rl_guide_count(const rl_guide *g);
/* Entry `i` (< rl_guide_count), borrowed: valid until rl_guide_free(). */
const rl_guide_entry *rl_guide_entry_at(const rl_guide *g, size_t i);

/* Entries whose `classes:` name any of `wnids[0..n)`, in file-name order,
 * then every general entry (also when nothing else matched). Stores their
 * indices in `idx`, a caller array of at least rl_guide_count(g) elements,
 * and returns how many it stored. Each entry appears at most once. */
size_t rl_guide_for(const rl_guide *g, const char *const *wnids, size_t n,
                    size_t *idx);
/* True when a non-general entry names `wnid` (the general entry alone
 * does not count as covering a class). */
bool rl_guide_covers(const rl_guide *g, const char *wnid);

/* Full-text search, ASCII case-insensitive, over each entry's title, wnids
 * and Markdown text. The query is split at spaces; an entry matches when
 * every word occurs in it. Ranked: entries with more query words in the
 * title first, then by number of occurrences in the text, then file-name
 * order. An empty query matches every entry in index order. Fills `idx`
 * (at least rl_guide_count elements) and returns the number of matches. */
size_t rl_guide_search(const rl_guide *g, const char *query, size_t *idx);

/* Rendering ------------------------------------------------------------ */

typedef enum rl_span_style {
    RL_SPAN_BOLD = 1,      /* **strong** */
    RL_SPAN_ITALIC = 2,    /* *emphasis* */
    RL_SPAN_CODE = 4,      /* `code` and code blocks */
    RL_SPAN_LINK = 8,      /* the text of a link */
    RL_SPAN_HEADING = 16,  /* text of a heading */
    RL_SPAN_QUOTE = 32,    /* inside a block quote, including the bar */
    RL_SPAN_URL = 64       /* " <URL>" after a link's text */
} rl_span_style;

typedef struct rl_span {
    char *text;   /* owned, sanitized with rl_utf8_sanitize, never NULL */
    int style;    /* OR of rl_span_style flags; 0 = plain */
} rl_span;

typedef struct rl_line {
    rl_span *spans;     /* owned; adjacent spans differ in style */
    size_t n;           /* spans in the line; 0 for a blank line */
    int indent;         /* blank columns before the first span */
    int heading_level;  /* 1..6 on the lines of a heading, else 0 */
    char *image;        /* non-NULL: absolute path of an image to draw
                         * here instead of text; the alt text is in spans */
} rl_line;

typedef struct rl_doc {
    rl_line *lines;   /* owned */
    size_t n;         /* number of lines */
} rl_doc;

/* Renders Markdown (CommonMark, parsed with md4c; raw HTML shown as text)
 * to lines at most `width` columns wide, indent included. A leading header
 * block is skipped. Paragraphs are word-wrapped by display width (never
 * splitting a UTF-8 character; words longer than a line are hard-broken)
 * and separated by one blank line. Headings carry RL_SPAN_HEADING and
 * heading_level and are followed by a blank line. List items start with
 * "• " or "N. " and continue with a hanging indent; nested lists indent
 * further. Block quotes are prefixed with "│ " and styled RL_SPAN_QUOTE.
 * Code blocks are indented two columns, styled RL_SPAN_CODE and cut, not
 * wrapped, at the width. A link becomes its text (RL_SPAN_LINK) followed by
 * " <URL>" (RL_SPAN_URL) unless the text is the URL. An image becomes a line
 * of its own with `image` set to its source resolved against `base_dir`
 * (made absolute; NULL means the current directory) and the alt text as
 * spans; a source that is absolute, a URL, or climbs out with ".." is not
 * resolved: it renders as "[image: ALT]" text instead.
 * Widths below 2 are treated as 2 (a wide character needs two columns).
 * Returns NULL with RL_E_PARSE if md4c fails; free with rl_doc_free(). */
rl_doc *rl_guide_render(const char *markdown, size_t len,
                        const char *base_dir, int width, rl_err *err);
/* Reads `path` (RL_E_IO if it cannot, RL_E_RANGE over 1 MiB) and renders
 * it as rl_guide_render() does, with images relative to its folder. */
rl_doc *rl_guide_render_file(const char *path, int width, rl_err *err);
/* Frees a document; accepts NULL. */
void rl_doc_free(rl_doc *d);

#endif
