/* The live backend's selftest items (selftest.h): what this Windows answers
 * to each assumption, read-only and without a secret. Windows only. */
#ifndef L2F_WIN_SELFTEST_WIN_H
#define L2F_WIN_SELFTEST_WIN_H

#include <stdbool.h>

#include "ras.h"
#include "selftest.h"
#include "status.h"

/* True under Wine (ntdll exports wine_get_version): its answers prove nothing of Windows. */
bool winselftest_under_wine(void);
/* One item through api (the RAS seam); L2F_ERR_UNSUPPORTED for an unknown item. */
enum l2f_status winselftest_item(const struct ras_api *api, enum selftest_id item, bool redact,
                                 struct selftest_answer *out);

#endif
