/* The command line: options and commands as tables that feed both the parser
 * and the help text. Parsing is a pure function (no printing, no exit). */
#ifndef L2F_ARGS_H
#define L2F_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"

/* X(enum, name, arguments, min, max, session, profile, handler, usage, help):
 * min/max the count of its own arguments; session: it opens the machine before
 * its handler runs; profile: and selects the profile (not the TUI's: its picker
 * asks when the choice is not clear); handler: the function cli.c calls (a row
 * without one does not compile); usage: the error when the arguments do not fit
 * (NULL: "takes no arguments"). */
#define ARGS_ANY 255 /* no upper bound but the parser's word storage */
#define COMMAND_TABLE(X)                                                                           \
    X(CMD_TUI, "tui", "", 0, 0, true, false, cmd_tui, NULL,                                        \
      "the interactive checklist (the default)")                                                   \
    X(CMD_CHECK, "check", "", 0, 0, true, true, cmd_check, NULL,                                   \
      "diagnose the profile: the four stages and their checks")                                    \
    X(CMD_FIX, "fix", "ID...|all", 1, ARGS_ANY, true, true, cmd_fix,                               \
      "fix needs fix ids or 'all' (see l2tpfix check)",                                            \
      "apply fixes (all: every recommended one, in order)")                                        \
    X(CMD_UNDO, "undo", "[N|all]", 0, 1, true, false, cmd_undo,                                    \
      "undo takes at most one argument: N or all",                                                 \
      "undo the last change, entry N, or every change")                                            \
    X(CMD_HISTORY, "history", "", 0, 0, true, false, cmd_history, NULL,                            \
      "the change journal of this machine")                                                        \
    X(CMD_CONNECT, "connect", "", 0, 0, true, true, cmd_connect, NULL,                             \
      "test connection: each stage as it is reached")                                              \
    X(CMD_EXPLAIN, "explain", "CODE", 1, 1, false, false, cmd_explain,                             \
      "explain needs one error code, e.g. l2tpfix explain 789",                                    \
      "meaning, stage, causes and fixes of a RAS error")                                           \
    X(CMD_PROFILES, "profiles", "", 0, 0, true, false, cmd_profiles, NULL,                         \
      "every entry of both phonebooks, VPN or not")                                                \
    X(CMD_PROBE, "probe", "HOST", 1, 1, false, false, cmd_probe,                                   \
      "probe needs one host name or address, e.g. l2tpfix probe vpn.example.com",                  \
      "ask the server: IKE; with a key, the key and IPsec")                                        \
    X(CMD_HANDSHAKE, "handshake", "HOST", 1, 1, false, false, cmd_handshake,                       \
      "handshake needs one host name or address, e.g. l2tpfix handshake vpn.example.com",          \
      "all four stages against the server, as Windows")                                            \
    X(CMD_SCRIPT, "script", "", 0, 0, false, false, cmd_script, NULL,                              \
      "a PowerShell script applying the fixes on other machines")                                  \
    X(CMD_REPORT, "report", "", 0, 0, true, true, cmd_report, NULL,                                \
      "a ticket-ready account: findings, changes, last result")                                    \
    X(CMD_BASELINE, "baseline", "save|check [FILE]", 1, 2, true, true, cmd_baseline,               \
      "baseline needs save or check, then a file if not the default",                              \
      "known-good settings, and what drifted since")                                               \
    X(CMD_SCENARIOS, "scenarios", "", 0, 0, false, false, cmd_scenarios, NULL,                     \
      "the built-in demo scenarios")                                                               \
    X(CMD_SELFTEST, "selftest", "", 0, 0, true, false, cmd_selftest, NULL,                         \
      "read only: what this Windows says to l2tpfix's assumptions")

#define COMMAND_ENUM(e, ...) e,
enum command_id { COMMAND_TABLE(COMMAND_ENUM) COMMAND_COUNT };
#undef COMMAND_ENUM

/* The commands an option belongs to, a bit each: given to any other command it
 * is a usage error that names these. */
#define ON(cmd) (1u << (cmd))
/* the commands that open a machine (a backend and a state directory) */
#define ON_MACHINE                                                                                 \
    (ON(CMD_TUI) | ON(CMD_CHECK) | ON(CMD_FIX) | ON(CMD_UNDO) | ON(CMD_HISTORY) |                  \
     ON(CMD_CONNECT) | ON(CMD_PROFILES) | ON(CMD_SCRIPT) | ON(CMD_REPORT) | ON(CMD_BASELINE) |     \
     ON(CMD_SELFTEST))
