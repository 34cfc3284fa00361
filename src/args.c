#include "args.h"

#include <string.h>

#define COMMAND_ROW(e, name, args, help) {name, args, help},
static const struct {
    const char *name, *args, *help;
} commands[] = {COMMAND_TABLE(COMMAND_ROW)};
#undef COMMAND_ROW

#define OPTION_ROW(e, name, arg, help) {name, arg, help},
static const struct {
    const char *name, *arg, *help;
} options[] = {OPTION_TABLE(OPTION_ROW)};
#undef OPTION_ROW

const char *command_name(enum command_id c)
{
    return (unsigned)c < COMMAND_COUNT ? commands[c].name : "?";
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
    l2f_err_set(err, "unknown option --%.*s (see l2tpfix --help)", (int)(len > 60 ? 60 : len), word);
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
    /* commands that take no arguments say so rather than ignore them */
    bool takes_args = out->command == CMD_FIX || out->command == CMD_UNDO || out->command == CMD_EXPLAIN ||
                      out->command == CMD_PROBE || out->command == CMD_HANDSHAKE || out->command == CMD_BASELINE;
    if (!takes_args && out->nargs > 0) {
        l2f_err_set(err, "%s takes no arguments (got '%.60s')", commands[out->command].name, out->args[0]);
        return L2F_ERR_USAGE;
    }
    if (out->command == CMD_FIX && out->nargs == 0) {
        l2f_err_set(err, "fix needs fix ids or 'all' (see l2tpfix check)");
        return L2F_ERR_USAGE;
    }
    if (out->command == CMD_EXPLAIN && out->nargs != 1) {
        l2f_err_set(err, "explain needs one error code, e.g. l2tpfix explain 789");
        return L2F_ERR_USAGE;
    }
    if (out->command == CMD_PROBE && out->nargs != 1) {
        l2f_err_set(err, "probe needs one host name or address, e.g. l2tpfix probe vpn.example.com");
        return L2F_ERR_USAGE;
    }
    if (out->command == CMD_BASELINE &&
        (out->nargs < 1 || out->nargs > 2 || (strcmp(out->args[0], "save") != 0 && strcmp(out->args[0], "check") != 0))) {
        l2f_err_set(err, "baseline needs save or check, then a file if not the default");
        return L2F_ERR_USAGE;
    }
    if (out->command == CMD_HANDSHAKE && out->nargs != 1) {
        l2f_err_set(err, "handshake needs one host name or address, e.g. l2tpfix handshake vpn.example.com");
        return L2F_ERR_USAGE;
    }
    if (out->command == CMD_UNDO && out->nargs > 1) {
        l2f_err_set(err, "undo takes at most one argument: N or all");
        return L2F_ERR_USAGE;
    }
    return L2F_OK;
}

void args_print_help(FILE *out)
{
    fprintf(out, "Usage: l2tpfix [options] [command] [args]\n\n"
                 "Diagnoses and fixes Windows L2TP/IPsec VPN connections that fail with error 789\n"
                 "and its neighbours, stage by stage: tunnel, IPsec, PPP, authentication.\n\n"
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
    }
    fprintf(out,
            "\nExit codes: 0 all checks pass / done; 1 problems found or a fix failed;\n"
            "2 usage error or malformed input; 3 environment error (no such profile,\n"
            "administrator needed, backend unavailable); check: 4 no problem found, but some\n"
            "checks could not be made here (a phonebook file offline, no probe, no rights).\n");
}
