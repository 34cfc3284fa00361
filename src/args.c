#include "args.h"

#include <string.h>

#define COMMAND_ROW(e, name, args, min, max, session, profile, handler, usage, help)               \
    {name, args, min, max, usage, help},
static const struct {
    const char *name, *args;
    int min_args, max_args;
    const char *usage, *help;
} commands[] = {COMMAND_TABLE(COMMAND_ROW)};
#undef COMMAND_ROW

#define OPTION_ROW(e, name, arg, cmds, help) {name, arg, cmds, help},
static const struct {
    const char *name, *arg;
    unsigned cmds; /* ON(CMD_...) bits: the commands that take it */
    const char *help;
} options[] = {OPTION_TABLE(OPTION_ROW)};
#undef OPTION_ROW

_Static_assert(COMMAND_COUNT <= 32, "the commands column of OPTION_TABLE is a 32-bit mask");

bool option_used_by(enum option_id o, enum command_id c)
{
    return (unsigned)o < OPTION_COUNT && (unsigned)c < COMMAND_COUNT &&
           (options[o].cmds & ON(c)) != 0;
}

/* "a, b and c": the commands of mask, in the table's order. */
static void command_list(unsigned mask, char *buf, size_t len)
{
    int total = 0, n = 0;
    for (int c = 0; c < COMMAND_COUNT; c++)
        total += (mask & ON(c)) != 0;
    buf[0] = '\0';
    for (int c = 0; c < COMMAND_COUNT; c++) {
        if (!(mask & ON(c)))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s",
                 n == 0           ? ""
                 : n == total - 1 ? " and "
                                  : ", ",
                 commands[c].name);
        n++;
    }
}

/* An option given to a command that does not take it is refused, not ignored:
 * the command it belongs to would have done something with it. */
static enum l2f_status check_options_fit(const struct cli_args *a, struct l2f_err *err)
{
    for (int o = 0; o < OPTION_COUNT; o++) {
        if (!a->given[o] || option_used_by((enum option_id)o, a->command))
            continue;
        char list[256];
        command_list(options[o].cmds, list, sizeof list);
        l2f_err_set(err, "--%s is an option of %s, not of %s", options[o].name, list,
                    commands[a->command].name);
        return L2F_ERR_USAGE;
    }
    return L2F_OK;
}

/* A word a POSIX shell reads back as itself: bare when it is plain, else in
 * single quotes with each ' written as '\''. */
static bool append_shell_word(char *buf, size_t len, const char *word)
{
    size_t used = strlen(buf);
    bool plain =
        word[0] != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_-./:=,+@%") == strlen(word);
    if (plain) {
        int n = snprintf(buf + used, len - used, "%s", word);
        return n >= 0 && (size_t)n < len - used;
    }
    if (used + 1 >= len)
        return false;
    buf[used++] = '\'';
    for (const char *p = word; *p; p++) {
        const char *piece = *p == '\'' ? "'\\''" : NULL;
        size_t k = piece ? strlen(piece) : 1;
        if (used + k + 1 >= len) {
            buf[used] = '\0';
            return false;
        }
        memcpy(buf + used, piece ? piece : p, k);
        used += k;
    }
    if (used + 2 > len) {
        buf[used] = '\0';
        return false;
    }
    buf[used++] = '\'';
    buf[used] = '\0';
    return true;
}

bool args_context(const struct cli_args *a, enum command_id target, char *buf, size_t len)
{
    /* the options that say where: the machine, its state, the profile */
    static const enum option_id where[] = {OPT_DEMO,      OPT_MOCK,      OPT_PHONEBOOK,
                                           OPT_ALL_USERS, OPT_STATE_DIR, OPT_PROFILE};
    if (len == 0)
        return false;
    int n = snprintf(buf, len, "l2tpfix");
    bool ok = n >= 0 && (size_t)n < len;
    for (size_t i = 0; ok && i < sizeof where / sizeof where[0]; i++) {
        enum option_id o = where[i];
        if (!a->given[o] || !option_used_by(o, target))
            continue;
        size_t used = strlen(buf);
        const char *v = a->value[o];
        /* --demo=NAME: its value is optional, so it needs the = */
        n = snprintf(buf + used, len - used, " --%s%s", options[o].name,
                     v && o == OPT_DEMO ? "="
                     : v                ? " "
                                        : "");
        ok = n >= 0 && (size_t)n < len - used;
        if (ok && v)
            ok = append_shell_word(buf, len, v);
    }
    return ok;
}

const char *command_name(enum command_id c)
{
    return (unsigned)c < COMMAND_COUNT ? commands[c].name : "?";
}

/* The command's arguments against its row: their count, and for baseline its
 * first word. Commands that take none say so rather than ignore them. */
static enum l2f_status check_arguments_fit(const struct cli_args *a, struct l2f_err *err)
{
    int n = a->nargs;
    bool fits = n >= commands[a->command].min_args && n <= commands[a->command].max_args;
    if (fits && a->command == CMD_BASELINE)
        fits = strcmp(a->args[0], "save") == 0 || strcmp(a->args[0], "check") == 0;
    if (fits)
        return L2F_OK;
    if (commands[a->command].usage)
        l2f_err_set(err, "%s", commands[a->command].usage);
    else
        l2f_err_set(err, "%s takes no arguments (got '%.60s')", commands[a->command].name,
                    a->args[0]);
    return L2F_ERR_USAGE;
}

