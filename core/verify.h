/* Verify after every write: what a change wrote is read back through the
 * backend's own read slots before the change counts as done. A machine can
 * answer "done" and keep the old value (a bit Windows ignores, a struct size
 * taken differently, a registry value sent to another view): that is caught
 * here, said with what was read, and the caller puts the change back. */
#ifndef L2F_VERIFY_H
#define L2F_VERIFY_H

#include <stdbool.h>

#include "backend.h"
#include "change.h"
#include "status.h"

/* What the setting a change touches looked like just before the write: a
 * profile whole, so that a write that moved another of its settings shows. */
struct verify_before {
    bool have_profile;
    struct vpn_profile profile;
};

/* Reads what c is about to change (a profile's every setting); call it just
 * before the write. A profile that cannot be read leaves have_profile false. */
void verify_snapshot(struct backend *be, const struct change *c, struct verify_before *out);

/* After c was written forward (to after) or backward (to before): reads it
 * back and returns L2F_OK when the machine holds exactly what was written and
 * nothing else of the profile moved; else L2F_ERR_NOT_TAKEN with err saying
 * what was read ("Windows did not take the change: ..."). A value that cannot
 * be read back is not taken either: it cannot count as applied. */
enum l2f_status verify_change(struct backend *be, const struct change *c, bool forward,
                              const struct verify_before *before, struct l2f_err *err);

/* Puts every setting of the profile back as before had it (the one written
 * and any other the write moved), then reads it back. For a profile change
 * that verify_change refused; L2F_OK when the profile reads as before. */
enum l2f_status verify_restore_profile(struct backend *be, const struct change *c,
                                       const struct verify_before *before, struct l2f_err *err);

#endif
