#include "kb.h"

#define N FIX_NONE
/* Sorted by code. Where real Windows could prove a line wrong: the code a PPP
 * option mismatch surfaces as (789 in field reports; 734, 691 or 812 on some
 * builds and servers) and 766 for a certificate profile with no certificate
 * are taken from field reports, not from Microsoft's documentation. */
/* Sorted by code. Names and meanings from raserror.h and Microsoft's RRAS
 * error reference (names checked against mingw-w64 raserror.h); causes from
 * the field (windows-l2tp.md). */
static const struct kb_entry kb[] = {
    {619, "ERROR_PORT_DISCONNECTED", "A connection to the remote computer could not be established; the port was closed.",
     STAGE_TUNNEL, "The tunnel was torn down early: UDP 1701 or ESP blocked on the way, or the server dropped the L2TP session.",
     {N}},
    {628, "ERROR_DISCONNECTION", "The connection was terminated by the remote computer before it could be completed.",
     STAGE_TUNNEL, "The server closed the tunnel during set-up: its policy refused the client, or a device on the way dropped the session.",
     {N}},
    {629, "ERROR_REMOTE_DISCONNECTION", "The connection was closed by the remote computer.",
     STAGE_TUNNEL, "The server ended the session, often after a PPP or authentication disagreement it did not report.",
     {FIX_MSCHAPV2, FIX_LCP_EXTENSIONS, N}},
    {691, "ERROR_AUTHENTICATION_FAILURE", "Access was denied: the user name or password is not valid, or the authentication protocol is not permitted on the server.",
     STAGE_AUTH, "Wrong user name or password (check the domain prefix and caps lock); an expired or locked account; the protocol the client chose is not allowed by the server's policy.",
     {FIX_CREDENTIALS, FIX_MSCHAPV2, N}},
    {720, "ERROR_PPP_NO_PROTOCOLS_CONFIGURED", "No PPP control protocols could be agreed with the server.",
     STAGE_PPP, "The server has no address pool or IPv4/IPv6 disabled for VPN clients, or the client's networking components are unbound from the WAN Miniport.",
     {N}},
    {734, "ERROR_PPP_LCP_TERMINATED", "The PPP link control protocol was terminated.",
     STAGE_PPP, "LCP options rejected: LCP extensions off while the server needs them, or no authentication protocol in common.",
     {FIX_LCP_EXTENSIONS, FIX_MSCHAPV2, N}},
    {741, "ERROR_NO_LOCAL_ENCRYPTION", "The local computer does not support the required data encryption type.",
     STAGE_PPP, "The profile's data encryption level and the server's do not match.",
     {N}},
    {742, "ERROR_NO_REMOTE_ENCRYPTION", "The remote computer does not support the required data encryption type.",
     STAGE_PPP, "The server does not offer the encryption the profile requires.",
     {N}},
    {766, "ERROR_NO_CERTIFICATE", "A certificate could not be found for IPsec authentication.",
     STAGE_IPSEC, "The profile authenticates IPsec with a certificate and the machine has none; servers set up with a pre-shared key need 'Use preshared key'.",
     {FIX_USE_PSK, N}},
    {781, "ERROR_CERT_FOR_ENCRYPTION_NOT_FOUND", "No valid certificate was found for the chosen encryption.",
     STAGE_IPSEC, "Certificate authentication chosen without a usable certificate.",
     {FIX_USE_PSK, N}},
    {786, "ERROR_OAKLEY_NO_CERT", "The L2TP connection attempt failed: no valid machine certificate on this computer.",
     STAGE_IPSEC, "Certificate authentication without a machine certificate; or the server expects a pre-shared key.",
     {FIX_USE_PSK, N}},
    {787, "ERROR_OAKLEY_AUTH_FAIL", "The L2TP connection attempt failed: the security layer could not authenticate the remote computer.",
     STAGE_IPSEC, "The server's certificate or identity does not match what the client expects; a pre-shared key mismatch on some servers.",
     {FIX_USE_PSK, N}},
    {788, "ERROR_OAKLEY_ATTRIB_FAIL", "The L2TP connection attempt failed: the security layer could not negotiate compatible parameters with the remote computer.",
     STAGE_IPSEC, "The server accepts none of the IKE proposals Windows offers (encryption, integrity, DH group).",
     {N}},
    {789, "ERROR_OAKLEY_GENERAL_PROCESSING", "The L2TP connection attempt failed because the security layer encountered a processing error during initial negotiations with the remote computer.",
     STAGE_IPSEC, "By name an IPsec phase 1 failure: a pre-shared key that differs from the server's, proposals, NAT without the registry value, IPsec services not running. "
     "In the field it also follows the client's PPP options: MS-CHAP v2 not allowed or LCP extensions off while the server needs them; the guide checks these first.",
     {FIX_MSCHAPV2, FIX_LCP_EXTENSIONS, FIX_USE_PSK, FIX_NAT_TRAVERSAL}},
    {790, "ERROR_OAKLEY_NO_PEER_CERT", "The L2TP connection attempt failed: certificate validation on the remote computer failed.",
     STAGE_IPSEC, "The server's certificate is not trusted by this machine or has expired.",
     {N}},
    {791, "ERROR_OAKLEY_NO_POLICY", "The L2TP connection attempt failed: no security policy was found for this connection.",
     STAGE_IPSEC, "No IPsec policy: ProhibitIpSec=1 without a manual policy, or the IPsec Policy Agent not running.",
     {FIX_ALLOW_IPSEC, FIX_RESTART_IPSEC_SERVICES, N}},
    {792, "ERROR_OAKLEY_TIMED_OUT", "The L2TP connection attempt failed: security negotiation timed out.",
     STAGE_IPSEC, "IKE packets lost on the way (UDP 500/4500 filtered, fragments of large certificate exchanges dropped), or a hung IKEEXT.",
     {FIX_RESTART_IPSEC_SERVICES, FIX_NAT_TRAVERSAL, N}},
    {793, "ERROR_OAKLEY_ERROR", "The L2TP connection attempt failed: an error occurred while negotiating security.",
     STAGE_IPSEC, "A generic IKE failure; see the server's log for its side of the exchange.",
     {N}},
    {800, "ERROR_AUTOMATIC_VPN_FAILED", "Unable to establish the VPN connection: every tunnel type tried failed.",
     STAGE_TUNNEL, "The profile's type is Automatic or not L2TP and the server does not speak the types tried; the server is unreachable.",
     {FIX_TUNNEL_L2TP, N}},
    {809, "ERROR_VPN_TIMEOUT", "The network connection could not be established because the remote server is not responding.",
     STAGE_TUNNEL, "UDP 500/4500 blocked on the way or the server down; the server behind NAT without AssumeUDPEncapsulationContextOnSendRule; ProhibitIpSec=1 so IPsec never starts.",
     {FIX_NAT_TRAVERSAL, FIX_ALLOW_IPSEC, N}},
    {810, "ERROR_VPN_BAD_CERT", "A certificate is missing or invalid for the IKE/IPsec negotiation.",
     STAGE_IPSEC, "Certificate authentication with a missing or invalid certificate.",
     {FIX_USE_PSK, N}},
    {811, "ERROR_VPN_BAD_PSK", "The pre-shared key is missing or invalid.",
     STAGE_IPSEC, "The profile uses a pre-shared key but none is saved, or the saved one is not the server's.",
     {FIX_USE_PSK, N}},
    {812, "ERROR_SERVER_POLICY", "The authentication method does not match the server's policy.",
     STAGE_AUTH, "The server's network policy requires a protocol the profile does not allow (commonly MS-CHAP v2 or EAP).",
     {FIX_MSCHAPV2, N}},
    {827, "ERROR_IPSEC_SERVICE_STOPPED", "The L2TP/IPsec connection could not be completed because the IKE and AuthIP IPsec Keying Modules or the Base Filtering Engine service is not running.",
     STAGE_IPSEC, "IKEEXT or BFE stopped or disabled.",
     {FIX_RESTART_IPSEC_SERVICES, N}},
    {835, "ERROR_INVALID_SERVER_CERT", "The server's certificate name does not match the server address.",
     STAGE_IPSEC, "The address in the profile differs from the name in the server's certificate.",
     {N}},
    {868, "ERROR_DNSNAME_NOT_RESOLVABLE", "The remote connection was not made because the name of the remote access server did not resolve.",
     STAGE_TUNNEL, "A mistyped server name, no DNS on this network, or a name only an internal DNS knows.",
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
