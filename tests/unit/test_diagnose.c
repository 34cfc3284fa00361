/* Each check on passing and failing observations, built by hand: evaluation
 * is a pure function of what a client could observe. */
#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "net/handshake.h"
#include "testutil.h"

static struct diagnosis eval(const struct observations *o)
{
    struct diagnosis d;
    diagnose_evaluate(o, &d);
    return d;
}

static void assert_check(const struct diagnosis *d, enum check_id c, enum check_status st,
                         enum fix_id fix, const char *in_summary)
{
    const struct check_result *r = &d->checks[c];
    if (r->status != st || r->fix != fix || (in_summary && !strstr(r->summary, in_summary)))
        fail_msg("%s: got %s/%s '%s', want %s/%s '%s'", check_info(c)->id,
                 check_status_name(r->status), r->fix == FIX_NONE ? "-" : fix_info(r->fix)->id,
                 r->summary, check_status_name(st), fix == FIX_NONE ? "-" : fix_info(fix)->id,
                 in_summary ? in_summary : "");
}

static void healthy_passes_everything(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    struct diagnosis d = eval(&o);
    for (int c = 0; c < CHECK_COUNT; c++)
        if (c != CHECK_PSK_MATCHES && c != CHECK_MACHINE_CERT)
            assert_check(&d, (enum check_id)c, CHECK_PASS, FIX_NONE, NULL);
    /* no key at hand: said, and kept out of the stage's verdict */
    assert_check(&d, CHECK_PSK_MATCHES, CHECK_UNKNOWN, FIX_NONE, "no key at hand");
    assert_true(d.checks[CHECK_PSK_MATCHES].not_applicable);
    /* a PSK profile has no certificate to judge: said, and kept out too */
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_UNKNOWN, FIX_NONE, "a pre-shared key");
    assert_true(d.checks[CHECK_MACHINE_CERT].not_applicable);
    assert_string_equal(check_result_word(&d.checks[CHECK_MACHINE_CERT]), "skipped");
    for (int s = 0; s < STAGE_COUNT; s++)
        assert_int_equal(d.stages[s], CHECK_PASS);
    assert_int_equal(d.n_recommended, 0);
    assert_false(diagnosis_has_problems(&d));
}

/* A certificate profile on a machine whose best certificate is in state st. */
static void cert_profile(struct observations *o, enum cert_state st)
{
    tu_healthy(o);
    o->profile.fields[PF_IPSEC_FLAGS] = 0;
    o->have_cert = true;
    o->cert_st = L2F_OK;
    memset(&o->cert, 0, sizeof o->cert);
    if (st != CERT_NONE) {
        machine_cert_consider(&o->cert, st);
        strcpy(o->cert.subject, "CN=pc1.example.com");
        strcpy(o->cert.not_after, "2027-01-31T12:00:00Z");
    }
}

static void machine_certificate_states(void **state)
{
    (void)state;
    struct observations o;
    cert_profile(&o, CERT_NONE);
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE, "766");
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_FAIL);
    /* each failed requirement: 13806, the one it stopped at, subject and expiry */
    static const struct {
        enum cert_state st;
        const char *words;
    } bad[] = {{CERT_EXPIRED, "validity"},
               {CERT_NO_PRIVATE_KEY, "no private key"},
               {CERT_NO_CLIENT_AUTH, "1.3.6.1.5.5.7.3.2"},
               {CERT_UNTRUSTED, "does not chain"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cert_profile(&o, bad[i].st);
        d = eval(&o);
        assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE, "13806");
        assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE, bad[i].words);
        assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE, "CN=pc1.example.com");
        assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE, "2027-01-31");
    }
    /* several candidates: the tally says why each failed */
    cert_profile(&o, CERT_UNTRUSTED);
    machine_cert_consider(&o.cert, CERT_EXPIRED);
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE,
                 "2 certificates: 1 expired, 1 untrusted");
    cert_profile(&o, CERT_VALID);
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_PASS, FIX_NONE, "CN=pc1.example.com");
    /* psk-configured leaves a certificate profile to this check: no use-psk without evidence */
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_PASS);
    assert_int_equal(d.n_recommended, 0);
}

/* 787/835 only from evidence: Windows' last attempt, and not after a change. */
static void machine_certificate_and_the_servers(void **state)
{
    (void)state;
    struct observations o;
    cert_profile(&o, CERT_VALID);
    o.last.code = 787;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_WARN, FIX_NONE, "787");
    o.last.code = 835;
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_WARN, FIX_NONE, "835");
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_WARN, FIX_NONE, "vpn.example.com");
    o.last_stale = true;
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_PASS, FIX_NONE, NULL);
    /* no certificate: 766 whatever the last attempt said of the server */
    cert_profile(&o, CERT_NONE);
    o.last.code = 787;
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_FAIL, FIX_NONE, "766");
}

/* Where the store cannot be read: unknown, never a guess. */
static void machine_certificate_unknown(void **state)
{
    (void)state;
    struct observations o;
    cert_profile(&o, CERT_NONE);
    o.cert_unsupported = true;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_UNKNOWN, FIX_NONE, "read on the machine");
    assert_false(d.checks[CHECK_MACHINE_CERT].not_applicable);
    cert_profile(&o, CERT_NONE);
    o.cert_st = L2F_ERR_BACKEND;
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_UNKNOWN, FIX_NONE, "could not be read");
    cert_profile(&o, CERT_NONE);
    o.have_cert = false;
    d = eval(&o);
    assert_check(&d, CHECK_MACHINE_CERT, CHECK_RUNNING, FIX_NONE, NULL);
    /* an IKEv2 profile: another kind of VPN */
    cert_profile(&o, CERT_NONE);
    o.profile.fields[PF_VPN_STRATEGY] = VS_IKEV2_ONLY;
    d = eval(&o);
    assert_string_equal(check_result_word(&d.checks[CHECK_MACHINE_CERT]), "n/a");
}