/* the commands that work on one profile */
#define ON_PROFILE                                                                                 \
    (ON(CMD_TUI) | ON(CMD_CHECK) | ON(CMD_FIX) | ON(CMD_CONNECT) | ON(CMD_SCRIPT) |                \
     ON(CMD_REPORT) | ON(CMD_BASELINE))
#define ON_ALL 0xffffffffu

/* X(enum, long name, argument (NULL: none, "[=X]": optional), commands, help) */
#define OPTION_TABLE(X)                                                                            \
    X(OPT_DEMO, "demo", "[=NAME]", ON_MACHINE,                                                     \
      "run on a built-in simulated machine (default classic-789)")                                 \
    X(OPT_MOCK, "mock", "FILE", ON_MACHINE,                                                        \
      "run on a scenario file; changes are written back to it")                                    \
    X(OPT_PHONEBOOK, "phonebook", "FILE", ON_MACHINE,                                              \
      "work on a rasphone.pbk file offline, on any OS")                                            \
    X(OPT_PROFILE, "profile", "NAME", ON_PROFILE, "the VPN profile to work on")                    \
    X(OPT_STATE_DIR, "state-dir", "DIR", ON_MACHINE | ON(CMD_PROBE) | ON(CMD_HANDSHAKE),           \
      "where the journal and backups live")                                                        \
    X(OPT_PSK_FILE, "psk-file", "FILE",                                                            \
      ON(CMD_CHECK) | ON(CMD_FIX) | ON(CMD_PROBE) | ON(CMD_HANDSHAKE) | ON(CMD_CONNECT) |          \
          ON(CMD_TUI),                                                                             \
      "the pre-shared key: use-psk saves it; probe, check test it")                                \
    X(OPT_PASSWORD_FILE, "password-file", "FILE",                                                  \
      ON(CMD_FIX) | ON(CMD_HANDSHAKE) | ON(CMD_CONNECT) | ON(CMD_TUI),                             \
      "the password: credentials saves it; handshake, --real-handshake log in with it")            \
    X(OPT_USER, "user", "NAME", ON(CMD_FIX) | ON(CMD_HANDSHAKE) | ON(CMD_CONNECT) | ON(CMD_TUI),   \
      "the account: credentials saves it; handshake, --real-handshake log in as it")               \
    X(OPT_REAL_HANDSHAKE, "real-handshake", NULL, ON(CMD_CONNECT) | ON(CMD_TUI),                   \
      "connect and c: the four stages from here, not a dial")                                      \
    X(OPT_FIXES, "fix", "IDS", ON(CMD_SCRIPT),                                                     \
      "script: these fixes, comma-separated (default: the recommended)")                           \
    X(OPT_ALL_USERS, "all-users", NULL, ON_MACHINE,                                                \
      "every local user's phonebook too (Windows, as admin); script: all users'")                  \
    X(OPT_DETECT, "detect", NULL, ON(CMD_SCRIPT),                                                  \
      "script: a read-only detection (Intune, ConfigMgr, RMM): exit 1 = to fix")                   \
    X(OPT_REMEDIATE, "remediate", NULL, ON(CMD_SCRIPT),                                            \
      "script: the remediation: exit 0 fixed or compliant, 1 not; a summary last")                 \
    X(OPT_CREATE, "create", NULL, ON(CMD_SCRIPT),                                                  \
      "script: create or correct the profile (--profile, --server) and its LCP line")              \
    X(OPT_SERVER, "server", "HOST", ON(CMD_SCRIPT), "script --create: the VPN server")             \
    X(OPT_NAT_T, "nat-t", NULL, ON(CMD_SCRIPT),                                                    \
      "script --create: and the NAT-T registry value (takes a restart)")                           \
    X(OPT_FORMAT, "format", "FMT", ON(CMD_REPORT),                                                 \
      "report: text, markdown or json (default text)")                                             \
    X(OPT_PROBE_REAL, "probe-real", NULL,                                                          \
      ON(CMD_TUI) | ON(CMD_CHECK) | ON(CMD_FIX) | ON(CMD_SCRIPT) | ON(CMD_REPORT) |                \
          ON(CMD_BASELINE),                                                                        \
      "with --demo/--mock: probe the real server")                                                 \
    X(OPT_STORE_REJECTED_KEY, "store-rejected-key", NULL, ON(CMD_FIX) | ON(CMD_TUI),               \
      "use-psk: save a key the server rejects")                                                    \
    X(OPT_PORT, "port", "N", ON(CMD_PROBE) | ON(CMD_HANDSHAKE), "the IKE port (default 500)")      \
    X(OPT_LCP_EXTENSIONS, "lcp-extensions", "on|off|both", ON(CMD_HANDSHAKE),                      \
      "handshake: RFC 1570's LCP extensions as Windows sends them (on, its default), not, or "     \
      "both runs, paced")                                                                          \
    X(OPT_IKEV2, "ikev2", NULL, ON(CMD_HANDSHAKE),                                                 \
      "handshake: IKEv2 with EAP-MSCHAPv2 as Windows' IKEv2 client, not L2TP/IPsec")               \
    X(OPT_CA_FILE, "ca-file", "FILE",                                                              \
      ON(CMD_HANDSHAKE) | ON(CMD_SCRIPT) | ON(CMD_TUI) | ON(CMD_FIX),                              \
      "handshake --ikev2 and i: the CA (PEM) the server's certificate must chain to (default: "    \
      "system); fix and script switch-ikev2: that CA, to add to LocalMachine\\Root (fix: "         \
      "default the file handshake used)")                                                          \
    X(OPT_NATT_PORT, "natt-port", "N", ON(CMD_PROBE), "the NAT-T port (default 4500)")             \
    X(OPT_TIMEOUT, "timeout", "MS", ON(CMD_PROBE) | ON(CMD_HANDSHAKE),                             \
      "probe 4000, handshake 20000: the whole command's time; the 2 s pause between key checks "   \
      "comes on top")                                                                              \
    X(OPT_JSON, "json", NULL,                                                                      \
      ON(CMD_CHECK) | ON(CMD_HISTORY) | ON(CMD_CONNECT) | ON(CMD_EXPLAIN) | ON(CMD_PROFILES) |     \
          ON(CMD_PROBE) | ON(CMD_HANDSHAKE) | ON(CMD_REPORT) | ON(CMD_BASELINE) |                  \
          ON(CMD_SELFTEST),                                                                        \
      "machine-readable output")                                                                   \
    X(OPT_OUT, "out", "DIR", ON(CMD_SELFTEST),                                                     \
      "selftest: write selftest.txt and selftest.json there")                                      \
    X(OPT_REDACT, "redact", NULL, ON(CMD_SELFTEST), "selftest: no profile, user or computer name") \
    X(OPT_YES, "yes", NULL, ON(CMD_FIX) | ON(CMD_UNDO), "apply or undo without asking")            \
    X(OPT_DRY_RUN, "dry-run", NULL, ON(CMD_FIX), "show the exact changes and make none")           \
    X(OPT_NO_COLOR, "no-color", NULL, ON_ALL, "no colour (also when NO_COLOR is set)")             \
    X(OPT_ASCII, "ascii", NULL, ON_ALL, "plain ASCII for every line and glyph")                    \
    X(OPT_HELP, "help", NULL, ON_ALL, "this help")                                                 \
    X(OPT_VERSION, "version", NULL, ON_ALL, "the version and the commit it was built from")

