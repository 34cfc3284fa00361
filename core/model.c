#include "model.h"

#include <string.h>

#define STAGE_ROW(e, id, title, ikev2_title, what) {id, title, ikev2_title, what},
static const struct stage_info stages[] = {STAGE_TABLE(STAGE_ROW)};
#undef STAGE_ROW

#define CHECK_ROW(e, id, stage, fix, tunnels, title, where, why)                                   \
    {id, title, where, why, stage, fix, tunnels},
static const struct check_info checks[] = {CHECK_TABLE(CHECK_ROW)};
#undef CHECK_ROW

#define FIX_ROW(e, id, title, what, secret, kind, warning) {id, title, what, secret, kind, warning},
static const struct fix_info fixes[] = {FIX_TABLE(FIX_ROW)};
#undef FIX_ROW

const struct stage_info *stage_info(enum stage_id s)
{
    return (unsigned)s < STAGE_COUNT ? &stages[s] : NULL;
}

const struct check_info *check_info(enum check_id c)
{
    return (unsigned)c < CHECK_COUNT ? &checks[c] : NULL;
}

static int widest_id(bool (*in)(enum check_id c, int arg), int arg)
{
    size_t widest = 0;
    for (int c = 0; c < CHECK_COUNT; c++)
        if (in((enum check_id)c, arg) && strlen(checks[c].id) > widest)
            widest = strlen(checks[c].id);
    return (int)widest;
}

static bool any_check(enum check_id c, int arg)
{
    (void)c, (void)arg;
    return true;
}

static bool in_stage(enum check_id c, int stage)
{
    return (int)checks[c].stage == stage;
}

int check_id_width(void)
{
    return widest_id(any_check, 0);
}

int stage_check_id_width(enum stage_id s)
{
    return widest_id(in_stage, (int)s);
}

const struct fix_info *fix_info(enum fix_id f)
{
    return (unsigned)f < FIX_COUNT ? &fixes[f] : NULL;
}

struct status_words {
    const char *id, *word, *report;
};
#define STATUS_ROW(e, id, word, report) {id, word, report},
static const struct status_words status_words[] = {CHECK_STATUS_TABLE(STATUS_ROW)};
#undef STATUS_ROW

/* An out-of-range status reads as unknown: never as a pass. */
static const struct status_words *words_of(enum check_status st)
{
    return &status_words[(unsigned)st < CHECK_STATUS_COUNT ? st : CHECK_UNKNOWN];
}

const char *check_status_name(enum check_status st)
{
    return words_of(st)->id;
}

const char *check_status_word(enum check_status st)
{
    return words_of(st)->word;
}

const char *check_status_report_word(enum check_status st)
{
    return words_of(st)->report;
}

enum stage_id stage_from_id(const char *id)
{
    for (int i = 0; i < STAGE_COUNT; i++)
        if (strcmp(stages[i].id, id) == 0)
            return (enum stage_id)i;
    return STAGE_COUNT;
}

enum check_id check_from_id(const char *id)
{
    for (int i = 0; i < CHECK_COUNT; i++)
        if (strcmp(checks[i].id, id) == 0)
            return (enum check_id)i;
    return CHECK_COUNT;
}

enum fix_id fix_from_id(const char *id)
{
    for (int i = 0; i < FIX_COUNT; i++)
        if (strcmp(fixes[i].id, id) == 0)
            return (enum fix_id)i;
    return FIX_NONE;
}