static void classic_789_fails_ppp_in_the_guides_order(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.fields[PF_AUTH_RESTRICTIONS] = AR_EAP;
    o.profile.fields[PF_LCP_EXTENSIONS] = 0;
    o.last.code = 789;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_MSCHAPV2, CHECK_FAIL, FIX_MSCHAPV2,
                 "AuthRestrictions=128: EAP only, MS-CHAP v2 not allowed");
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_FAIL, FIX_LCP_EXTENSIONS, "LcpExtensions=0");
    /* with the PPP options wrong, a 789 is no evidence against the key */
    assert_check(&d, CHECK_PSK, CHECK_PASS, FIX_NONE, "a key is saved");
    assert_int_equal(d.stages[STAGE_PPP], CHECK_FAIL);
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_PASS);
    assert_int_equal(d.n_recommended, 2);
    assert_int_equal(d.recommended[0], FIX_MSCHAPV2);
    assert_int_equal(d.recommended[1], FIX_LCP_EXTENSIONS);
    assert_true(diagnosis_has_problems(&d));
}

static void mschapv2_variants(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.fields[PF_AUTH_RESTRICTIONS] = AR_CHAP;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_MSCHAPV2, CHECK_FAIL, FIX_MSCHAPV2,
                 "AuthRestrictions=32: CHAP; MS-CHAP v2 not allowed");
    o.profile.fields[PF_AUTH_RESTRICTIONS] = AR_EAP | AR_MSCHAP2; /* EAP wins over the ticks */
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_MSCHAPV2, CHECK_FAIL, FIX_MSCHAPV2,
                 "EAP only");
    o.profile.fields[PF_AUTH_RESTRICTIONS] = AR_MSCHAP2;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_MSCHAPV2, CHECK_PASS, FIX_NONE,
                 "AuthRestrictions=512: MS-CHAP v2");
    /* the key absent: no documented default, so unknown; the fix offered, never in fix all */
    tu_healthy(&o);
    o.profile.field_absent[PF_AUTH_RESTRICTIONS] = true;
    struct diagnosis absent = eval(&o);
    assert_check(&absent, CHECK_MSCHAPV2, CHECK_UNKNOWN, FIX_MSCHAPV2, "AuthRestrictions absent");
    assert_true(absent.checks[CHECK_MSCHAPV2].fix_is_alternative);
    for (size_t i = 0; i < absent.n_recommended; i++)
        assert_int_not_equal(absent.recommended[i], FIX_MSCHAPV2);
}

static void vpn_type(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.fields[PF_VPN_STRATEGY] = VS_DEFAULT;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_VPN_TYPE, CHECK_WARN, FIX_TUNNEL_L2TP,
                 "automatic");
    o.profile.fields[PF_VPN_STRATEGY] = VS_L2TP_FIRST;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_VPN_TYPE, CHECK_PASS, FIX_NONE, NULL);
}

/* A phonebook entry without VpnStrategy reads as automatic (MS-RRASM
 * 2.2.2.2.11's default) and says the key is absent, never "VpnStrategy=0". */
static void vpn_type_absent_key(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.fields[PF_VPN_STRATEGY] = VS_DEFAULT;
    o.profile.field_absent[PF_VPN_STRATEGY] = true;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_VPN_TYPE, CHECK_WARN, FIX_TUNNEL_L2TP, "VpnStrategy absent: automatic");
    assert_null(strstr(d.checks[CHECK_VPN_TYPE].summary, "VpnStrategy=0"));
}

static bool recommends(const struct diagnosis *d, enum fix_id f)
{
    for (size_t i = 0; i < d->n_recommended; i++)
        if (d->recommended[i] == f)
            return true;
    return false;
}

/* An IKEv2 profile with a certificate and EAP, as Windows writes one. */
static void ikev2_profile(struct observations *o)
{
    tu_healthy(o);
    o->profile.fields[PF_VPN_STRATEGY] = VS_IKEV2_ONLY;
    o->profile.fields[PF_AUTH_RESTRICTIONS] = AR_EAP;
    o->profile.fields[PF_IPSEC_FLAGS] = 0;
    o->profile.psk_saved = false;
    o->probe.ikev2 = PROBE_ACCEPTED;
}

static void another_kind_of_vpn_is_not_a_broken_l2tp_one(void **state)
{
    (void)state;
    static const enum check_id l2tp_only[] = {
        CHECK_IKE_500,        CHECK_IKE_4500, CHECK_NAT_TRAVERSAL,
        CHECK_PROHIBIT_IPSEC, CHECK_PSK,      CHECK_IKE_PROPOSALS,
        CHECK_PSK_MATCHES,    CHECK_MSCHAPV2, CHECK_LCP_EXTENSIONS};
    struct observations o;
    ikev2_profile(&o);
    o.probe_st = L2F_ERR_UNSUPPORTED; /* a phonebook file: the server was not asked */
    struct diagnosis d = eval(&o);
    for (size_t i = 0; i < sizeof l2tp_only / sizeof l2tp_only[0]; i++) {
        assert_check(&d, l2tp_only[i], CHECK_UNKNOWN, FIX_NONE,
                     "not an L2TP/IPsec profile (VpnStrategy=7: IKEv2)");
        assert_true(d.checks[l2tp_only[i]].not_applicable);
    }
    /* what the profile is, with L2TP/IPsec only as an alternative */
    assert_check(&d, CHECK_VPN_TYPE, CHECK_UNKNOWN, FIX_TUNNEL_L2TP, "another kind of VPN");
    assert_true(d.checks[CHECK_VPN_TYPE].not_applicable);
    assert_true(d.checks[CHECK_VPN_TYPE].fix_is_alternative);
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
    assert_false(recommends(&d, FIX_MSCHAPV2));
    assert_false(recommends(&d, FIX_USE_PSK));
    assert_int_equal(d.n_recommended, 0);
    /* no PPP in IKEv2: the stage is not judged, so it does not pass */
    assert_int_equal(d.stages[STAGE_PPP], CHECK_UNKNOWN);
    assert_false(diagnosis_has_problems(&d));
    /* IPsec services serve IKEv2 too */
    assert_false(d.checks[CHECK_IPSEC_SERVICES].not_applicable);
    /* the server answers IKEv2: the profile's own protocol passes, still no conversion */
    ikev2_profile(&o);
    d = eval(&o);
    assert_check(&d, CHECK_IKEV2, CHECK_PASS, FIX_NONE, "the protocol this profile uses");
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
    /* SSTP and PPTP: no IPsec at all; LCP extensions matter to their PPP */
    o.profile.fields[PF_VPN_STRATEGY] = VS_SSTP_ONLY;
    o.profile.fields[PF_LCP_EXTENSIONS] = 0;
    d = eval(&o);
    assert_check(&d, CHECK_IPSEC_SERVICES, CHECK_UNKNOWN, FIX_NONE,
                 "not an L2TP/IPsec profile (VpnStrategy=5: SSTP)");
    assert_check(&d, CHECK_IKEV2, CHECK_UNKNOWN, FIX_NONE, "not an L2TP/IPsec profile");
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_FAIL, FIX_LCP_EXTENSIONS, NULL);
    assert_check(&d, CHECK_VPN_TYPE, CHECK_UNKNOWN, FIX_TUNNEL_L2TP, "VpnStrategy=5: SSTP");
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
    o.profile.fields[PF_VPN_STRATEGY] = VS_PPTP_ONLY;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PSK, CHECK_UNKNOWN, FIX_NONE,
                 "VpnStrategy=1: PPTP");
}

