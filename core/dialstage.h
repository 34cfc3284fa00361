/* Where a dial stopped among the four stages, from the error code's family
 * (the knowledge base's stage) and how far Windows says the dial got: the
 * RASCONNSTATE RasDial reported the error in, or the furthest RasClient
 * progress event of the last dial. Microsoft says not to rely on the order or
 * occurrence of RASCONNSTATE values, so states are never compared as numbers:
 * each maps to a phase on its own, and only the state an error came with
 * counts for the failure. Pure: no Windows header, tested on any system. */
#ifndef L2F_DIALSTAGE_H
#define L2F_DIALSTAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "model.h"

/* RASCONNSTATE values as the Windows SDK's ras.h numbers them (mingw-w64's
 * header stops before ApplySettings); backend_win32.c checks the rest against
 * mingw's. Only the ones that say something of a dial's progress. */
enum dial_ras_state {
    DIAL_RASCS_OPEN_PORT = 0,
    DIAL_RASCS_PORT_OPENED = 1,
    DIAL_RASCS_CONNECT_DEVICE = 2,
    DIAL_RASCS_DEVICE_CONNECTED = 3,
    DIAL_RASCS_ALL_DEVICES_CONNECTED = 4,
    DIAL_RASCS_AUTHENTICATE = 5,
    DIAL_RASCS_AUTH_NOTIFY = 6,
    DIAL_RASCS_AUTH_RETRY = 7,
    DIAL_RASCS_AUTH_CALLBACK = 8,
    DIAL_RASCS_AUTH_CHANGE_PASSWORD = 9,
    DIAL_RASCS_AUTH_PROJECT = 10,
    DIAL_RASCS_AUTH_LINK_SPEED = 11,
    DIAL_RASCS_AUTH_ACK = 12,
    DIAL_RASCS_RE_AUTHENTICATE = 13,
    DIAL_RASCS_AUTHENTICATED = 14,
    DIAL_RASCS_PROJECTED = 18,
    DIAL_RASCS_APPLY_SETTINGS = 24, /* Windows 7+; not in mingw-w64's ras.h */
    DIAL_RASCS_RETRY_AUTHENTICATION = 0x1001,
    DIAL_RASCS_PASSWORD_EXPIRED = 0x1003,
    DIAL_RASCS_INVOKE_EAP_UI = 0x1004,
    DIAL_RASCS_CONNECTED = 0x2000
};

/* How far a dial got, as either source tells it. */
enum dial_phase {
    DIAL_PHASE_UNKNOWN,        /* nothing that places it */
    DIAL_PHASE_DIALING,        /* dialing began; the server not yet tried (20221, OpenPort) */
    DIAL_PHASE_DEVICE,         /* the WAN Miniport connects: IKE, IPsec, the L2TP tunnel
                                  (20222, ConnectDevice) */
    DIAL_PHASE_LINK,           /* the tunnel is up and PPP runs: LCP (20223, 20224,
                                  DeviceConnected, AllDevicesConnected, Authenticate) */
    DIAL_PHASE_AUTHENTICATING, /* PPP authentication is under way (AuthNotify and on) */
    DIAL_PHASE_AUTHENTICATED,  /* past authentication: the network protocols and settings */
    DIAL_PHASE_CONNECTED
};

/* The phase of one RasClient progress event (20221-20225); UNKNOWN for others. */
enum dial_phase dialstage_phase_of_event(int event_id);
/* The phase of one RASCONNSTATE value; UNKNOWN for a state that places
 * nothing (a pause for a callback number, SubEntry states, Disconnected). */
enum dial_phase dialstage_phase_of_state(int ras_state);
/* The stage a dial works on in this phase, for lighting a test connection as
 * it goes; STAGE_COUNT once connected, -1 for UNKNOWN (light nothing new). */
int dialstage_progress(enum dial_phase phase);
/* The stage a failed dial stopped in: the code's family, unless the phase
 * shows the dial got past that stage (789 after the tunnel came up is PPP);
 * without a family, the first stage the phase does not show passed. */
enum stage_id dialstage_stopped(int code, enum dial_phase phase);

/* A test connection's stages as RasDial's notifications light them: a stage
 * lit stays lit (a repeated or earlier state lights nothing new), and the
 * failure is placed by dialstage_stopped from the error and its state alone. */
struct dial_track {
    int lit;   /* the stage lit so far, -1 before any */
    bool done; /* CONNECT_DONE was given: later notifications give nothing */
};
#define DIAL_TRACK_MAX_EVENTS (2 * STAGE_COUNT + 1)

void dialtrack_start(struct dial_track *t);
/* The events one notification (state, error) gives, into out (room for
 * DIAL_TRACK_MAX_EVENTS); returns how many. */
size_t dialtrack_notify(struct dial_track *t, int ras_state, unsigned long error,
                        struct connect_event out[DIAL_TRACK_MAX_EVENTS]);

enum dial_mark {
    DIAL_MARK_NONE,    /* not placed (no progress event, stale, nothing recorded) */
    DIAL_MARK_PASSED,  /* the dial got through this stage */
    DIAL_MARK_STOPPED, /* ... and stopped in this one */
    DIAL_MARK_NOT_REACHED
};

/* The last real dial Windows recorded, placed among the stages. */
struct last_dial {
    bool recorded;            /* an attempt is known */
    bool stale;               /* the settings changed since: its stages are not lit */
    int code;                 /* 0 connected */
    char when[32];            /* as the record has it, empty when not known */
    int reached;              /* the furthest progress event, 0 when none */
    bool located;             /* stopped_in and marks say where it stopped (or that it connected) */
    enum stage_id stopped_in; /* STAGE_COUNT when it connected */
    enum dial_mark marks[STAGE_COUNT];
};

/* From the record (NULL or !known: not recorded) and whether it is stale. A
 * failed dial is placed only with a progress event: a code alone is what
 * `explain` says of it, and 789's family misleads without one. */
void dialstage_last(const struct connection_record *rec, bool stale, struct last_dial *out);
/* "passed", "stopped", "not-reached"; NULL for DIAL_MARK_NONE. */
const char *dialstage_mark_id(enum dial_mark m);
/* One stage's mark in a few words, for a stage's line: "last dial stopped
 * here, 2026-11-23 23:40 UTC" or "last dial passed"; empty when the
 * stage is not lit (not placed, stale, not reached). */
void dialstage_mark_text(const struct last_dial *ld, enum stage_id s, char *buf, size_t len);
/* One sentence on the last dial as it concerns stage s, for a details pane;
 * empty when no attempt is recorded. */
void dialstage_detail_text(const struct last_dial *ld, enum stage_id s, char *buf, size_t len);
/* "2026-11-23 23:40 UTC" from "2026-11-23T23:40:00.123Z"; "time not known"
 * for an empty or malformed one. */
void dialstage_when_text(const char *when, char *buf, size_t len);

#endif
