#include "net/probeenum.h"

#include <stdio.h>
#include <string.h>

#include "status.h"

#define GROUP_MODP1536 5 /* RFC 3526 */
#define GROUP_MODP3072 15
#define GROUP_MODP4096 16
#define HASH_SHA384 5 /* RFC 4868 */
#define HASH_SHA512 6

#define T(enc, bits, hash, group)                                                                  \
    {                                                                                              \
        enc, bits, hash, IKE_AUTH_PSK, group                                                       \
    }
#define AES IKE_ENC_AES_CBC
#define TDES IKE_ENC_3DES
#define DES IKE_ENC_DES
#define MD5 IKE_HASH_MD5
#define SHA1 IKE_HASH_SHA1
#define SHA256 IKE_HASH_SHA256

/* Likely first: the legacy DES/MD5 servers the weak-crypto value exists for,
 * then modp1536 (many routers' default), then SHA-2 and the bigger groups.
 * None of Windows' own offer: the probe already had it refused. More than
 * PROBE_ENUM_MAX on purpose: the bound, not the list, ends a run. */
const struct ike_transform probe_enum_candidates[] = {
    T(TDES, 0, MD5, IKE_GROUP_MODP1024),
    T(DES, 0, MD5, IKE_GROUP_MODP768),
    T(AES, 128, SHA1, GROUP_MODP1536),
    T(TDES, 0, SHA1, GROUP_MODP1536),
    T(AES, 256, SHA1, GROUP_MODP1536),
    T(DES, 0, SHA1, IKE_GROUP_MODP1024),
    T(DES, 0, MD5, IKE_GROUP_MODP1024),
    T(TDES, 0, MD5, IKE_GROUP_MODP768),
    T(TDES, 0, SHA1, IKE_GROUP_MODP768),
    T(DES, 0, SHA1, IKE_GROUP_MODP768),
    T(AES, 128, SHA1, IKE_GROUP_MODP2048),
    T(AES, 128, MD5, IKE_GROUP_MODP1024),
    T(AES, 256, MD5, IKE_GROUP_MODP1024),
    T(TDES, 0, MD5, GROUP_MODP1536),
    T(TDES, 0, MD5, IKE_GROUP_MODP2048),
    T(AES, 128, SHA256, IKE_GROUP_MODP2048),
    T(AES, 256, SHA256, IKE_GROUP_MODP2048),
    T(AES, 128, SHA256, IKE_GROUP_MODP1024),
    T(AES, 256, SHA256, IKE_GROUP_MODP1024),
    T(AES, 128, SHA256, GROUP_MODP1536),
    T(AES, 256, SHA256, GROUP_MODP1536),
    T(AES, 256, SHA256, GROUP_MODP3072),
    T(AES, 256, SHA256, GROUP_MODP4096),
    T(AES, 128, SHA256, IKE_GROUP_ECP256),
    T(AES, 256, HASH_SHA384, IKE_GROUP_ECP384),
    T(AES, 256, HASH_SHA512, IKE_GROUP_MODP2048),
    T(AES, 256, HASH_SHA384, IKE_GROUP_MODP2048),
    T(AES, 128, SHA1, IKE_GROUP_MODP768),
    T(DES, 0, MD5, GROUP_MODP1536),
    T(AES, 128, MD5, IKE_GROUP_MODP2048),
    T(AES, 256, MD5, IKE_GROUP_MODP2048),
    T(AES, 256, SHA1, GROUP_MODP3072),
    T(AES, 256, SHA1, GROUP_MODP4096),
    T(AES, 128, SHA1, GROUP_MODP3072),
    T(TDES, 0, SHA256, IKE_GROUP_MODP2048),
};
const size_t probe_enum_candidate_count =
    sizeof probe_enum_candidates / sizeof probe_enum_candidates[0];

/* Sources disagree on Windows' base offer (ike_windows_offer keeps windows-l2tp.md's, from server
 * logs: ECP384/ECP256 first); Microsoft KB325158 names 3DES/SHA1/DH group 2 for earlier clients,
 * and strongSwan's docs list only modp1024 for Windows 7-11, for IKEv2 not L2TP's IKEv1.
 * What AllowL2TPWeakCrypto=1 adds to Windows' offer: DES and MD5 (sourcedaddy.com's copy of
 * the Windows 7 Resource Kit names them for L2TP/IPsec). UNVERIFIED: which DH groups go with
 * them; modelled on the groups Windows offers 3DES with, never group 1 (modp768). */
