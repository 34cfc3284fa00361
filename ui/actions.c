/* The one table of keys and actions in tui.h, read: which action a key stands
 * for, and the rows that write the help screen and the footer (htop Action.c,
 * tig request.h). Only data: the files that draw or read keys call it, and it
 * calls none of them (what a key does is run by keys.c). */
#include "tui.h"

static const struct action_def actions[ACTION_COUNT] = {
#define ACTION_ROW(e, fn, ctx, keys, help, footer, prio, k1, k2, k3, k4, brief)                    \
    [e] = {ctx, keys, help, footer, prio, {k1, k2, k3, k4}, brief},
    ACTION_TABLE(ACTION_ROW)
#undef ACTION_ROW
};

const struct action_def *action_def(enum action act)
{
    return &actions[act];
}

enum action action_for_key(int key)
{
    if (key == 0)
        return ACTION_COUNT;
    for (int i = 0; i < ACTION_COUNT; i++)
        if (action_has_key((enum action)i, key))
            return (enum action)i;
    return ACTION_COUNT;
}

bool action_has_key(enum action act, int key)
{
    if (act >= ACTION_COUNT || key == 0)
        return false;
    for (int k = 0; k < 4; k++)
        if (actions[act].key[k] == key)
            return true;
    return false;
}
