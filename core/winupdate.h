/* Windows updates known to break L2TP/IPsec, by OS build and update revision
 * (CurrentBuild.UBR, as winver shows it). */
#ifndef L2F_WINUPDATE_H
#define L2F_WINUPDATE_H

#include <stddef.h>

/* A servicing branch a bad update reached: UBR in [bad_ubr, fixed_ubr) has the
 * bad update and not its fix. */
struct winupdate_break {
    unsigned build;
    unsigned bad_ubr, fixed_ubr;
    const char *bad_kb, *fix_kb;
    const char *product;
    const char *date_bad, *date_fixed; /* "11 Jan 2022" */
};

enum winupdate_state {
    WINUPDATE_UNAFFECTED, /* a build no known bad update reached */
    WINUPDATE_BEFORE,     /* an affected build, from before the bad update */
    WINUPDATE_BROKEN,     /* the bad update is installed and its fix is not */
    WINUPDATE_FIXED       /* the fix, or a later cumulative update, is installed */
};

/* What the table says of build.ubr; *row names the row (NULL when unaffected). */
enum winupdate_state winupdate_judge(unsigned build, unsigned ubr,
                                     const struct winupdate_break **row);
/* The table itself, for tests and help. */
const struct winupdate_break *winupdate_rows(size_t *n);

#endif