static void tunnel_l2tp_recommended_only_on_evidence(void **state)
{
    (void)state;
    struct observations o;
    ikev2_profile(&o);
    o.probe.ikev2 = PROBE_NO_ANSWER; /* asked: IKEv1 on 500 answers, IKEv2 does not */
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_VPN_TYPE, CHECK_FAIL, FIX_TUNNEL_L2TP,
                 "192.0.2.10 answered IKEv1 on UDP 500 (L2TP/IPsec) but not IKEv2 (no-answer): "
                 "tunnel-l2tp recommended");
    assert_false(d.checks[CHECK_VPN_TYPE].fix_is_alternative);
    assert_true(recommends(&d, FIX_TUNNEL_L2TP));
    assert_check(&d, CHECK_IKEV2, CHECK_FAIL, FIX_NONE, "which this profile uses");
    /* IKEv1 silent too: no evidence for L2TP/IPsec */
    o.probe.ike500 = o.probe.ike4500 = PROBE_NO_ANSWER;
    d = eval(&o);
    assert_true(d.checks[CHECK_VPN_TYPE].fix_is_alternative);
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
    /* SSTP cannot be asked by the probe: IKEv1 answering is no evidence against it */
    tu_healthy(&o);
    o.profile.fields[PF_VPN_STRATEGY] = VS_SSTP_ONLY;
    d = eval(&o);
    assert_true(d.checks[CHECK_VPN_TYPE].not_applicable);
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
}

static void first_strategies_try_l2tp_but_keep_their_type(void **state)
{
    (void)state;
    struct observations o;
    /* IKEv2 first, then PPTP, then L2TP (MS-RRASM 2.2.2.2.11): L2TP is tried, its checks apply */
    ikev2_profile(&o);
    o.profile.fields[PF_VPN_STRATEGY] = VS_IKEV2_FIRST;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_VPN_TYPE, CHECK_PASS, FIX_TUNNEL_L2TP, "IKEv2 first, which answered");
    assert_true(d.checks[CHECK_VPN_TYPE].fix_is_alternative);
    assert_check(&d, CHECK_MSCHAPV2, CHECK_FAIL, FIX_MSCHAPV2, "EAP only");
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
    o.probe.ikev2 = PROBE_NO_PROPOSAL;
    d = eval(&o);
    assert_check(&d, CHECK_VPN_TYPE, CHECK_WARN, FIX_TUNNEL_L2TP,
                 "but not IKEv2 (no-proposal): tunnel-l2tp recommended");
    assert_true(recommends(&d, FIX_TUNNEL_L2TP));
    /* PPTP first: the probe cannot ask PPTP, so the type stays the person's */
    tu_healthy(&o);
    o.profile.fields[PF_VPN_STRATEGY] = VS_PPTP_FIRST;
    d = eval(&o);
    assert_check(&d, CHECK_VPN_TYPE, CHECK_WARN, FIX_TUNNEL_L2TP,
                 "PPTP first, L2TP/IPsec only after it");
    assert_true(d.checks[CHECK_VPN_TYPE].fix_is_alternative);
    assert_false(recommends(&d, FIX_TUNNEL_L2TP));
    assert_false(d.checks[CHECK_PSK].not_applicable);
    /* automatic and L2TP first stay as they were */
    tu_healthy(&o);
    o.profile.fields[PF_VPN_STRATEGY] = VS_DEFAULT;
    d = eval(&o);
    assert_true(recommends(&d, FIX_TUNNEL_L2TP));
    for (int c = 0; c < CHECK_COUNT; c++)
        assert_true(c == CHECK_PSK_MATCHES || c == CHECK_MACHINE_CERT /* a PSK profile */ ||
                    !d.checks[c].not_applicable);
}

static void switch_ikev2_only_on_an_ikev2_answer(void **state)
{
    (void)state;
    struct observations o;
    char why[256] = "";
    tu_healthy(&o); /* the server refused the IKEv2 offer */
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_IKEV2, CHECK_PASS, FIX_NONE, "no switch offered (IKEv2: no-proposal)");
    assert_true(diagnose_fix_refused(&o, FIX_SWITCH_IKEV2, why, sizeof why));
    assert_non_null(strstr(why, "IKEv2 did not answer (no-proposal from 192.0.2.10)"));
    o.probe_st = L2F_ERR_UNSUPPORTED;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKEV2, CHECK_UNKNOWN, FIX_NONE,
                 "not probed: no switch offered");
    assert_true(diagnose_fix_refused(&o, FIX_SWITCH_IKEV2, why, sizeof why));
    assert_non_null(strstr(why, "not asked for IKEv2"));
    o.have_probe = false;
    assert_true(diagnose_fix_refused(&o, FIX_SWITCH_IKEV2, why, sizeof why));
    /* IKEv2 answered: offered; other fixes never need this evidence */
    tu_healthy(&o);
    o.probe.ikev2 = PROBE_ACCEPTED;
    assert_false(diagnose_fix_refused(&o, FIX_SWITCH_IKEV2, why, sizeof why));
    o.probe.ikev2 = PROBE_NO_ANSWER;
    for (int f = 0; f < FIX_COUNT; f++)
        assert_true(f == FIX_SWITCH_IKEV2 || f == FIX_ALLOW_WEAK_CRYPTO ||
                    !diagnose_fix_refused(&o, (enum fix_id)f, why, sizeof why));
}

