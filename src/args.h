/* The command line: options and commands as tables that feed both the parser
 * and the help text. Parsing is a pure function (no printing, no exit). */
#ifndef L2F_ARGS_H
#define L2F_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"

/* X(enum, name, arguments, help) */
#define COMMAND_TABLE(X)                                                                   \
    X(CMD_TUI, "tui", "", "the interactive checklist (the default)")                      \
    X(CMD_CHECK, "check", "", "diagnose the profile: the four stages and their checks")   \
    X(CMD_FIX, "fix", "ID...|all", "apply fixes (all: every recommended one, in order)")  \
    X(CMD_UNDO, "undo", "[N|all]", "undo the last change, entry N, or every change")      \
    X(CMD_HISTORY, "history", "", "the change journal of this machine")                   \
    X(CMD_CONNECT, "connect", "", "test connection: each stage as it is reached")         \
    X(CMD_EXPLAIN, "explain", "CODE", "meaning, stage, causes and fixes of a RAS error")  \
    X(CMD_PROFILES, "profiles", "", "every entry of both phonebooks, VPN or not")          \
    X(CMD_PROBE, "probe", "HOST", "ask the server: IKE; with a key, the key and IPsec") \
    X(CMD_HANDSHAKE, "handshake", "HOST", "all four stages against the server, as Windows")  \
    X(CMD_SCRIPT, "script", "", "a PowerShell script applying the fixes on other machines") \
    X(CMD_REPORT, "report", "", "a ticket-ready account: findings, changes, last result")  \
    X(CMD_BASELINE, "baseline", "save|check [FILE]", "known-good settings, and what drifted since") \
    X(CMD_SCENARIOS, "scenarios", "", "the built-in demo scenarios")

#define COMMAND_ENUM(e, name, args, help) e,
enum command_id { COMMAND_TABLE(COMMAND_ENUM) COMMAND_COUNT };
#undef COMMAND_ENUM

/* X(enum, long name, argument (NULL: none, "[=X]": optional), help) */
#define OPTION_TABLE(X)                                                                    \
    X(OPT_DEMO, "demo", "[=NAME]", "run on a built-in simulated machine (default classic-789)") \
    X(OPT_MOCK, "mock", "FILE", "run on a scenario file; changes are written back to it")  \
    X(OPT_PHONEBOOK, "phonebook", "FILE", "work on a rasphone.pbk file offline, on any OS")   \
    X(OPT_PROFILE, "profile", "NAME", "the VPN profile to work on")                       \
    X(OPT_STATE_DIR, "state-dir", "DIR", "where the journal and backups live")            \
    X(OPT_PSK_FILE, "psk-file", "FILE", "the pre-shared key: use-psk saves it; probe, check test it") \
    X(OPT_PASSWORD_FILE, "password-file", "FILE", "read the password for credentials from FILE") \
    X(OPT_USERNAME, "username", "NAME", "the user name the credentials fix saves")        \
    X(OPT_USER, "user", "NAME", "handshake, --real-handshake: the user name to log in as") \
    X(OPT_REAL_HANDSHAKE, "real-handshake", NULL, "connect and c: the four stages from here, not a dial") \
    X(OPT_FIXES, "fix", "IDS", "script: these fixes, comma-separated (default: the recommended)") \
    X(OPT_ALL_USERS, "all-users", NULL, "every local user's phonebook too (Windows, as admin); script: all users'") \
    X(OPT_FORMAT, "format", "FMT", "report: text, markdown or json (default text)")        \
    X(OPT_PROBE_REAL, "probe-real", NULL, "with --demo/--mock: probe the real server")   \
    X(OPT_STORE_REJECTED_KEY, "store-rejected-key", NULL, "use-psk: save a key the server rejects") \
    X(OPT_PORT, "port", "N", "probe: the IKE port (default 500)")                         \
    X(OPT_NATT_PORT, "natt-port", "N", "probe: the NAT-T port (default 4500)")            \
    X(OPT_TIMEOUT, "timeout", "MS", "probe 4000, handshake 20000: the whole command's time; the 2 s pause between key checks comes on top") \
    X(OPT_JSON, "json", NULL, "machine-readable output")                                  \
    X(OPT_YES, "yes", NULL, "apply without asking")                                       \
    X(OPT_DRY_RUN, "dry-run", NULL, "show the exact changes and make none")               \
    X(OPT_NO_COLOR, "no-color", NULL, "no colour (also when NO_COLOR is set)")            \
    X(OPT_ASCII, "ascii", NULL, "plain ASCII for every line and glyph")                   \
    X(OPT_HELP, "help", NULL, "this help")                                                \
    X(OPT_VERSION, "version", NULL, "the version")

#define OPTION_ENUM(e, name, arg, help) e,
enum option_id { OPTION_TABLE(OPTION_ENUM) OPTION_COUNT };
#undef OPTION_ENUM

struct cli_args {
    bool given[OPTION_COUNT];
    const char *value[OPTION_COUNT]; /* the argument of options that take one */
    enum command_id command;
    int nargs;          /* the command's own arguments */
    char *const *args;
    char *words[256];   /* storage for the positional words args points into */
};

/* Fills out from argv (argv[0] is the program). Options may stand before or
 * after the command; "--" ends them. Returns L2F_ERR_USAGE with a one-line
 * reason in err on bad input. */
enum l2f_status args_parse(int argc, char *const *argv, struct cli_args *out, struct l2f_err *err);
const char *command_name(enum command_id c);
/* The usage text, from the two tables. */
void args_print_help(FILE *out);

#endif
