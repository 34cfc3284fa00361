#include "dialstage.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kb.h"
#include "text.h"

/* Microsoft's "RAS Connection Establishment Issues" places a failure by the
 * last informational event and the code of 20227: 20221 is followed by
 * dialing errors (665), 20222 by the tunnel and IPsec ones (809, 766, 786-791,
 * 810, 811, 827, 835...), 20223 and 20224 by the same PPP and authentication
 * list (691, 718, 732, 734, 812...). Our reference called 20224 "link
 * established / authenticating"; Microsoft says only "all of the selected
 * devices have been successfully connected", so it places no further than 20223. */
enum dial_phase dialstage_phase_of_event(int event_id)
{
    switch (event_id) {
    case KB_EVENT_PRECONNECT:
        return DIAL_PHASE_DIALING;
    case KB_EVENT_CONNECTING_DEVICE:
        return DIAL_PHASE_DEVICE;
    case KB_EVENT_DEVICE_CONNECTED:
    case KB_EVENT_LINK_ESTABLISHED:
        return DIAL_PHASE_LINK;
    case KB_EVENT_CONNECTED:
        return DIAL_PHASE_CONNECTED;
    default:
        return DIAL_PHASE_UNKNOWN;
    }
}

/* RasDial reports each state on entry and again, with the error, when it
 * fails inside it: an error "in DeviceConnected" comes after the device (the
 * IPsec-protected L2TP tunnel) connected. */
enum dial_phase dialstage_phase_of_state(int ras_state)
{
    switch (ras_state) {
    case DIAL_RASCS_OPEN_PORT:
    case DIAL_RASCS_PORT_OPENED:
        return DIAL_PHASE_DIALING;
    case DIAL_RASCS_CONNECT_DEVICE:
        return DIAL_PHASE_DEVICE;
    case DIAL_RASCS_DEVICE_CONNECTED:
    case DIAL_RASCS_ALL_DEVICES_CONNECTED:
    case DIAL_RASCS_AUTHENTICATE: /* "authentication is starting": LCP still runs */
        return DIAL_PHASE_LINK;
    case DIAL_RASCS_AUTH_NOTIFY: /* with an error: authentication failed (Microsoft) */
    case DIAL_RASCS_AUTH_RETRY:
    case DIAL_RASCS_AUTH_CALLBACK:
    case DIAL_RASCS_AUTH_CHANGE_PASSWORD:
    case DIAL_RASCS_AUTH_PROJECT:
    case DIAL_RASCS_AUTH_LINK_SPEED:
    case DIAL_RASCS_AUTH_ACK:
    case DIAL_RASCS_RE_AUTHENTICATE:
    case DIAL_RASCS_RETRY_AUTHENTICATION:
    case DIAL_RASCS_PASSWORD_EXPIRED:
    case DIAL_RASCS_INVOKE_EAP_UI:
        return DIAL_PHASE_AUTHENTICATING;
    case DIAL_RASCS_AUTHENTICATED:
    case DIAL_RASCS_PROJECTED:
    case DIAL_RASCS_APPLY_SETTINGS:
        return DIAL_PHASE_AUTHENTICATED;
    case DIAL_RASCS_CONNECTED:
        return DIAL_PHASE_CONNECTED;
    default:
        return DIAL_PHASE_UNKNOWN;
    }
}

int dialstage_progress(enum dial_phase phase)
{
    switch (phase) {
    case DIAL_PHASE_DIALING:
        return STAGE_TUNNEL;
    case DIAL_PHASE_DEVICE:
        return STAGE_IPSEC;
    case DIAL_PHASE_LINK:
        return STAGE_PPP;
    case DIAL_PHASE_AUTHENTICATING:
    case DIAL_PHASE_AUTHENTICATED:
        return STAGE_AUTH;
    case DIAL_PHASE_CONNECTED:
        return STAGE_COUNT;
    case DIAL_PHASE_UNKNOWN:
        break;
    }
    return -1;
}

/* The first stage the phase does not show passed. Past authentication only
 * PPP's network protocols are left, so that is where a failure then falls. */
static enum stage_id first_unproven(enum dial_phase phase)
{
    switch (phase) {
    case DIAL_PHASE_LINK:
    case DIAL_PHASE_AUTHENTICATED:
    case DIAL_PHASE_CONNECTED:
        return STAGE_PPP;
    case DIAL_PHASE_AUTHENTICATING:
        return STAGE_AUTH;
    case DIAL_PHASE_UNKNOWN:
    case DIAL_PHASE_DIALING:
    case DIAL_PHASE_DEVICE:
        break;
    }
    return STAGE_TUNNEL;
}

enum stage_id dialstage_stopped(int code, enum dial_phase phase)
{
    enum stage_id floor = first_unproven(phase);
    const struct kb_entry *kb = kb_lookup(kb_fold_hresult(code));
    /* a family later than the phase wins: a state may be skipped, a code is not */
    return kb && kb->stage > floor ? kb->stage : floor;
}

void dialtrack_start(struct dial_track *t)
{
    t->lit = -1;
    t->done = false;
}

static size_t give(struct connect_event *out, size_t n, enum connect_event_kind kind,
                   enum stage_id stage, int code, const char *detail)
{
    out[n].kind = kind;
    out[n].stage = stage;
    out[n].code = code;
    text_copy(out[n].detail, sizeof out[n].detail, detail);
    return n + 1;
}