/* NO-PROPOSAL-CHOSEN with what the enumeration found (issue 16 family 2). */
static void refused_offer(struct observations *o, const char *accepts)
{
    tu_healthy(o);
    o->probe.ike500 = o->probe.ike4500 = PROBE_NO_PROPOSAL;
    o->probe.transform[0] = '\0';
    o->probe.enumerated = true;
    o->probe.accepts.sent = PROBE_ENUM_MAX;
    o->probe.accepts.complete = true;
    if (accepts)
        snprintf(o->probe.accepts.names[o->probe.accepts.count++], PROBE_TRANSFORM_NAME, "%s",
                 accepts);
}

static bool recommended(const struct diagnosis *d, enum fix_id f)
{
    for (size_t i = 0; i < d->n_recommended; i++)
        if (d->recommended[i] == f)
            return true;
    return false;
}

static void proposals_remedy(void **state)
{
    (void)state;
    struct observations o;
    char why[256];
    /* only MD5: the weak-crypto fix, offered, never in fix all, and Windows' offer beside */
    refused_offer(&o, "3des-md5-modp1024");
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_IKE_PROPOSALS, CHECK_FAIL, FIX_ALLOW_WEAK_CRYPTO,
                 "accepts only 3des-md5-modp1024");
    assert_non_null(strstr(d.checks[CHECK_IKE_PROPOSALS].summary, "AllowL2TPWeakCrypto not set"));
    assert_true(d.checks[CHECK_IKE_PROPOSALS].fix_is_alternative);
    assert_false(recommended(&d, FIX_ALLOW_WEAK_CRYPTO));
    assert_true(d.server_enumerated);
    assert_false(diagnose_fix_refused(&o, FIX_ALLOW_WEAK_CRYPTO, why, sizeof why));
    /* the value set: Windows offers it, weakly: a warning, nothing to apply */
    o.reg_exists[REGVAL_WEAK_CRYPTO] = true;
    o.reg[REGVAL_WEAK_CRYPTO] = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKE_PROPOSALS, CHECK_WARN, FIX_NONE,
                 "AllowL2TPWeakCrypto=1: it connects, weakly");
    /* a group Windows does not offer: the server's configuration, naming Windows' transform */
    refused_offer(&o, "aes128-sha1-modp1536");
    d = eval(&o);
    assert_check(&d, CHECK_IKE_PROPOSALS, CHECK_FAIL, FIX_NONE,
                 "add aes256-sha1-modp2048 to the server's IKE proposals");
    assert_non_null(strstr(d.checks[CHECK_IKE_PROPOSALS].summary, "accepts aes128-sha1-modp1536"));
    assert_true(diagnose_fix_refused(&o, FIX_ALLOW_WEAK_CRYPTO, why, sizeof why));
    /* nothing found within the bound */
    refused_offer(&o, NULL);
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKE_PROPOSALS, CHECK_FAIL, FIX_NONE,
                 "nor any transform tried");
    /* a healthy server: the weakening is refused */
    tu_healthy(&o);
    assert_true(diagnose_fix_refused(&o, FIX_ALLOW_WEAK_CRYPTO, why, sizeof why));
    assert_non_null(strstr(why, "accepts Windows' proposals"));
}

static void server_address_and_probe(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.server[0] = '\0';
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_SERVER_ADDRESS, CHECK_FAIL, FIX_NONE, "PhoneNumber is empty");
    assert_check(&d, CHECK_DNS, CHECK_UNKNOWN, FIX_NONE, NULL);
    tu_healthy(&o);
    strcpy(o.profile.server, "vpn example.com");
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_SERVER_ADDRESS, CHECK_FAIL, FIX_NONE,
                 "not a host name");
    tu_healthy(&o);
    o.probe.resolved = false;
    o.probe.ike500 = o.probe.ike4500 = o.probe.ikev2 = PROBE_ERROR;
    d = eval(&o);
    assert_check(&d, CHECK_SERVER_ADDRESS, CHECK_PASS, FIX_NONE, "PhoneNumber=vpn.example.com");
    assert_check(&d, CHECK_DNS, CHECK_FAIL, FIX_NONE, "does not resolve (Windows: 868)");
    assert_check(&d, CHECK_IKE_500, CHECK_UNKNOWN, FIX_NONE, NULL);
    tu_healthy(&o);
    o.probe.literal = true;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_DNS, CHECK_PASS, FIX_NONE,
                 "nothing to resolve");
    tu_healthy(&o);
    o.probe.ike500 = o.probe.ike4500 = o.probe.ikev2 = PROBE_NO_ANSWER;
    o.probe.server_behind_nat = -1;
    d = eval(&o);
    assert_check(&d, CHECK_IKE_500, CHECK_FAIL, FIX_NONE, "no answer from 192.0.2.10 on UDP 500");
    assert_check(&d, CHECK_IKE_4500, CHECK_UNKNOWN, FIX_NONE, "see ike-500");
    assert_check(&d, CHECK_IKE_PROPOSALS, CHECK_UNKNOWN, FIX_NONE, NULL);
    assert_check(&d, CHECK_IKEV2, CHECK_UNKNOWN, FIX_NONE, "neither");
    tu_healthy(&o);
    o.probe.ike500 = PROBE_NO_PROPOSAL;
    d = eval(&o);
    assert_check(&d, CHECK_IKE_500, CHECK_PASS, FIX_NONE, "answered");
    assert_check(&d, CHECK_IKE_PROPOSALS, CHECK_FAIL, FIX_NONE, "788");
    /* a backend that cannot probe says so rather than guessing */
    tu_healthy(&o);
    o.probe_st = L2F_ERR_UNSUPPORTED;
    d = eval(&o);
    assert_check(&d, CHECK_IKE_500, CHECK_UNKNOWN, FIX_NONE, "not probed");
    assert_check(&d, CHECK_DNS, CHECK_UNKNOWN, FIX_NONE, NULL);
    assert_int_equal(d.stages[STAGE_TUNNEL], CHECK_UNKNOWN);
}

