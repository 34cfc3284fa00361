#include "backend.h"

#include <stdlib.h>
#include <string.h>

const struct backend_ops *const backend_list[] = {
#ifdef L2F_HAVE_WIN32_BACKEND
    &backend_win32_ops,
#endif
    &backend_mock_ops,
    &backend_pbk_ops,
    NULL,
};

const struct backend_ops *backend_find(const char *name)
{
    for (size_t i = 0; backend_list[i]; i++)
        if (strcmp(backend_list[i]->name, name) == 0)
            return backend_list[i];
    return NULL;
}

void profile_list_free(struct profile_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = 0;
}