/* Handles one "--name[=value]" at argv[*i]; may consume the next argv. */
static enum l2f_status parse_option(int argc, char *const *argv, int *i, struct cli_args *out,
                                    struct l2f_err *err)
{
    const char *word = argv[*i] + 2;
    const char *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);
    for (int o = 0; o < OPTION_COUNT; o++) {
        if (strlen(options[o].name) != len || strncmp(options[o].name, word, len) != 0)
            continue;
        const char *arg = options[o].arg;
        if (out->given[o]) {
            l2f_err_set(err, "option --%s given twice", options[o].name);
            return L2F_ERR_USAGE;
        }
        out->given[o] = true;
        if (!arg) {
            if (eq) {
                l2f_err_set(err, "option --%s takes no value", options[o].name);
                return L2F_ERR_USAGE;
            }
        } else if (arg[0] == '[') {
            out->value[o] = eq ? eq + 1 : NULL;
        } else if (eq) {
            out->value[o] = eq + 1;
        } else if (*i + 1 < argc) {
            out->value[o] = argv[++*i];
        } else {
            l2f_err_set(err, "option --%s needs a value (%s)", options[o].name, arg);
            return L2F_ERR_USAGE;
        }
        if (arg && out->value[o] && !out->value[o][0]) {
            l2f_err_set(err, "option --%s has an empty value", options[o].name);
            return L2F_ERR_USAGE;
        }
        return L2F_OK;
    }
    l2f_err_set(err, "unknown option --%.*s (see l2tpfix --help)", (int)(len > 60 ? 60 : len),
                word);
    return L2F_ERR_USAGE;
}

enum l2f_status args_parse(int argc, char *const *argv, struct cli_args *out, struct l2f_err *err)
{
    memset(out, 0, sizeof *out);
    out->command = CMD_TUI;
    static char *const no_args[] = {NULL};
    out->args = no_args;
    /* positional words gathered in place: the command, then its arguments */
    int nwords = 0;
    char **words = out->words;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1] == '-' && a[2]) {
            enum l2f_status st = parse_option(argc, argv, &i, out, err);
            if (st != L2F_OK)
                return st;
            continue;
        }
        /* a negative number is a word: explain takes HRESULTs as event 20227 writes them */
        if (!options_done && a[0] == '-' && a[1] && a[1] != '-' && !(a[1] >= '0' && a[1] <= '9')) {
            if (strcmp(a, "-h") == 0) {
                out->given[OPT_HELP] = true;
                continue;
            }
            if (strcmp(a, "-y") == 0) {
                out->given[OPT_YES] = true;
                continue;
            }
            l2f_err_set(err, "unknown option %.60s (see l2tpfix --help)", a);
            return L2F_ERR_USAGE;
        }
        if (nwords >= (int)(sizeof out->words / sizeof out->words[0]) - 1) {
            l2f_err_set(err, "too many arguments");
            return L2F_ERR_USAGE;
        }
        words[nwords++] = argv[i];
    }
    words[nwords] = NULL;
    if (nwords > 0) {
        int c;
        for (c = 0; c < COMMAND_COUNT; c++)
            if (strcmp(words[0], commands[c].name) == 0)
                break;
        if (c == COMMAND_COUNT) {
            l2f_err_set(err, "unknown command '%.60s' (see l2tpfix --help)", words[0]);
            return L2F_ERR_USAGE;
        }
        out->command = (enum command_id)c;
        out->nargs = nwords - 1;
        out->args = words + 1;
    }
    if (out->given[OPT_DEMO] + out->given[OPT_MOCK] + out->given[OPT_PHONEBOOK] > 1) {
        l2f_err_set(err, "--demo, --mock and --phonebook exclude each other");
        return L2F_ERR_USAGE;
    }
    enum l2f_status st = check_arguments_fit(out, err);
    if (st != L2F_OK)
        return st;
    return check_options_fit(out, err);
}

void args_print_help(FILE *out)
{
    fprintf(out,
            "Usage: l2tpfix [options] [command] [args]\n\n"
            "Diagnoses and fixes Windows L2TP/IPsec VPN connections that fail with error 789\n"
            "and its neighbours, stage by stage, in the guide's order: tunnel, IPsec, PPP,\n"
            "authentication. On the wire IPsec comes first and L2TP runs inside it; the tunnel\n"
            "stage is listed first because it checks what needs no negotiation: can the server\n"
            "be reached, is the L2TP/IPsec profile right.\n\n"
            "Commands:\n");
    for (int c = 0; c < COMMAND_COUNT; c++) {
        char left[40];
        snprintf(left, sizeof left, "%s %s", commands[c].name, commands[c].args);
        fprintf(out, "  %-20s %s\n", left, commands[c].help);
    }
    fprintf(out, "\nOptions:\n");
    for (int o = 0; o < OPTION_COUNT; o++) {
        char left[40];
        const char *arg = options[o].arg;
        snprintf(left, sizeof left, "--%s%s%s", options[o].name, arg && arg[0] != '[' ? " " : "",
                 arg ? arg : "");
        fprintf(out, "  %-20s %s\n", left, options[o].help);
        if (options[o].cmds != ON_ALL) {
            char list[256];
            command_list(options[o].cmds, list, sizeof list);
            fprintf(out, "  %-20s for %s\n", "", list);
        }
    }
    fprintf(out,
            "\nExit codes: 0 all checks pass / done; 1 problems found or a fix failed;\n"
            "2 usage error or malformed input; 3 environment error (no such profile,\n"
            "administrator needed, backend unavailable); check: 4 no problem found, but some\n"
            "checks could not be made here (a phonebook file offline, no probe, no rights).\n");
}