static void natt_port_and_ikev2(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.probe.ike4500 = PROBE_NO_ANSWER;
    o.probe.client_behind_nat = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKE_4500, CHECK_WARN, FIX_NONE,
                 "4500 does not");
    o.probe.client_behind_nat = -1; /* not known: still worth a warning */
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKE_4500, CHECK_WARN, FIX_NONE, NULL);
    o.probe.client_behind_nat = 0;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKE_4500, CHECK_PASS, FIX_NONE,
                 "not needed without NAT");
    /* IKEv2 where L2TP fails: the guide's fallback, as a warning */
    tu_healthy(&o);
    o.probe.ike500 = o.probe.ike4500 = PROBE_NO_PROPOSAL;
    o.probe.ikev2 = PROBE_ACCEPTED;
    struct diagnosis alt = eval(&o);
    assert_check(&alt, CHECK_IKEV2, CHECK_WARN, FIX_SWITCH_IKEV2, "IKEv2 answers where");
    for (size_t i = 0; i < alt.n_recommended; i++)
        assert_int_not_equal(alt.recommended[i], FIX_SWITCH_IKEV2); /* offered, never in fix all */
    o.probe.ike500 = PROBE_ACCEPTED;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKEV2, CHECK_PASS, FIX_NONE,
                 "an alternative");
}

/* switch-ikev2 on what `handshake --ikev2` saw from here: recommended after a
 * success, refused after a failure, only an alternative on the probe alone.
 * The server answers IKEv2 and refuses L2TP/IPsec's proposals. */
static void ikev2_only_server(struct observations *o)
{
    tu_healthy(o);
    o->probe.ike500 = o->probe.ike4500 = PROBE_NO_PROPOSAL;
    o->probe.ikev2 = PROBE_ACCEPTED;
}

static void switch_ikev2_on_the_probe_alone(void **state)
{
    (void)state;
    struct observations o;
    ikev2_only_server(&o);
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_IKEV2, CHECK_WARN, FIX_SWITCH_IKEV2,
                 "not tested: run l2tpfix handshake vpn.example.com --ikev2 --user NAME");
    assert_true(d.checks[CHECK_IKEV2].fix_is_alternative);
    assert_false(recommends(&d, FIX_SWITCH_IKEV2));
    o.probe_hint = "l2tpfix --state-dir /tmp/s";
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IKEV2, CHECK_WARN, FIX_SWITCH_IKEV2,
                 "run l2tpfix --state-dir /tmp/s handshake vpn.example.com --ikev2");
}

static void switch_ikev2_after_a_success(void **state)
{
    (void)state;
    struct observations o;
    char why[400];
    ikev2_only_server(&o);
    o.have_ikev2_seen = true; /* on 2026-12-03 UTC */
    o.ikev2_seen = (struct ikev2_seen){
        .ok = true, .stage = IKEV2_STAGE_AUTH, .trusted = true, .when = 1796256000};
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_IKEV2, CHECK_WARN, FIX_SWITCH_IKEV2,
                 "IKEv2 with EAP-MSCHAPv2 worked from here on 2026-12-03: server authenticated, "
                 "user accepted");
    assert_false(d.checks[CHECK_IKEV2].fix_is_alternative);
    assert_true(recommends(&d, FIX_SWITCH_IKEV2));
    assert_false(diagnose_fix_refused(&o, FIX_SWITCH_IKEV2, why, sizeof why));
    /* L2TP/IPsec answers too: the switch stays an alternative, not a fix-all step */
    o.probe.ike500 = PROBE_ACCEPTED;
    d = eval(&o);
    assert_check(&d, CHECK_IKEV2, CHECK_PASS, FIX_SWITCH_IKEV2, "worked from here on 2026-12-03");
    assert_true(d.checks[CHECK_IKEV2].fix_is_alternative);
    assert_false(recommends(&d, FIX_SWITCH_IKEV2));
}

static void switch_ikev2_after_a_failure(void **state)
{
    (void)state;
    struct observations o;
    char why[400];
    ikev2_only_server(&o);
    o.have_ikev2_seen = true;
    static const struct {
        enum ikev2_stage stage;
        int code;
        const char *reason, *want;
    } failures[] = {
        {IKEV2_STAGE_IPSEC, 13801, "the server's certificate is not trusted",
         "on 2026-12-03 at ipsec (13801): the server's certificate is not trusted"},
        {IKEV2_STAGE_AUTH, 691, "EAP Failure: the user was not accepted",
         "at auth (691): EAP Failure: the user was not accepted"},
        {IKEV2_STAGE_TUNNEL, 13868, "no proposal chosen", "at tunnel (13868): no proposal chosen"},
    };
    for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
        o.ikev2_seen = (struct ikev2_seen){
            .stage = failures[i].stage, .code = failures[i].code, .when = 1796256000};
        snprintf(o.ikev2_seen.reason, sizeof o.ikev2_seen.reason, "%s", failures[i].reason);
        struct diagnosis d = eval(&o);
        assert_check(&d, CHECK_IKEV2, CHECK_WARN, FIX_NONE, failures[i].want);
        assert_false(recommends(&d, FIX_SWITCH_IKEV2));
        assert_true(diagnose_fix_refused(&o, FIX_SWITCH_IKEV2, why, sizeof why));
        assert_non_null(strstr(why, failures[i].want));
    }
}