#define OPTION_ENUM(e, name, arg, cmds, help) e,
enum option_id { OPTION_TABLE(OPTION_ENUM) OPTION_COUNT };
#undef OPTION_ENUM

struct cli_args {
    bool given[OPTION_COUNT];
    const char *value[OPTION_COUNT]; /* the argument of options that take one */
    enum command_id command;
    int nargs; /* the command's own arguments */
    char *const *args;
    char *words[256]; /* storage for the positional words args points into */
};

/* Fills out from argv (argv[0] is the program). Options may stand before or
 * after the command; "--" ends them. Returns L2F_ERR_USAGE with a one-line
 * reason in err on bad input. */
enum l2f_status args_parse(int argc, char *const *argv, struct cli_args *out, struct l2f_err *err);
const char *command_name(enum command_id c);
/* Whether command c takes option o (the table's commands column). */
bool option_used_by(enum option_id o, enum command_id c);
/* "l2tpfix" and the options of this run that say which machine, state and
 * profile it worked on, as far as command target takes them, each quoted for
 * a POSIX shell when it needs it: what a hint puts before the next command so
 * that copying it acts on the same machine. Cut short (and false) only when
 * len is too small. */
bool args_context(const struct cli_args *a, enum command_id target, char *buf, size_t len);
/* The usage text, from the two tables. */
void args_print_help(FILE *out);

#endif
