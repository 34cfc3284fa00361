#include "kb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N FIX_NONE
/* Sorted by code; HRESULTs (negative as int) come first. Names from
 * raserror.h and winerror.h (checked against mingw-w64's); meanings from
 * Microsoft's "Routing and Remote Access Error Codes" and "System Error Codes
 * (12000-15999)" pages, said in our own words; causes from the field
 * (windows-l2tp.md). Where real Windows could prove a line wrong: the code a
 * PPP option mismatch surfaces as (789 in field reports; 734, 691 or 812 on
 * some builds and servers) and 766 for a certificate profile with no
 * certificate are taken from field reports, not from the documentation. */
static const struct kb_entry kb[] = {
    /* HRESULTs RasClient logs in event 20227 (Windows 10+, as negative decimals) */
    {(int)0x800B0101u,
     "CERT_E_EXPIRED",
     "A certificate in the chain is outside its validity period (expired, or not yet valid).",
     STAGE_IPSEC,
     "The server's certificate (or one above it) has expired, or this computer's clock is wrong; "
     "with certificate "
     "authentication, this machine's own certificate may have expired.",
     {N}},
    {(int)0x800B0109u,
     "CERT_E_UNTRUSTEDROOT",
     "The certificate chain ends in a root this computer does not trust.",
     STAGE_IPSEC,
     "The server's certificate was issued by a CA whose root is not in this computer's Trusted "
     "Root "
     "Certification Authorities store (a private CA that was never imported).",
     {N}},
    {(int)0x800B010Fu,
     "CERT_E_CN_NO_MATCH",
     "The certificate's name does not match the name that was asked for.",
     STAGE_IPSEC,
     "The profile's server address differs from the name in the server's certificate (an IP "
     "address where the "
     "certificate names a host, or another host name).",
     {N}},
    {619,
     "ERROR_PORT_DISCONNECTED",
     "A connection to the remote computer could not be established; the port was closed.",
     STAGE_TUNNEL,
     "The tunnel was torn down early: UDP 1701 or ESP blocked on the way, or the server dropped "
     "the L2TP session.",
     {N}},
    {628,
     "ERROR_DISCONNECTION",
     "The connection was closed before it was complete.",
     STAGE_TUNNEL,
     "The server closed the tunnel during set-up: its policy refused the client, or a device on "
     "the way dropped the session.",
     {N}},
    {629,
     "ERROR_REMOTE_DISCONNECTION",
     "The connection was closed by the remote computer.",
     STAGE_TUNNEL,
     "The server ended the session, often after a PPP or authentication disagreement it did not "
     "report.",
     {FIX_MSCHAPV2, FIX_LCP_EXTENSIONS, N}},
    /* 646-649 and 709 are also the E= values RFC 2759 lets an MS-CHAP v2 server send */
    {646,
     "ERROR_RESTRICTED_LOGON_HOURS",
     "The account may not sign in at this time of day.",
     STAGE_AUTH,
     "The server (or its domain) limits this account's logon hours; only its administrator can "
     "change that.",
     {N}},
    {647,
     "ERROR_ACCT_DISABLED",
     "The account is disabled.",
     STAGE_AUTH,
     "The account was disabled on the server or in its domain; only its administrator can enable "
     "it.",
     {N}},
    {648,
     "ERROR_PASSWD_EXPIRED",
     "The password has expired.",
     STAGE_AUTH,
     "The account's password must be changed before it can be used; change it, then save the new "
     "one.",
     {FIX_CREDENTIALS, N}},
    {649,
     "ERROR_NO_DIALIN_PERMISSION",
     "The account has no permission for remote access.",
     STAGE_AUTH,
     "The account's dial-in (Network Access) permission is denied on the server, or no network "
     "policy grants it.",
     {N}},
    /* RRAS's API page says only "user name, password, or both not valid";
     * Windows' own message adds "or the authentication protocol is not permitted" */
    {691,
     "ERROR_AUTHENTICATION_FAILURE",
     "Access denied: the user name or password is not valid, or the authentication protocol is not "
     "permitted on the server.",
     STAGE_AUTH,
     "Wrong user name or password (check the domain prefix and caps lock); or the protocol the "
     "profile uses (PAP, "
     "CHAP, MS-CHAP v2, EAP) is not one the server's policy permits; an expired or locked account.",
     {FIX_CREDENTIALS, FIX_MSCHAPV2, N}},
    {709,
     "ERROR_CHANGING_PASSWORD",
     "Changing the password on the domain failed.",
     STAGE_AUTH,
     "The server asked for a new password (the old one expired) and the change was refused, often "
     "by the domain's "
     "password rules; change it another way, then save the new one.",
     {FIX_CREDENTIALS, N}},
    {718,
     "ERROR_PPP_TIMEOUT",
     "A PPP timeout occurred: the server stopped answering during PPP.",
     STAGE_PPP,
     "The server did not answer in time during LCP, authentication or address assignment; often "
     "its "
     "authentication back end (RADIUS, a domain controller) was slow or unreachable.",
     {N}},
    {720,
     "ERROR_PPP_NO_PROTOCOLS_CONFIGURED",
     "No PPP network control protocol is configured, so none could be set up.",
     STAGE_PPP,
     "The connection has neither IPv4 nor IPv6 enabled (Properties > Networking), or the server "
     "offers no "
     "network protocol to VPN clients or assigns no address (an empty address pool).",
     {N}},
    {732,
     "ERROR_PPP_NOT_CONVERGING",
     "The PPP negotiation did not converge: the two ends kept disagreeing on options.",
     STAGE_PPP,
     "Client and server keep rejecting each other's PPP options (LCP or a network protocol such as "
     "IPCP), for "
     "example an address or option one side insists on and the other refuses.",
     {FIX_LCP_EXTENSIONS, N}},
    {734,
     "ERROR_PPP_LCP_TERMINATED",
     "The PPP link control protocol was terminated.",
     STAGE_PPP,
     "LCP options rejected: LCP extensions off while the server needs them, or no authentication "
     "protocol in common.",
     {FIX_LCP_EXTENSIONS, FIX_MSCHAPV2, N}},
    {741,
     "ERROR_NO_LOCAL_ENCRYPTION",
     "This computer does not support the encryption required.",
     STAGE_PPP,
     "The profile's data encryption level and the server's do not match.",
     {N}},
    {742,
     "ERROR_NO_REMOTE_ENCRYPTION",
     "The server does not support the encryption required.",
     STAGE_PPP,
     "The server does not offer the encryption the profile requires.",
     {N}},
    {766,
     "ERROR_NO_CERTIFICATE",
     "A certificate could not be found: L2TP over IPsec with certificates needs a machine "
     "(computer) certificate installed.",
     STAGE_IPSEC,
     "The profile authenticates IPsec with a certificate (no 'Use preshared key') and the "
     "computer's Personal store (LocalMachine\\My) holds none: ask the organisation's PKI for a "
     "computer certificate with its private key and the Client Authentication usage, chaining to "
     "a root this computer trusts. A server set up with a pre-shared key needs use-psk instead.",
     {FIX_USE_PSK, N}},
    {781,
     "ERROR_CERT_FOR_ENCRYPTION_NOT_FOUND",
     "No valid certificate was found for encryption. Obsolete: deprecated since Windows Vista.",
     STAGE_IPSEC,
     "Only older Windows reports it (certificate authentication without a usable certificate). On "
     "Vista and later "
     "look at 766 and 786, which name a missing machine certificate.",
     {FIX_USE_PSK, N}},
    {786,
     "ERROR_OAKLEY_NO_CERT",
     "The L2TP connection attempt failed: no valid machine certificate on this computer.",
     STAGE_IPSEC,
     "Certificate authentication without a machine certificate; or the server expects a pre-shared "
     "key.",
     {FIX_USE_PSK, N}},
    {787,
     "ERROR_OAKLEY_AUTH_FAIL",
     "The L2TP connection attempt failed: the security layer could not authenticate the remote "
     "computer.",
     STAGE_IPSEC,
     /* the server picking another certificate: Microsoft's "L2TP VPN fails with error 787" */
     "With certificates: the server's certificate does not chain to a root this computer trusts, "
     "has expired, or its identity is not what the client expects; a server with several "
     "certificates may present another one than the L2TP one (a wildcard, or one from another "
     "CA); with a pre-shared key, some servers answer a wrong key this way.",
     {FIX_USE_PSK, N}},
    {788,
     "ERROR_OAKLEY_ATTRIB_FAIL",
     "The L2TP connection attempt failed: the security layer could not negotiate compatible "
     "parameters with the remote computer.",
     STAGE_IPSEC,
     "The server accepts none of the IKE proposals Windows offers (encryption, integrity, DH "
     "group). A legacy server that takes only DES or MD5 needs AllowL2TPWeakCrypto=1 on the client "
     "(allow-weak-crypto: it weakens the tunnel, upgrading the server is better); any other "
     "mismatch only the server's configuration can fix (`l2tpfix probe HOST` names what it "
     "accepts).",
     {FIX_ALLOW_WEAK_CRYPTO, N}},
    /* The January 2022 break (windows-update): Microsoft's known-issue text for KB5009543 and
     * its fix KB5010793 ("IPSEC connections which contain a Vendor ID might fail", as quoted in
     * core/winupdate.c's sources; the pages themselves were not searchable) names no
     * code; field reports give 789's message for it (insidetechnologies.it "Il patch-gate manda
     * in crisi i server", actions/runner-images#4957 "Remote Access error 789" on images of
     * that month). No source seen names another code for it, so only 789 mentions it. */
    {789,
     "ERROR_OAKLEY_GENERAL_PROCESSING",
     "The L2TP connection attempt failed because the security layer encountered a processing error "
     "during initial negotiations with the remote computer.",
     STAGE_IPSEC,
     "By name an IPsec phase 1 failure: a pre-shared key that differs from the server's, "
     "proposals, NAT without the registry value, IPsec services not running. "
     "In the field it also follows the client's PPP options: MS-CHAP v2 not allowed or LCP "
     "extensions off while the server needs them; the guide checks these first. "
     "Since January 2022 also a Windows update: KB5009543 (Windows 10) or KB5009566 (Windows 11) "
     "without its fix KB5010793 or KB5010795 fails with servers that send a Vendor ID; the "
     "windows-update check names it.",
     {FIX_MSCHAPV2, FIX_LCP_EXTENSIONS, FIX_USE_PSK, FIX_NAT_TRAVERSAL}},
    {790,
     "ERROR_OAKLEY_NO_PEER_CERT",
     "The L2TP connection attempt failed: certificate validation on the remote computer failed.",
     STAGE_IPSEC,
     "The server's certificate is not trusted by this machine or has expired.",
     {N}},
    {791,
     "ERROR_OAKLEY_NO_POLICY",
     "The L2TP connection attempt failed: no security policy was found for this connection.",
     STAGE_IPSEC,
     "No IPsec policy: ProhibitIpSec=1 without a manual IPsec policy (the kind the IPsec Policy "
     "Agent applies).",
     {FIX_ALLOW_IPSEC, FIX_RESTART_IPSEC_SERVICES, N}},
    {792,
     "ERROR_OAKLEY_TIMED_OUT",
     "The L2TP connection attempt failed: security negotiation timed out.",
     STAGE_IPSEC,
     "IKE packets lost on the way (UDP 500/4500 filtered, fragments of large certificate exchanges "
     "dropped), or a hung IKEEXT.",
     {FIX_RESTART_IPSEC_SERVICES, FIX_NAT_TRAVERSAL, N}},
    {793,
     "ERROR_OAKLEY_ERROR",
     "The L2TP connection attempt failed: an error occurred while negotiating security.",
     STAGE_IPSEC,
     "A generic IKE failure; see the server's log for its side of the exchange.",
     {N}},
    {800,
     "ERROR_AUTOMATIC_VPN_FAILED",
     "The VPN connection could not be made: the server may be unreachable, or the connection's "
     "security settings are wrong.",
     STAGE_TUNNEL,
     "The server is unreachable; the type is Automatic or not L2TP and the server speaks none of "
     "the types tried; "
     "or an L2TP-only profile whose security settings are wrong (a certificate where the server "
     "expects a pre-shared key, "
     "no key saved, an encryption level the server refuses).",
     {FIX_TUNNEL_L2TP, FIX_USE_PSK, N}},
    {809,
     "ERROR_VPN_TIMEOUT",
     "The server is not responding: a device on the way (firewall, NAT, router) may not let VPN "
     "traffic through.",
     STAGE_TUNNEL,
     "UDP 500/4500 blocked on the way or the server down; the server behind NAT without "
     "AssumeUDPEncapsulationContextOnSendRule; ProhibitIpSec=1 so IPsec never starts.",
     {FIX_NAT_TRAVERSAL, FIX_ALLOW_IPSEC, N}},
    {810,
     "ERROR_VPN_BAD_CERT",
     "The VPN connection started but did not complete: a certificate is wrong or expired.",
     STAGE_IPSEC,
     "Certificate authentication with a missing, wrong or expired certificate.",
     {FIX_USE_PSK, N}},
    {811,
     "ERROR_VPN_BAD_PSK",
     "The VPN connection could not be made; typically the pre-shared key is missing or not the "
     "server's.",
     STAGE_IPSEC,
     "The profile uses a pre-shared key but none is saved, or the saved one is not the server's.",
     {FIX_USE_PSK, N}},
    {812,
     "ERROR_SERVER_POLICY",
     "A policy on the server prevented the connection: its authentication method may not match the "
     "profile's.",
     STAGE_AUTH,
     "The server's network policy requires a protocol the profile does not allow (commonly MS-CHAP "
     "v2 or EAP).",
     {FIX_MSCHAPV2, N}},
    {827,
     "ERROR_IPSEC_SERVICE_STOPPED",
     "The L2TP/IPsec connection cannot be completed: the IKE and AuthIP IPsec Keying Modules "
     "(IKEEXT) or the Base Filtering Engine (BFE) service is not running.",
     STAGE_IPSEC,
     "IKEEXT or BFE stopped or disabled. The IPsec Policy Agent (PolicyAgent) is not one of them: "
     "it is Manual and starts when needed.",
     {FIX_RESTART_IPSEC_SERVICES, N}},
    {835,
     "ERROR_INVALID_SERVER_CERT",
     "The L2TP attempt failed: fields of the server's certificate could not be matched to the "
     "server asked for.",
     STAGE_IPSEC,
     "The address in the profile differs from the names in the server's certificate (connect by "
     "a name the certificate carries), or the certificate does not fit a server's use.",
     {N}},
    {868,
     "ERROR_DNSNAME_NOT_RESOLVABLE",
     "The remote connection was not made because the name of the remote access server did not "
     "resolve.",
     STAGE_TUNNEL,
     "A mistyped server name, no DNS on this network, or a name only an internal DNS knows.",
     {N}},
    /* winerror.h IKE codes: what an IKEv2 profile (the switch-ikev2 alternative) fails with.
     * Texts checked against Microsoft's "System Error Codes (12000-15999)": 13801 "IKE
     * authentication credentials are unacceptable", 13868 "Policy match error"; RasClient
     * logs them in 20227 after 20222, like the L2TP IPsec codes. */
    {13801,
     "ERROR_IPSEC_IKE_AUTH_FAIL",
     "IKE authentication credentials are unacceptable.",
     STAGE_IPSEC,
     /* the wrong certificate chosen: Richard Hicks, "Always On VPN Intermittent 13801 Error" */
     "With IKEv2: the server's certificate is not trusted here, its name does not match the "
     "profile's address, or it lacks the server authentication usage; now and then only: this "
     "computer holds several Client Authentication certificates and Windows picked the wrong "
     "one (the IP security IKE intermediate usage makes it prefer the right one).",
     {N}},
    {13806,
     "ERROR_IPSEC_IKE_NO_CERT",
     "IKE failed to find a valid machine certificate.",
     STAGE_IPSEC,
     /* Microsoft's text names only this machine's certificate; Always On VPN field notes
      * (Richard Hicks) also see 13806 when this computer does not trust the server's chain. */
     "Machine certificate authentication (IKEv2, or L2TP/IPsec without a pre-shared key): "
     "certificates are in LocalMachine\\My but none qualifies: expired, no private key, no Client "
     "Authentication usage, or no chain to a trusted root; ask the PKI for one that does. Field "
     "reports also see it when this computer does not trust the server's certificate chain.",
     {N}},
    {13868,
     "ERROR_IPSEC_IKE_POLICY_MATCH",
     "IKE policy match error: no policy both ends accept.",
     STAGE_IPSEC,
     "With IKEv2: the server's IKE or IPsec proposals (encryption, integrity, DH group) or its "
     "authentication method differ from the profile's; compare Get-VpnConnection's "
     "IPsecCustomPolicy with the server's, and align one side (Set-VpnConnectionIPsecConfiguration "
     "on the client).",
     {N}},
};
#undef N