static void services(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.services[SVC_IKEEXT].state = SVC_STOPPED;
    o.services[SVC_POLICYAGENT] = (struct service_status){SVC_STOPPED, SVC_START_DISABLED};
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IPSEC_SERVICES, CHECK_FAIL,
                 FIX_RESTART_IPSEC_SERVICES, "IKEEXT stopped, PolicyAgent disabled (Windows: 827)");
    tu_healthy(&o);
    o.services[SVC_BFE] = (struct service_status){SVC_STOPPED, SVC_START_DISABLED};
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IPSEC_SERVICES, CHECK_FAIL, FIX_NONE,
                 "BFE disabled");
    tu_healthy(&o);
    o.svc_st[SVC_IKEEXT] = L2F_ERR_BACKEND;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IPSEC_SERVICES, CHECK_UNKNOWN, FIX_NONE,
                 NULL);
    /* PolicyAgent alone: Manual, started on demand, and not what 827 names */
    tu_healthy(&o);
    o.services[SVC_POLICYAGENT].state = SVC_STOPPED;
    struct diagnosis pa = eval(&o);
    assert_check(&pa, CHECK_IPSEC_SERVICES, CHECK_WARN, FIX_RESTART_IPSEC_SERVICES,
                 "PolicyAgent stopped: not an 827 cause");
    assert_null(strstr(pa.checks[CHECK_IPSEC_SERVICES].summary, "(Windows: 827)"));
    o.services[SVC_POLICYAGENT].start_type = SVC_START_DISABLED;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IPSEC_SERVICES, CHECK_WARN,
                 FIX_RESTART_IPSEC_SERVICES, "PolicyAgent disabled: not an 827 cause");
    /* with IKEEXT down as well it is 827 again */
    o.services[SVC_IKEEXT].state = SVC_STOPPED;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IPSEC_SERVICES, CHECK_FAIL,
                 FIX_RESTART_IPSEC_SERVICES, "(Windows: 827)");
    /* RasMan is not an IPsec service: stopped is normal when idle */
    tu_healthy(&o);
    o.services[SVC_RASMAN].state = SVC_STOPPED;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_IPSEC_SERVICES, CHECK_PASS, FIX_NONE, NULL);
}

static void nat_traversal(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.probe.client_behind_nat = 1;
    o.probe.server_behind_nat = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_FAIL, FIX_NAT_TRAVERSAL,
                 "not set; server and client behind NAT");
    o.reg_exists[REGVAL_NAT_TRAVERSAL] = true;
    o.reg[REGVAL_NAT_TRAVERSAL] = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_FAIL, FIX_NAT_TRAVERSAL,
                 "=1");
    o.reg[REGVAL_NAT_TRAVERSAL] = 2;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_PASS, FIX_NONE, "=2");
    /* server behind NAT, client not: 1 is enough */
    o.probe.client_behind_nat = 0;
    o.reg[REGVAL_NAT_TRAVERSAL] = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_PASS, FIX_NONE, NULL);
    /* no NAT-D answer: only a warning, and only when this client is behind NAT */
    tu_healthy(&o);
    o.probe.server_behind_nat = -1;
    o.probe.client_behind_nat = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_WARN, FIX_NAT_TRAVERSAL,
                 "if the server is too");
    o.probe.client_behind_nat = 0;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_UNKNOWN, FIX_NONE,
                 NULL);
    tu_healthy(&o);
    o.reg_st[REGVAL_NAT_TRAVERSAL] = L2F_ERR_NEED_ADMIN;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_NAT_TRAVERSAL, CHECK_UNKNOWN, FIX_NONE,
                 "not readable");
}

static void prohibit_ipsec(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.reg_exists[REGVAL_PROHIBIT_IPSEC] = true;
    o.reg[REGVAL_PROHIBIT_IPSEC] = 0;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PROHIBIT_IPSEC, CHECK_PASS, FIX_NONE,
                 "ProhibitIpSec=0");
    o.reg[REGVAL_PROHIBIT_IPSEC] = 1;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PROHIBIT_IPSEC, CHECK_FAIL, FIX_ALLOW_IPSEC,
                 "ProhibitIpSec=1");
    o.profile.fields[PF_IPSEC_FLAGS] = 0; /* certificates with a manual policy may be intended */
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PROHIBIT_IPSEC, CHECK_WARN, FIX_ALLOW_IPSEC,
                 "manually");
}

static void psk(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.psk_saved = false;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PSK, CHECK_FAIL, FIX_USE_PSK,
                 "no pre-shared key is saved");
    /* a certificate profile: use-psk only offered, unless the server took a key from here */
    tu_healthy(&o);
    o.profile.fields[PF_IPSEC_FLAGS] = 0;
    struct diagnosis cert = eval(&o);
    assert_check(&cert, CHECK_PSK, CHECK_UNKNOWN, FIX_USE_PSK, "machine-certificate judges");
    assert_true(cert.checks[CHECK_PSK].not_applicable);
    assert_true(cert.checks[CHECK_PSK].fix_is_alternative);
    for (size_t i = 0; i < cert.n_recommended; i++)
        assert_int_not_equal(cert.recommended[i], FIX_USE_PSK);
    o.have_key = true;
    o.key_st = L2F_OK;
    o.key = PSK_ACCEPTED;
    struct diagnosis keyed = eval(&o);
    assert_check(&keyed, CHECK_PSK, CHECK_WARN, FIX_USE_PSK, "the server verified the key given");
    assert_false(keyed.checks[CHECK_PSK].fix_is_alternative);
    /* PPP right and still 789: the key is suspect, but only suspect */
    tu_healthy(&o);
    o.last.code = 789;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PSK, CHECK_WARN, FIX_USE_PSK,
                 "may not be the server's key");
}

