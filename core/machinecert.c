#include "machinecert.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *id, *why;
} rows[] = {
#define CERT_STATE_ROW(e, id, why) {id, why},
    CERT_STATE_TABLE(CERT_STATE_ROW)
#undef CERT_STATE_ROW
};

const char *cert_state_id(enum cert_state s)
{
    return (unsigned)s < CERT_STATE_COUNT ? rows[s].id : "?";
}

const char *cert_state_why(enum cert_state s)
{
    return (unsigned)s < CERT_STATE_COUNT ? rows[s].why : "?";
}

enum cert_state cert_state_from_id(const char *id)
{
    for (int s = 0; s < CERT_STATE_COUNT; s++)
        if (strcmp(rows[s].id, id) == 0)
            return (enum cert_state)s;
    return CERT_STATE_COUNT;
}

void machine_cert_tally(const struct machine_cert *c, char *buf, size_t len)
{
    if (!c->count) {
        snprintf(buf, len, "no certificate");
        return;
    }
    size_t used =
        (size_t)snprintf(buf, len, "%u certificate%s:", c->count, c->count == 1 ? "" : "s");
    const char *sep = " ";
    for (int s = 0; s < CERT_STATE_COUNT && used < len; s++) {
        if (!c->stopped_at[s])
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%u %s", sep, c->stopped_at[s],
                                 cert_state_id((enum cert_state)s));
        sep = ", ";
    }
}

bool machine_cert_consider(struct machine_cert *c, enum cert_state s)
{
    bool first = c->count == 0;
    c->count++;
    c->stopped_at[s]++;
    if (!first && s <= c->state)
        return false;
    c->state = s;
    return true;
}