static const struct ike_transform windows_weak_extra[] = {
    T(TDES, 0, MD5, IKE_GROUP_MODP2048), T(DES, 0, SHA1, IKE_GROUP_MODP2048),
    T(DES, 0, MD5, IKE_GROUP_MODP2048),  T(TDES, 0, MD5, IKE_GROUP_MODP1024),
    T(DES, 0, SHA1, IKE_GROUP_MODP1024), T(DES, 0, MD5, IKE_GROUP_MODP1024),
};

#undef T

void probe_enum_init(struct probe_enum *e)
{
    memset(e, 0, sizeof *e);
}

static bool accepts_full(const struct probe_enum *e)
{
    return e->result.count >= PROBE_ENUM_STOP_AFTER;
}

/* Nothing more to send: the bound, the list's end, or enough acceptances. */
static bool exhausted(const struct probe_enum *e)
{
    return e->result.sent >= PROBE_ENUM_MAX || e->next >= probe_enum_candidate_count ||
           accepts_full(e);
}

static void settle(struct probe_enum *e)
{
    e->waiting = false;
    if (exhausted(e)) {
        e->done = true;
        e->result.complete = true;
    }
}

size_t probe_enum_next(struct probe_enum *e, uint64_t now, const uint8_t cookie[IKE_COOKIE_LEN],
                       uint8_t *buf, size_t len)
{
    if (e->done || e->waiting || exhausted(e))
        return 0;
    if (e->result.sent && now < e->sent_at + PROBE_ENUM_GAP_MS)
        return 0;
    size_t n = ike_v1_build_mm1(buf, len, cookie, &probe_enum_candidates[e->next], 1, false);
    if (!n)
        return 0;
    memcpy(e->cookie, cookie, IKE_COOKIE_LEN);
    e->sent_at = now;
    e->waiting = true;
    e->result.sent++;
    return n;
}

void probe_enum_reply(struct probe_enum *e, const uint8_t *buf, size_t len)
{
    if (e->done || !e->waiting)
        return;
    const struct ike_transform *t = &probe_enum_candidates[e->next];
    struct ike_reply r;
    struct l2f_err err;
    /* the parser checks every length against the datagram and the cookie against ours */
    if (ike_v1_parse_reply(buf, len, e->cookie, false, t, 1, &r, &err) != L2F_OK)
        return; /* not an answer to this offer (a late one to the last): wait on */
    if (r.kind == IKE_REPLY_ACCEPTED) {
        struct probe_accepts *a = &e->result;
        ike_transform_name(t, a->names[a->count], sizeof a->names[a->count]);
        a->count++;
    }
    e->next++;
    settle(e);
}

void probe_enum_tick(struct probe_enum *e, uint64_t now)
{
    if (e->done)
        return;
    if (e->waiting && now >= e->sent_at + PROBE_ENUM_WAIT_MS) {
        e->next++; /* silence: some servers ignore a group they do not know */
        settle(e);
    } else if (!e->waiting && exhausted(e)) {
        settle(e);
    }
}

uint64_t probe_enum_wake(const struct probe_enum *e)
{
    if (e->waiting)
        return e->sent_at + PROBE_ENUM_WAIT_MS;
    return e->result.sent ? e->sent_at + PROBE_ENUM_GAP_MS : 0;
}

bool probe_transform_equal(const struct ike_transform *a, const struct ike_transform *b)
{
    return a->enc == b->enc && a->key_bits == b->key_bits && a->hash == b->hash &&
           a->group == b->group;
}

static bool in_list(const struct ike_transform *t, const struct ike_transform *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (probe_transform_equal(t, &list[i]))
            return true;
    return false;
}