static void credentials_and_last_auth(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.username_saved = false;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_CREDENTIALS, CHECK_WARN, FIX_CREDENTIALS,
                 "no user name");
    tu_healthy(&o);
    o.profile.password_saved = false;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_CREDENTIALS, CHECK_WARN, FIX_CREDENTIALS,
                 "no password");
    tu_healthy(&o);
    o.last.code = 691;
    struct diagnosis d = eval(&o);
    /* 691's one meaning, as explain gives it: name or password, or the protocol */
    assert_check(&d, CHECK_CREDENTIALS, CHECK_WARN, FIX_CREDENTIALS,
                 "failed with 691: the server refused the user name or password, or the "
                 "authentication protocol");
    assert_check(&d, CHECK_LAST_AUTH, CHECK_FAIL, FIX_NONE, "691 ERROR_AUTHENTICATION_FAILURE");
    assert_null(strstr(check_info(CHECK_LAST_AUTH)->why, "not the settings"));
    assert_non_null(strstr(check_info(CHECK_LAST_AUTH)->why, "authentication protocol"));
    /* how far the dial got, from its progress events */
    o.last.reached = 20223;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_LAST_AUTH, CHECK_FAIL, FIX_NONE,
                 "691 ERROR_AUTHENTICATION_FAILURE; the dial got through IPsec and the L2TP tunnel "
                 "and stopped in PPP");
    /* an HRESULT from event 20227, named */
    o.last = (struct connection_record){.known = true, .code = (int)0x800B0101u, .reached = 20222};
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_LAST_AUTH, CHECK_UNKNOWN, FIX_NONE,
                 "with -2146762495 (0x800B0101) CERT_E_EXPIRED; the dial stopped while the WAN "
                 "Miniport dialed");
    tu_healthy(&o);
    o.last.known = false;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_LAST_AUTH, CHECK_UNKNOWN, FIX_NONE,
                 "no connection attempt");
    o.last = (struct connection_record){.known = true, .code = 809};
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_LAST_AUTH, CHECK_UNKNOWN, FIX_NONE,
                 "stopped earlier");
}

static void a_result_older_than_a_change_is_no_evidence(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.last.code = 789;
    o.last_stale = true;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_PSK, CHECK_PASS, FIX_NONE, "a key is saved");
    assert_check(&d, CHECK_LAST_AUTH, CHECK_UNKNOWN, FIX_NONE,
                 "settings changed since the last attempt (789)");
    o.last.code = 691;
    d = eval(&o);
    assert_check(&d, CHECK_CREDENTIALS, CHECK_PASS, FIX_NONE, NULL);
}

static void a_key_at_hand_is_tested(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.have_key = true;
    o.key = PSK_ACCEPTED;
    assert_check((struct diagnosis[]){eval(&o)}, CHECK_PSK_MATCHES, CHECK_PASS, FIX_NONE,
                 "verified the key");
    o.key = PSK_REJECTED;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_PSK_MATCHES, CHECK_FAIL, FIX_USE_PSK, "rejects the key");
    assert_false(d.checks[CHECK_PSK_MATCHES].not_applicable);
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_FAIL);
    o.key = PSK_INCONCLUSIVE;
    d = eval(&o);
    assert_check(&d, CHECK_PSK_MATCHES, CHECK_UNKNOWN, FIX_NONE, "before the key was tested");
    assert_int_equal(d.stages[STAGE_IPSEC], CHECK_UNKNOWN); /* tested but unanswered: counts */
}

static void partial_observations_show_running(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.have_probe = o.have_services = false;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_IKE_500, CHECK_RUNNING, FIX_NONE, NULL);
    assert_check(&d, CHECK_IPSEC_SERVICES, CHECK_RUNNING, FIX_NONE, NULL);
    assert_check(&d, CHECK_MSCHAPV2, CHECK_PASS, FIX_NONE, NULL);
    assert_int_equal(d.stages[STAGE_TUNNEL], CHECK_RUNNING);
    memset(&o, 0, sizeof o);
    d = eval(&o);
    for (int c = 0; c < CHECK_COUNT; c++)
        assert_int_equal(d.checks[c].status, CHECK_RUNNING);
    o.have_profile = true;
    o.profile_st = L2F_ERR_NOT_FOUND;
    d = eval(&o);
    for (int c = 0; c < CHECK_COUNT; c++)
        assert_int_equal(d.checks[c].status, CHECK_UNKNOWN);
}

static void stepwise_run_on_the_mock(void **state)
{
    (void)state;
    struct backend be;
    tu_open_demo(&be, "classic-789");
    struct diagnose_run run;
    diagnose_start(&run, &be, "Office VPN");
    int steps = 0;
    struct diagnosis d;
    while (diagnose_step(&run)) {
        steps++;
        diagnose_evaluate(&run.obs, &d);
    }
    assert_int_equal(steps, DIAG_DONE - 1);
    diagnose_evaluate(&run.obs, &d);
    assert_int_equal(d.checks[CHECK_MSCHAPV2].status, CHECK_FAIL);
    struct observations obs;
    struct l2f_err err = {{0}};
    assert_int_equal(diagnose_all(&be, "No Such", &obs, &d, &err), L2F_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "No Such"));
    be.ops->close(&be);
}

/* What a handshake from here implies for this client's profile. */
static void advice_for_the_profile(void **state)
{
    (void)state;
    struct hs_result r;
    char text[192];
    memset(&r, 0, sizeof r);
    for (int i = 0; i < STAGE_COUNT; i++)
        r.stages[i].outcome = HS_OK;
    r.server_auth[0] = PPP_AUTH_EAP;
    r.server_auth[1] = PPP_AUTH_MSCHAPV2;
    r.server_auth_count = 2;
    /* the server takes MS-CHAP v2; a profile allowing only PAP, or EAP, needs the fix */
    assert_int_equal(diagnose_handshake_advice(&r, AR_PAP, text, sizeof text), FIX_MSCHAPV2);
    assert_non_null(strstr(text, "mschapv2 fix"));
    assert_int_equal(diagnose_handshake_advice(&r, AR_EAP | AR_MSCHAP2, text, sizeof text),
                     FIX_MSCHAPV2);
    /* allowed, and everything passed: the difference is on the client */
    assert_int_equal(diagnose_handshake_advice(&r, AR_MSCHAP2, text, sizeof text), FIX_NONE);
    assert_non_null(strstr(text, "every stage passes"));
    /* a refused account is the account, whatever the profile says */
    r.stages[STAGE_AUTH].outcome = HS_FAILED;
    r.stages[STAGE_AUTH].code = 691;
    assert_int_equal(diagnose_handshake_advice(&r, AR_MSCHAP2, text, sizeof text), FIX_CREDENTIALS);
    /* a rejected key comes first */
    r.stages[STAGE_IPSEC].outcome = HS_FAILED;
    r.stages[STAGE_IPSEC].code = 789;
    assert_int_equal(diagnose_handshake_advice(&r, AR_PAP, text, sizeof text), FIX_USE_PSK);
    /* a PAP-only server and a profile without PAP: said, no fix of ours */
    memset(&r, 0, sizeof r);
    r.server_auth[0] = PPP_AUTH_PAP;
    r.server_auth_count = 1;
    r.stages[STAGE_PPP].outcome = HS_OK;
    assert_int_equal(diagnose_handshake_advice(&r, AR_MSCHAP2, text, sizeof text), FIX_NONE);
    assert_non_null(strstr(text, "only PAP"));
}

