#include "winsettings.h"

#include <string.h>

#define REGVAL_ROW(e, key, value, check) {key, value, check},
static const struct regval_info regvals[] = {REGVAL_TABLE(REGVAL_ROW)};
#undef REGVAL_ROW

#define REGVAL_PATH(e, key, value, check) REG_SERVICES_KEY "\\" key,
static const char *const regval_paths[] = {REGVAL_TABLE(REGVAL_PATH)};
#undef REGVAL_PATH

#define SERVICE_ROW(e, name, display, start, dep, check) {name, display, start, dep, check},
static const struct service_info services[] = {SERVICE_TABLE(SERVICE_ROW)};
#undef SERVICE_ROW

const struct regval_info *regval_info(enum regval_id r)
{
    return (unsigned)r < REGVAL_COUNT ? &regvals[r] : NULL;
}

const char *regval_key_path(enum regval_id r)
{
    return (unsigned)r < REGVAL_COUNT ? regval_paths[r] : NULL;
}

const struct service_info *service_info(enum service_id s)
{
    return (unsigned)s < SERVICE_COUNT ? &services[s] : NULL;
}

enum service_id service_from_name(const char *name)
{
    for (int i = 0; i < SERVICE_COUNT; i++)
        if (strcmp(services[i].name, name) == 0)
            return (enum service_id)i;
    return SERVICE_COUNT;
}

const char *service_start_name(enum service_start s)
{
    switch (s) {
    case SVC_START_AUTO:
        return "Automatic";
    case SVC_START_MANUAL:
        return "Manual";
    case SVC_START_DISABLED:
        return "Disabled";
    }
    return "?";
}

const char *service_state_name(enum service_state s)
{
    return s == SVC_RUNNING ? "running" : "stopped";
}