void probe_enum_by_rule(const struct ike_transform *server, size_t n, struct probe_accepts *out)
{
    struct probe_enum e;
    probe_enum_init(&e);
    /* the wire's walk without the wire: same order, same bound, same stop */
    while (!exhausted(&e)) {
        const struct ike_transform *t = &probe_enum_candidates[e.next];
        e.result.sent++;
        if (in_list(t, server, n)) {
            ike_transform_name(t, e.result.names[e.result.count],
                               sizeof e.result.names[e.result.count]);
            e.result.count++;
        }
        e.next++;
    }
    e.result.complete = true;
    *out = e.result;
}

/* ---- names ---- */

static bool parse_enc(const char *s, size_t n, struct ike_transform *t)
{
    if (n == 3 && strncmp(s, "des", 3) == 0)
        *t = (struct ike_transform){.enc = IKE_ENC_DES};
    else if (n == 4 && strncmp(s, "3des", 4) == 0)
        *t = (struct ike_transform){.enc = IKE_ENC_3DES};
    else if (n == 6 && strncmp(s, "aes128", 6) == 0)
        *t = (struct ike_transform){.enc = IKE_ENC_AES_CBC, .key_bits = 128};
    else if (n == 6 && strncmp(s, "aes256", 6) == 0)
        *t = (struct ike_transform){.enc = IKE_ENC_AES_CBC, .key_bits = 256};
    else
        return false;
    return true;
}

static bool parse_word(const char *s, size_t n, const char *const *names, const uint16_t *values,
                       size_t count, uint16_t *out)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0) {
            *out = values[i];
            return true;
        }
    return false;
}

bool probe_transform_parse(const char *name, struct ike_transform *out)
{
    static const char *const hashes[] = {"md5", "sha1", "sha256", "sha384", "sha512"};
    static const uint16_t hash_ids[] = {IKE_HASH_MD5, IKE_HASH_SHA1, IKE_HASH_SHA256, HASH_SHA384,
                                        HASH_SHA512};
    static const char *const groups[] = {"modp768",  "modp1024", "modp1536", "modp2048",
                                         "modp3072", "modp4096", "ecp256",   "ecp384"};
    static const uint16_t group_ids[] = {IKE_GROUP_MODP768,  IKE_GROUP_MODP1024, GROUP_MODP1536,
                                         IKE_GROUP_MODP2048, GROUP_MODP3072,     GROUP_MODP4096,
                                         IKE_GROUP_ECP256,   IKE_GROUP_ECP384};
    const char *d1 = strchr(name, '-');
    const char *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '-'))
        return false;
    struct ike_transform t;
    if (!parse_enc(name, (size_t)(d1 - name), &t) ||
        !parse_word(d1 + 1, (size_t)(d2 - d1 - 1), hashes, hash_ids, 5, &t.hash) ||
        !parse_word(d2 + 1, strlen(d2 + 1), groups, group_ids, 8, &t.group))
        return false;
    t.auth = IKE_AUTH_PSK;
    *out = t;
    return true;
}

/* ---- Windows' side and the remedy ---- */

bool probe_transform_is_weak(const struct ike_transform *t)
{
    return t->enc == IKE_ENC_DES || t->hash == IKE_HASH_MD5;
}

bool probe_windows_offers(const struct ike_transform *t, bool weak)
{
    return in_list(t, ike_windows_offer, ike_windows_offer_count) ||
           (weak && in_list(t, windows_weak_extra,
                            sizeof windows_weak_extra / sizeof windows_weak_extra[0]));
}

enum proposal_remedy probe_proposal_remedy(const char (*names)[PROBE_TRANSFORM_NAME], size_t n,
                                           char *suggest, size_t len)
{
    bool weak_would_do = false, all_weak = n > 0;
    for (size_t i = 0; i < n; i++) {
        struct ike_transform t;
        bool known = probe_transform_parse(names[i], &t);
        weak_would_do |= known && probe_windows_offers(&t, true);
        all_weak &= known && probe_transform_is_weak(&t);
    }
    /* the strongest MODP transform Windows offers: a server with modp1536 or SHA-2 has it too */
    snprintf(suggest, len, "aes256-sha1-modp2048");
    if (n == 0)
        return REMEDY_UNKNOWN;
    /* weakening the client only when the server has nothing better to give */
    return weak_would_do && all_weak ? REMEDY_WEAK_CRYPTO : REMEDY_SERVER;
}