/* A reused answer's hint asks again with the run's own options (its state
 * directory), so that copying it refreshes the cache this run read. */
static void reused_probe_hint_keeps_the_state_dir(void **state)
{
    (void)state;
    struct observations o;
    struct diagnosis d;
    tu_healthy(&o);
    o.probe.reused = true;
    o.probe.age_s = 7;
    diagnose_evaluate(&o, &d);
    assert_non_null(
        strstr(d.checks[CHECK_IKE_500].summary,
               "answers from 7 s ago (cached; `l2tpfix probe vpn.example.com` asks again)"));
    o.probe_hint = "l2tpfix --state-dir '/tmp/a dir'";
    diagnose_evaluate(&o, &d);
    for (int c = 0; c < CHECK_COUNT; c++) {
        const char *sum = d.checks[c].summary;
        bool server_side = c == CHECK_IKE_500 || c == CHECK_IKE_4500 || c == CHECK_IKE_PROPOSALS ||
                           c == CHECK_IKEV2;
        assert_true(server_side == (strstr(sum, "(cached; `l2tpfix --state-dir '/tmp/a dir' probe "
                                                "vpn.example.com` asks again)") != NULL));
    }
}

/* lcp-extensions with what handshakes from here saw: the guide's claim tested
 * against the server, in both directions; without a run, as before. */
static void lcp_extensions_as_seen(void **state)
{
    (void)state;
    struct observations o;
    tu_healthy(&o);
    o.profile.fields[PF_LCP_EXTENSIONS] = 0;
    struct diagnosis d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_FAIL, FIX_LCP_EXTENSIONS,
                 "LcpExtensions=0: disabled");
    assert_null(strstr(d.checks[CHECK_LCP_EXTENSIONS].summary, "from here"));
    /* off, and this server does not mind either way (SoftEther in the lab) */
    o.have_lcp_seen = true;
    o.lcp_seen = (struct hs_lcp_seen){HS_LCP_EXT_REJECTED, HS_LCP_EXT_ACCEPTED};
    d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_PASS, FIX_NONE,
                 "disabled; this server does not mind them either way (handshakes from here: on "
                 "rejected, off accepted)");
    /* off, and it drops the session without them: the guide's fix, now with evidence */
    o.lcp_seen = (struct hs_lcp_seen){HS_LCP_EXT_ACCEPTED, HS_LCP_EXT_DROPPED};
    d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_FAIL, FIX_LCP_EXTENSIONS,
                 "this server dropped the session with them off");
    /* off, only tried on: not claimed either way for off */
    o.lcp_seen = (struct hs_lcp_seen){HS_LCP_EXT_ACCEPTED, HS_LCP_EXT_NONE};
    d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_FAIL, FIX_LCP_EXTENSIONS,
                 "(handshakes from here: on accepted, off not tried)");
    /* on (Windows' default), and the server drops the session with them: a warning, no fix */
    o.profile.fields[PF_LCP_EXTENSIONS] = 1;
    o.lcp_seen = (struct hs_lcp_seen){HS_LCP_EXT_DROPPED, HS_LCP_EXT_ACCEPTED};
    d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_WARN, FIX_NONE,
                 "this server dropped the session with them on, not with them off");
    o.lcp_seen = (struct hs_lcp_seen){HS_LCP_EXT_IGNORED, HS_LCP_EXT_NONE};
    d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_WARN, FIX_NONE,
                 "did not answer LCP with them on (");
    o.lcp_seen = (struct hs_lcp_seen){HS_LCP_EXT_ACCEPTED, HS_LCP_EXT_NONE};
    d = eval(&o);
    assert_check(&d, CHECK_LCP_EXTENSIONS, CHECK_PASS, FIX_NONE,
                 "enabled; this server goes on with this setting");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advice_for_the_profile),
        cmocka_unit_test(healthy_passes_everything),
        cmocka_unit_test(classic_789_fails_ppp_in_the_guides_order),
        cmocka_unit_test(mschapv2_variants),
        cmocka_unit_test(vpn_type),
        cmocka_unit_test(vpn_type_absent_key),
        cmocka_unit_test(server_address_and_probe),
        cmocka_unit_test(proposals_remedy),
        cmocka_unit_test(natt_port_and_ikev2),
        cmocka_unit_test(switch_ikev2_on_the_probe_alone),
        cmocka_unit_test(switch_ikev2_after_a_success),
        cmocka_unit_test(switch_ikev2_after_a_failure),
        cmocka_unit_test(services),
        cmocka_unit_test(nat_traversal),
        cmocka_unit_test(prohibit_ipsec),
        cmocka_unit_test(psk),
        cmocka_unit_test(another_kind_of_vpn_is_not_a_broken_l2tp_one),
        cmocka_unit_test(tunnel_l2tp_recommended_only_on_evidence),
        cmocka_unit_test(first_strategies_try_l2tp_but_keep_their_type),
        cmocka_unit_test(switch_ikev2_only_on_an_ikev2_answer),
        cmocka_unit_test(credentials_and_last_auth),
        cmocka_unit_test(a_result_older_than_a_change_is_no_evidence),
        cmocka_unit_test(a_key_at_hand_is_tested),
        cmocka_unit_test(partial_observations_show_running),
        cmocka_unit_test(stepwise_run_on_the_mock),
        cmocka_unit_test(reused_probe_hint_keeps_the_state_dir),
        cmocka_unit_test(machine_certificate_states),
        cmocka_unit_test(machine_certificate_and_the_servers),
        cmocka_unit_test(machine_certificate_unknown),
        cmocka_unit_test(lcp_extensions_as_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
