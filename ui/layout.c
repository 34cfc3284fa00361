/* Where each panel goes for a terminal size: one WINDOW per panel, made again
 * only when the geometry changes. 80x24 shows everything; down to 40x12 the
 * details pane goes and labels shorten; below that one line says so. */
#include "tui.h"

#include <stdio.h>
#include <string.h>

#define MIN_COLS 40
#define MIN_LINES 12
#define DETAILS_MIN_LINES 16
#define DETAILS_MIN_COLS 60
#define DETAILS_MIN_H 5 /* its title and four lines of text */
#define LIST_MIN_H 5

static void compute(const struct app *a, struct layout *l, int lines, int cols)
{
    memset(l, 0, sizeof *l);
    l->lines = lines;
    l->cols = cols;
    l->too_small = cols < MIN_COLS || lines < MIN_LINES;
    if (l->too_small)
        return;
    l->compact = cols < 60;
    l->titles = cols >= 110;
    l->header_h = lines >= 20 ? 2 : 1;
    l->msg_y = lines - 2;
    l->footer_y = lines - 1;
    l->list_y = l->header_h;
    int body = lines - l->header_h - 2;
    l->show_details = lines >= DETAILS_MIN_LINES && cols >= DETAILS_MIN_COLS;
    if (l->show_details) {
        int want = a->n_rows; /* the checklist as tall as its rows, the rest for details */
        int most = body - DETAILS_MIN_H;
        l->list_h = want < LIST_MIN_H ? LIST_MIN_H : want > most ? most : want;
        l->det_y = l->list_y + l->list_h;
        l->det_h = body - l->list_h;
    } else {
        l->list_h = body;
    }
}

static void drop(WINDOW **w)
{
    if (*w)
        delwin(*w);
    *w = NULL;
}

void layout_free(struct app *a)
{
    drop(&a->w_header);
    drop(&a->w_list);
    drop(&a->w_details);
    drop(&a->w_msg);
    drop(&a->w_footer);
}

static WINDOW *make(struct app *a, int h, int y)
{
    WINDOW *w = newwin(h, a->lay.cols, y, 0);
    if (w)
        leaveok(w, TRUE); /* the cursor stays where it is: no bytes spent moving it back */
    return w;
}

unsigned layout_apply(struct app *a)
{
    struct layout l;
    compute(a, &l, LINES, COLS);
    bool have = a->lay.too_small || a->w_list;
    if (have && memcmp(&l, &a->lay, sizeof l) == 0)
        return 0;
    layout_free(a);
    a->lay = l;
    if (l.too_small)
        return UI_REDRAW;
    a->w_header = make(a, l.header_h, 0);
    a->w_list = make(a, l.list_h, l.list_y);
    if (l.show_details)
        a->w_details = make(a, l.det_h, l.det_y);
    a->w_msg = make(a, 1, l.msg_y);
    a->w_footer = make(a, 1, l.footer_y);
    if (!a->w_header || !a->w_list || !a->w_msg || !a->w_footer ||
        (l.show_details && !a->w_details))
        snprintf(a->fatal, sizeof a->fatal, "could not create the panels (%dx%d)", l.cols, l.lines);
    return UI_REDRAW;
}