/* Passes every lit stage below target and begins the next, up to target. */
static size_t light_up_to(struct dial_track *t, int target, struct connect_event *out, size_t n)
{
    while (t->lit < target) {
        if (t->lit >= 0)
            n = give(out, n, CONNECT_STAGE_PASS, (enum stage_id)t->lit, 0, "");
        t->lit++;
        if (t->lit < STAGE_COUNT)
            n = give(out, n, CONNECT_STAGE_BEGIN, (enum stage_id)t->lit, 0, "");
    }
    return n;
}

size_t dialtrack_notify(struct dial_track *t, int ras_state, unsigned long error,
                        struct connect_event out[DIAL_TRACK_MAX_EVENTS])
{
    if (t->done)
        return 0;
    enum dial_phase phase = dialstage_phase_of_state(ras_state);
    size_t n = 0;
    if (error != 0) {
        /* a failure in a stage means the stages before it were got through */
        enum stage_id stopped = dialstage_stopped((int)error, phase);
        char detail[64];
        snprintf(detail, sizeof detail, "RAS state %d", ras_state);
        n = light_up_to(t, (int)stopped, out, n);
        t->done = true;
        return give(out, n, CONNECT_DONE, stopped, (int)error, detail);
    }
    if (phase == DIAL_PHASE_CONNECTED) {
        n = light_up_to(t, STAGE_COUNT, out, n);
        t->done = true;
        return give(out, n, CONNECT_DONE, STAGE_AUTH, 0, "connected");
    }
    return light_up_to(t, dialstage_progress(phase), out, n);
}

void dialstage_last(const struct connection_record *rec, bool stale, struct last_dial *out)
{
    memset(out, 0, sizeof *out);
    out->stopped_in = STAGE_COUNT;
    if (!rec || !rec->known)
        return;
    out->recorded = true;
    out->stale = stale;
    out->code = rec->code;
    out->reached = rec->reached;
    text_copy(out->when, sizeof out->when, rec->when);
    enum dial_phase phase = dialstage_phase_of_event(rec->reached);
    if (stale || (rec->code != 0 && phase == DIAL_PHASE_UNKNOWN))
        return;
    out->located = true;
    out->stopped_in = rec->code == 0 ? STAGE_COUNT : dialstage_stopped(rec->code, phase);
    for (int s = 0; s < STAGE_COUNT; s++)
        out->marks[s] = s < (int)out->stopped_in    ? DIAL_MARK_PASSED
                        : s == (int)out->stopped_in ? DIAL_MARK_STOPPED
                                                    : DIAL_MARK_NOT_REACHED;
}

const char *dialstage_mark_id(enum dial_mark m)
{
    switch (m) {
    case DIAL_MARK_PASSED:
        return "passed";
    case DIAL_MARK_STOPPED:
        return "stopped";
    case DIAL_MARK_NOT_REACHED:
        return "not-reached";
    case DIAL_MARK_NONE:
        break;
    }
    return NULL;
}

/* "2026-11-23T23:40" at least, digits where digits go */
static bool iso_minutes(const char *w)
{
    static const char shape[] = "dddd-dd-ddTdd:dd";
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)w[i]) : w[i] != shape[i])
            return false;
    return true;
}

void dialstage_when_text(const char *when, char *buf, size_t len)
{
    if (!when || strlen(when) < 16 || !iso_minutes(when))
        snprintf(buf, len, "time not known");
    else
        snprintf(buf, len, "%.10s %.5s UTC", when, when + 11);
}

void dialstage_mark_text(const struct last_dial *ld, enum stage_id s, char *buf, size_t len)
{
    char when[40];
    buf[0] = '\0';
    if (!ld->located || (unsigned)s >= STAGE_COUNT)
        return;
    if (ld->marks[s] == DIAL_MARK_PASSED) {
        snprintf(buf, len, "last dial passed");
    } else if (ld->marks[s] == DIAL_MARK_STOPPED) {
        dialstage_when_text(ld->when, when, sizeof when);
        snprintf(buf, len, "last dial stopped here, %s", when);
    }
}

void dialstage_detail_text(const struct last_dial *ld, enum stage_id s, char *buf, size_t len)
{
    char when[40], code[40];
    buf[0] = '\0';
    if (!ld->recorded || (unsigned)s >= STAGE_COUNT)
        return;
    dialstage_when_text(ld->when, when, sizeof when);
    kb_code_text(ld->code, code, sizeof code);
    const struct kb_entry *kb = kb_lookup(ld->code);
    const char *name = ld->code && kb ? kb->name : "";
    const char *reach = kb_dial_reach(ld->reached);
    if (ld->stale)
        snprintf(buf, len,
                 "%s, %s%s: the settings changed since, so the stages it reached are not lit", when,
                 ld->code ? "failed with " : "connected", ld->code ? code : "");
    else if (!ld->located)
        snprintf(buf, len,
                 "%s, failed with %s%s%s; Windows logged no progress event that places it", when,
                 code, name[0] ? " " : "", name);
    else if (ld->code == 0)
        snprintf(buf, len, "%s, connected: it passed this stage", when);
    else if (ld->marks[s] == DIAL_MARK_STOPPED)
        snprintf(buf, len, "%s, stopped here with %s%s%s; the dial %s (event %d)", when, code,
                 name[0] ? " " : "", name, reach ? reach : "got this far", ld->reached);
    else
        snprintf(buf, len, "%s, %s; it stopped in %s with %s", when,
                 ld->marks[s] == DIAL_MARK_PASSED ? "passed this stage"
                                                  : "did not reach this stage",
                 stage_info(ld->stopped_in)->title, code);
}