const struct kb_entry *kb_lookup(int code)
{
    for (size_t i = 0; i < sizeof kb / sizeof kb[0]; i++)
        if (kb[i].code == code)
            return &kb[i];
    return NULL;
}

const struct kb_entry *kb_table(size_t *count)
{
    *count = sizeof kb / sizeof kb[0];
    return kb;
}

/* The 32-bit pattern as the signed value Windows' %d prints, without an
 * implementation-defined conversion. */
static int int_from_bits(uint32_t u)
{
    return u <= INT32_MAX ? (int)u : -(int)(UINT32_MAX - u) - 1;
}

int kb_fold_hresult(int code)
{
    uint32_t u = (uint32_t)(int64_t)code;
    /* HRESULT_FROM_WIN32: severity 1, facility 7 (FACILITY_WIN32), code in the low word */
    return (u & 0xFFFF0000u) == 0x80070000u ? (int)(u & 0xFFFFu) : code;
}

bool kb_parse_code(const char *text, int *code)
{
    bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const char *digits = hex ? text + 2 : text[0] == '-' ? text + 1 : text;
    size_t n = strlen(digits);
    if (n == 0 || n > (hex ? 8u : 10u) ||
        strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789") != n)
        return false;
    errno = 0;
    long long v = strtoll(text, NULL, hex ? 16 : 10);
    /* a decimal may be the signed (Windows 10's event log) or the unsigned form */
    if (errno || v < INT32_MIN || v > (long long)UINT32_MAX)
        return false;
    *code = kb_fold_hresult(v < 0 ? (int)v : int_from_bits((uint32_t)v));
    return true;
}

void kb_code_text(int code, char *buf, size_t len)
{
    if (code < 0)
        snprintf(buf, len, "%d (0x%08" PRIX32 ")", code, (uint32_t)(int64_t)code);
    else
        snprintf(buf, len, "%d", code);
}

/* A code as the list of known codes shows it: HRESULTs in hex, shorter. */
static int list_item(char *buf, size_t len, int code)
{
    if (code < 0)
        return snprintf(buf, len, " 0x%08" PRIX32, (uint32_t)(int64_t)code);
    return snprintf(buf, len, " %d", code);
}

size_t kb_codes_text_size(void)
{
    size_t total = 1;
    for (size_t i = 0; i < sizeof kb / sizeof kb[0]; i++)
        total += (size_t)list_item(NULL, 0, kb[i].code);
    return total;
}

void kb_codes_text(char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof kb / sizeof kb[0] && used < len; i++)
        used += (size_t)list_item(buf + used, len - used, kb[i].code);
}

const char *kb_dial_reach(int event_id)
{
    /* what each progress event means: Microsoft's "RAS Connection
     * Establishment Issues", which lists the same errors after 20223 and
     * 20224, so neither tells PPP's phases apart */
    switch (event_id) {
    case KB_EVENT_PRECONNECT:
        return "began dialing and stopped before the WAN Miniport tried the server";
    case KB_EVENT_CONNECTING_DEVICE:
        return "stopped while the WAN Miniport dialed the server: reaching it, IPsec or the L2TP "
               "tunnel";
    case KB_EVENT_DEVICE_CONNECTED:
    case KB_EVENT_LINK_ESTABLISHED:
        return "got through IPsec and the L2TP tunnel and stopped in PPP (LCP, authentication or "
               "the network protocols)";
    default:
        return NULL;
    }
}
