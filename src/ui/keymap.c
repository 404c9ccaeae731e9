/* keymap.c - the review screen's key bindings: one table, from which the
 * footer and the `?` help are drawn. These bindings are a contract: the
 * tests and the documentation rely on them. */
#include "ui/ui.h"

#include "ui/term.h"

#define CTRL(c) ((c) & 0x1f)

static const struct ui_binding bindings[] = {
    { 'j', UI_A_DOWN }, { KEY_DOWN, UI_A_DOWN },
    { 'k', UI_A_UP }, { KEY_UP, UI_A_UP },
    { 'c', UI_A_CORRECT }, { '1', UI_A_CORRECT },
    { 'w', UI_A_WRONG }, { '2', UI_A_WRONG },
    { 'u', UI_A_UNCLEAR }, { '3', UI_A_UNCLEAR },
    { 'd', UI_A_DONTKNOW }, { '4', UI_A_DONTKNOW },
    { 'x', UI_A_UNREVIEW }, { '0', UI_A_UNREVIEW },
    { 'W', UI_A_REST_WRONG },
    { 'A', UI_A_ASSIGNED },
    { 'm', UI_A_MAIN },
    { 'p', UI_A_PROBLEMATIC },
    { 'P', UI_A_NOTE },
    { '\n', UI_A_CONFIRM }, { '\r', UI_A_CONFIRM }, { KEY_ENTER, UI_A_CONFIRM },
    { 'n', UI_A_NEXT }, { 'N', UI_A_PREV },
    { ':', UI_A_GOTO },
    { 'F', UI_A_FILTER },
    { 'z', UI_A_UNDO }, { 'Z', UI_A_REDO },
    { '+', UI_A_ADD },
    { 'i', UI_A_NAME },
    { 'f', UI_A_FULL },
    { 'g', UI_A_GUIDE },
    { 'b', UI_A_BROWSE },
    { 'e', UI_A_EXAMPLES },
    { '?', UI_A_HELP },
    { 'q', UI_A_QUIT },
};

/* Full screen (f): checked before the table above. */
static const struct ui_binding full_bindings[] = {
    { '+', UI_A_ZOOM_IN }, { '=', UI_A_ZOOM_IN },
    { '-', UI_A_ZOOM_OUT },
    { '0', UI_A_ZOOM_FIT },
    { 'h', UI_A_PAN_LEFT }, { KEY_LEFT, UI_A_PAN_LEFT },
    { 'l', UI_A_PAN_RIGHT }, { KEY_RIGHT, UI_A_PAN_RIGHT },
    { 'k', UI_A_PAN_UP }, { KEY_UP, UI_A_PAN_UP },
    { 'j', UI_A_PAN_DOWN }, { KEY_DOWN, UI_A_PAN_DOWN },
    { 'f', UI_A_FULL }, { 27, UI_A_FULL },
};

static const struct ui_action_info actions[] = {
    { UI_A_DOWN, "j k / Down Up", "select the next / previous candidate", NULL },
    { UI_A_CORRECT, "c 1", "mark Correct, go to the next unreviewed", "Correct" },
    { UI_A_WRONG, "w 2", "mark Wrong, go to the next unreviewed", "Wrong" },
    { UI_A_UNCLEAR, "u 3", "mark Unclear, go to the next unreviewed", "Unclear" },
    { UI_A_DONTKNOW, "d 4", "mark Don't know, go to the next unreviewed", "Don't know" },
    { UI_A_UNREVIEW, "x 0", "back to Unreviewed", NULL },
    { UI_A_REST_WRONG, "W", "set all unreviewed candidates to Wrong", "rest Wrong" },
    { UI_A_ASSIGNED, "A", "set the assigned (original) label to Correct", "orig Correct" },
    { UI_A_MAIN, "m", "make the selected (Correct) candidate the main object", NULL },
    { UI_A_PROBLEMATIC, "p", "toggle Problematic", "problematic" },
    { UI_A_NOTE, "P", "edit the Problematic note", NULL },
    { UI_A_CONFIRM, "Enter", "confirm this image, go to the next needing review", "confirm" },
    { UI_A_NEXT, "n N", "next / previous image in the queue", "next" },
    { UI_A_GOTO, ":", "go to an image by name", NULL },
    { UI_A_FILTER, "F", "cycle the filter: all, unreviewed, problematic, others", NULL },
    { UI_A_UNDO, "z Z", "undo / redo (across images and restarts)", "undo" },
    { UI_A_ADD, "+", "add a class no model proposed (search, wnid or index)", NULL },
    { UI_A_NAME, "i", "hide / show the image name", NULL },
    { UI_A_FULL, "f", "full-screen image (f or Esc returns)", NULL },
    { UI_A_ZOOM_IN, "+ - 0", "full screen: zoom in 2x (to 8x) / out / fit",
      NULL },
    { UI_A_PAN_LEFT, "h j k l / arrows", "full screen: pan a quarter view",
      NULL },
    { UI_A_GUIDE, "g", "labeling guide for these candidates (G marks them)", "guide" },
    { UI_A_BROWSE, "b", "browse and search the class hierarchy", NULL },
    { UI_A_EXAMPLES, "e", "example images of the selected candidate", NULL },
    { UI_A_HELP, "?", "all keys", "help" },
    { UI_A_QUIT, "q", "quit", "quit" },
};

static ui_action
lookup(const struct ui_binding *b, size_t n, int key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (b[i].key == key)
            return b[i].action;
    return UI_A_NONE;
}

ui_action
ui_keymap_lookup(int key)
{
    return lookup(bindings, sizeof bindings / sizeof bindings[0], key);
}

ui_action
ui_keymap_full(int key)
{
    return lookup(full_bindings, sizeof full_bindings / sizeof full_bindings[0],
                  key);
}

const struct ui_action_info *
ui_keymap_actions(size_t *n)
{
    *n = sizeof actions / sizeof actions[0];
    return actions;
}
