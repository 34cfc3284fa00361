/* L2TP version 2 (RFC 2661) messages: the header, control messages and their
 * AVPs, built and parsed as bytes. Pure functions: no sockets, no clock. */
#ifndef L2F_NET_L2TP_H
#define L2F_NET_L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2TP_PORT 1701
#define L2TP_MAX_AVPS 32

/* X(enum, number, name) */
#define L2TP_MESSAGE_TABLE(X)                                                                      \
    X(L2TP_ZLB, 0, "ZLB")                                                                          \
    X(L2TP_SCCRQ, 1, "SCCRQ")                                                                      \
    X(L2TP_SCCRP, 2, "SCCRP")                                                                      \
    X(L2TP_SCCCN, 3, "SCCCN")                                                                      \
    X(L2TP_STOPCCN, 4, "StopCCN")                                                                  \
    X(L2TP_HELLO, 6, "HELLO")                                                                      \
    X(L2TP_ICRQ, 10, "ICRQ")                                                                       \
    X(L2TP_ICRP, 11, "ICRP")                                                                       \
    X(L2TP_ICCN, 12, "ICCN")                                                                       \
    X(L2TP_CDN, 14, "CDN")                                                                         \
    X(L2TP_SLI, 16, "SLI")

#define L2TP_MESSAGE_ENUM(e, n, name) e = n,
enum l2tp_message { L2TP_MESSAGE_TABLE(L2TP_MESSAGE_ENUM) };
#undef L2TP_MESSAGE_ENUM

/* AVP types used here (RFC 2661 section 4.4) */
#define L2TP_AVP_MESSAGE_TYPE 0
#define L2TP_AVP_RESULT_CODE 1
#define L2TP_AVP_PROTOCOL_VERSION 2
#define L2TP_AVP_FRAMING_CAPABILITIES 3
#define L2TP_AVP_BEARER_CAPABILITIES 4
#define L2TP_AVP_FIRMWARE_REVISION 6
#define L2TP_AVP_HOST_NAME 7
#define L2TP_AVP_VENDOR_NAME 8
#define L2TP_AVP_ASSIGNED_TUNNEL_ID 9
#define L2TP_AVP_RECEIVE_WINDOW 10
#define L2TP_AVP_ASSIGNED_SESSION_ID 14
#define L2TP_AVP_CALL_SERIAL_NUMBER 15
#define L2TP_AVP_FRAMING_TYPE 19
#define L2TP_AVP_TX_CONNECT_SPEED 24

const char *l2tp_message_name(unsigned type);

/* One packet's header; payload points into the packet. */
struct l2tp_header {
    bool control;
    uint16_t tunnel, session;
    bool has_sequence;
    uint16_t ns, nr;
    const uint8_t *payload;
    size_t payload_len;
};

/* Parses the header; false when it is not L2TPv2, runs out of the packet, or
 * a control message lacks its length or sequence numbers (RFC 2661 3.1). */
bool l2tp_parse_header(const uint8_t *p, size_t len, struct l2tp_header *h);

struct l2tp_avp {
    bool mandatory;
    uint16_t vendor, type;
    const uint8_t *value;
    size_t len;
};

/* A control message's AVPs, the first of which names the message. */
struct l2tp_control {
    unsigned type; /* L2TP_ZLB when there are no AVPs */
    struct l2tp_avp avps[L2TP_MAX_AVPS];
    size_t count;
};

/* Splits the AVPs of a control payload; false when one runs out of the
 * payload, is hidden (this client sets no secret), the first is not the
 * message type, or there are more than L2TP_MAX_AVPS. */
bool l2tp_parse_control(const uint8_t *payload, size_t len, struct l2tp_control *c);
const struct l2tp_avp *l2tp_find_avp(const struct l2tp_control *c, uint16_t type);
/* The Result Code AVP of a StopCCN or CDN (RFC 2661 4.4.2): the result, then
 * optionally an error code and, after it, a message. */
struct l2tp_result {
    uint16_t result;
    bool has_error;
    uint16_t error;
    char message[64]; /* cut to fit, printable ASCII only; "" when none */
};
/* False when the message has no Result Code AVP or its length is not 2 or at least 4. */
bool l2tp_result_code(const struct l2tp_control *c, struct l2tp_result *out);
/* A 16-bit AVP (assigned tunnel and session ids); false when absent or not 2 bytes. */
bool l2tp_avp_u16(const struct l2tp_control *c, uint16_t type, uint16_t *out);

/* Appends an AVP to a message being built (flags M set), after the header.
 * Returns the new length, 0 when it does not fit. */
size_t l2tp_put_avp(uint8_t *buf, size_t pos, size_t cap, uint16_t type, const void *value,
                    size_t len);
size_t l2tp_put_avp_u16(uint8_t *buf, size_t pos, size_t cap, uint16_t type, uint16_t value);
size_t l2tp_put_avp_u32(uint8_t *buf, size_t pos, size_t cap, uint16_t type, uint32_t value);
/* Starts a control message (header with T, L and S set; a Message Type AVP
 * unless type is L2TP_ZLB). Returns the length so far. */
size_t l2tp_begin_control(uint8_t *buf, size_t cap, unsigned type, uint16_t tunnel,
                          uint16_t session, uint16_t ns, uint16_t nr);
/* Writes the final length into the header; returns len. */
size_t l2tp_finish(uint8_t *buf, size_t len);

/* SCCRQ as a Windows client sends it: version 1.0, synchronous and
 * asynchronous framing, the host name, our tunnel id, a receive window. */
size_t l2tp_build_sccrq(uint8_t *buf, size_t cap, const char *host_name, uint16_t our_tunnel,
                        uint16_t window);
/* StopCCN with a result code (1: general request to clear the tunnel). */
size_t l2tp_build_stopccn(uint8_t *buf, size_t cap, uint16_t peer_tunnel, uint16_t our_tunnel,
                          uint16_t result, uint16_t ns, uint16_t nr);

#endif
