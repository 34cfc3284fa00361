/* The four stages, the checks and the fixes. Each is one X-macro table that
 * feeds the enum, the stable id used on the command line and in JSON, and the
 * text shown in help and details. */
#ifndef L2F_MODEL_H
#define L2F_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* X(enum, id, title, what the stage is) — in handshake order. */
/* X(enum, id, title, title while l2tpfix's own IKEv2 exchange is shown on the stage
 * lines (its three stages are IKE_SA_INIT, the server's certificate, EAP), what) */
#define STAGE_TABLE(X)                                                                             \
    X(STAGE_TUNNEL, "tunnel", "L2TP tunnel", "IKE_SA_INIT",                                        \
      "Reaching the server: its address, an L2TP/IPsec profile, and UDP 500, 4500 and "            \
      "1701 open on the way.")                                                                     \
    X(STAGE_IPSEC, "ipsec", "IPsec", "Server cert",                                                \
      "IKE main mode on UDP 500 (4500 behind NAT), authenticated by a pre-shared key or "          \
      "certificate; Windows needs its IPsec services running for it.")                             \
    X(STAGE_PPP, "ppp", "PPP negotiation", "PPP negotiation",                                      \
      "LCP inside the tunnel and the choice of an authentication protocol both ends "              \
      "allow.")                                                                                    \
    X(STAGE_AUTH, "auth", "Authentication", "EAP-MSCHAPv2",                                        \
      "The user name and password, checked by the server.")

#define STAGE_ENUM(e, id, title, ikev2_title, what) e,
enum stage_id { STAGE_TABLE(STAGE_ENUM) STAGE_COUNT };
#undef STAGE_ENUM

/* X(enum, id in JSON, the word a person reads (problems in capitals), the word of a
 * ticket (PASS in capitals too: a report is read on paper, without the marks)) */
#define CHECK_STATUS_TABLE(X)                                                                      \
    X(CHECK_PASS, "pass", "pass", "PASS")                                                          \
    X(CHECK_FAIL, "fail", "FAIL", "FAIL")                                                          \
    X(CHECK_WARN, "warn", "WARN", "WARN")                                                          \
    X(CHECK_UNKNOWN, "unknown", "unknown", "unknown")                                              \
    X(CHECK_RUNNING, "running", "running", "running")

#define CHECK_STATUS_ENUM(e, id, word, report) e,
enum check_status { CHECK_STATUS_TABLE(CHECK_STATUS_ENUM) };
#undef CHECK_STATUS_ENUM
/* apart from the enum, so a switch over the statuses need not name it */
#define CHECK_STATUS_ONE(e, id, word, report) +1
enum { CHECK_STATUS_COUNT = 0 CHECK_STATUS_TABLE(CHECK_STATUS_ONE) };
#undef CHECK_STATUS_ONE

/* The tunnel protocols a check judges, and a profile's VpnStrategy tries (bits). */
#define TUN_PPTP 0x1u
#define TUN_L2TP 0x2u
#define TUN_SSTP 0x4u
#define TUN_IKEV2 0x8u
#define TUN_ANY (TUN_PPTP | TUN_L2TP | TUN_SSTP | TUN_IKEV2)
#define TUN_PPP (TUN_PPTP | TUN_L2TP | TUN_SSTP) /* the ones that carry PPP */

/* What a fix needs the person to type (never stored by l2tpfix). */
enum fix_secret { FIX_SECRET_NONE, FIX_SECRET_PSK, FIX_SECRET_PASSWORD };

/* Whether `fix all` applies a fix, or it is only offered as an alternative;
 * a check may promote or demote it on the evidence (check_result.fix_is_alternative).
 * FIX_OFFERED_ONLY: never applied by `fix all`, whatever the evidence (it weakens something). */
enum fix_kind { FIX_RECOMMENDED, FIX_ALTERNATIVE, FIX_OFFERED_ONLY };

/* X(enum, id, title, what it changes, secret it needs, fix all's or only offered, a warning
 * shown before it is applied or NULL).
 * The order is the recommended order: the guide's MS-CHAP v2 and LCP
 * extensions first, then the key, the tunnel type, NAT, IPsec policy, services. */
#define FIX_TABLE(X)                                                                               \
    X(FIX_MSCHAPV2, "mschapv2", "Allow MS-CHAP v2",                                                \
      "Switches the profile to \"Allow these protocols\" with MS-CHAP v2 ticked "                  \
      "(AuthRestrictions gains 0x200, loses EAP).",                                                \
      FIX_SECRET_NONE, FIX_RECOMMENDED, NULL)                                                      \
    X(FIX_LCP_EXTENSIONS, "lcp-extensions", "Enable LCP extensions",                               \
      "Sets LcpExtensions=1 in the profile (PPP Settings > Enable LCP extensions).",               \
      FIX_SECRET_NONE, FIX_RECOMMENDED, NULL)                                                      \
    X(FIX_USE_PSK, "use-psk", "Use a pre-shared key",                                              \
      "Makes the profile authenticate IPsec with a pre-shared key (IpSecFlags bit 0x1) "           \
      "and saves the key you type, through the credential store.",                                 \
      FIX_SECRET_PSK, FIX_RECOMMENDED, NULL)                                                       \
    X(FIX_TUNNEL_L2TP, "tunnel-l2tp", "Set the VPN type to L2TP/IPsec",                            \
      "Sets VpnStrategy=3 (L2TP/IPsec only). On a PPTP, SSTP or IKEv2 profile only an "            \
      "alternative, recommended when the server answers L2TP/IPsec but not that protocol.",        \
      FIX_SECRET_NONE, FIX_RECOMMENDED, NULL)                                                      \
    X(FIX_NAT_TRAVERSAL, "nat-traversal", "Allow IPsec through NAT",                               \
      "Sets AssumeUDPEncapsulationContextOnSendRule=2 (client and server behind NAT); "            \
      "takes effect after a restart.",                                                             \
      FIX_SECRET_NONE, FIX_RECOMMENDED, NULL)                                                      \
    X(FIX_ALLOW_IPSEC, "allow-ipsec", "Let Windows create the L2TP IPsec policy",                  \
      "Sets ProhibitIpSec=0; takes effect after a restart.", FIX_SECRET_NONE, FIX_RECOMMENDED,     \
      NULL)                                                                                        \
    X(FIX_RESTART_IPSEC_SERVICES, "restart-ipsec-services", "Start the IPsec services",            \
      "Starts IKEEXT and PolicyAgent, or restarts them when they run (a disabled one is "          \
      "set to Manual first).",                                                                     \
      FIX_SECRET_NONE, FIX_RECOMMENDED, NULL)                                                      \
    X(FIX_CREDENTIALS, "credentials", "Save user name and password",                               \
      "Saves the user name and the password you type for the profile.", FIX_SECRET_PASSWORD,       \
      FIX_RECOMMENDED, NULL)                                                                       \
    X(FIX_SWITCH_IKEV2, "switch-ikev2", "Switch the profile to IKEv2",                             \
      "Sets VpnStrategy=7 (IKEv2 only), AuthRestrictions=128 (EAP only) and CustomAuthKey=26 "     \
      "(EAP-MSCHAPv2): the guide's fallback when the server answers IKEv2 but not L2TP/IPsec. "    \
      "When handshake --ikev2 trusted the server through --ca-file and this machine does not, "    \
      "it also adds that CA to LocalMachine\\Root (administrator; undo removes it). fix all "      \
      "applies it only after handshake --ikev2 worked from here.",                                 \
      FIX_SECRET_NONE, FIX_ALTERNATIVE, NULL)                                                      \
    X(FIX_ALLOW_WEAK_CRYPTO, "allow-weak-crypto", "Allow DES and MD5 for L2TP/IPsec",              \
      "Sets AllowL2TPWeakCrypto=1 (RasMan\\Parameters), so Windows offers DES and MD5 again, "     \
      "for a server that accepts nothing stronger; takes effect after a restart. Offered, "        \
      "never applied by fix all.",                                                                 \
      FIX_SECRET_NONE, FIX_OFFERED_ONLY,                                                           \
      "This weakens the tunnel: DES and MD5 are broken. Upgrade the server to AES and SHA1 or "    \
      "better, then undo this fix.")

#define FIX_ENUM(e, id, title, what, secret, kind, warning) e,
enum fix_id { FIX_TABLE(FIX_ENUM) FIX_COUNT, FIX_NONE = FIX_COUNT };
#undef FIX_ENUM

/* X(enum, id, stage, fix that resolves it, tunnels it judges, title, where the
 * setting lives in Windows, why it matters). A check whose tunnels the profile's
 * VpnStrategy never tries is not applicable to it (an IKEv2 profile has no PSK).
 * Within a stage the order is the guide's: what to look at first comes first.
 * Feature updates and drift: the NAT-T value's removal by the 1709 -> 1803 upgrade is
 * reported in github.com/hwdsl2/setup-ipsec-vpn/issues/376 ("most likely"); no public
 * report of an update changing PPP options was found, so those texts say "if". */
#define CHECK_TABLE(X)                                                                             \
    X(CHECK_SERVER_ADDRESS, "server-address", STAGE_TUNNEL, FIX_NONE, TUN_ANY, "Server address",   \
      "ncpa.cpl > connection Properties > General > Host name or IP address",                      \
      "The profile must name the VPN server; an empty or mistyped name fails before "              \
      "anything is sent.")                                                                         \
    X(CHECK_DNS, "dns", STAGE_TUNNEL, FIX_NONE, TUN_ANY, "Server name resolves",                   \
      "The DNS servers of this network (ipconfig /all), or the name in the profile",               \
      "A name that does not resolve fails with 868; a name only an internal DNS knows "            \
      "fails from outside.")                                                                       \
    X(CHECK_VPN_TYPE, "vpn-type", STAGE_TUNNEL, FIX_TUNNEL_L2TP, TUN_ANY,                          \
      "VPN type is L2TP/IPsec", "ncpa.cpl > connection Properties > Security > Type of VPN",       \
      "Another type (PPTP, SSTP, IKEv2, Automatic) tries protocols the server may not "            \
      "speak and ends in 800 or a timeout.")                                                       \
    X(CHECK_IKE_500, "ike-500", STAGE_TUNNEL, FIX_NONE, TUN_L2TP, "Server answers IKE on UDP 500", \
      "Every router and firewall between client and server: UDP 500, 4500 and 1701",               \
      "No answer to IKE on UDP 500 means the server is down or the port is filtered; "             \
      "Windows then reports 809 after a long wait.")                                               \
    X(CHECK_IKE_4500, "ike-4500", STAGE_TUNNEL, FIX_NONE, TUN_L2TP,                                \
      "Server answers on UDP 4500 (NAT-T)",                                                        \
      "Every router and firewall between client and server: UDP 4500",                             \
      "Behind NAT the connection moves to UDP 4500 after the first messages; when 4500 "           \
      "is blocked it starts and then times out (809).")                                            \
    X(CHECK_IPSEC_SERVICES, "ipsec-services", STAGE_IPSEC, FIX_RESTART_IPSEC_SERVICES,             \
      TUN_L2TP | TUN_IKEV2, "IPsec services",                                                      \
      "services.msc: IKE and AuthIP IPsec Keying Modules (IKEEXT), IPsec Policy Agent "            \
      "(PolicyAgent), Base Filtering Engine (BFE)",                                                \
      "IKEEXT negotiates IPsec and needs BFE; when either is not running Windows fails "           \
      "with 827. PolicyAgent is Manual and starts on demand. A hung IKEEXT makes the "             \
      "tunnel hang until it is restarted.")                                                        \
    X(CHECK_WINDOWS_UPDATE, "windows-update", STAGE_IPSEC, FIX_NONE, TUN_L2TP | TUN_IKEV2,         \
      "No Windows update known to break L2TP",                                                     \
      "winver (OS Build BUILD.UBR), or regedit: HKLM\\SOFTWARE\\Microsoft\\Windows NT\\"           \
      "CurrentVersion > CurrentBuild and UBR; Settings > Windows Update > Update history",         \
      "The cumulative updates of 11 January 2022 (KB5009543 for Windows 10 20H2-21H2, "            \
      "KB5009566 for Windows 11, and their server equivalents) broke IPsec with servers "          \
      "that send a Vendor ID, L2TP/IPsec among them; the out-of-band updates of 17 January "       \
      "(KB5010793, KB5010795, ...) and every later cumulative update fix it. Feature updates "     \
      "(a new Windows version) are the other kind: one is reported to have removed the NAT "       \
      "traversal value (1709 to 1803), and one may change a profile's PPP options; a saved "       \
      "baseline shows either as drift on its check.")                                              \
    X(CHECK_NAT_TRAVERSAL, "nat-traversal", STAGE_IPSEC, FIX_NAT_TRAVERSAL, TUN_L2TP,              \
      "NAT traversal registry value",                                                              \
      "regedit: HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent > "                         \
      "AssumeUDPEncapsulationContextOnSendRule (DWORD)",                                           \
      "By default Windows sets up no IPsec SA with a server behind NAT; 1 allows a "               \
      "server behind NAT, 2 client and server both behind NAT. Read at boot. A Windows "           \
      "feature update can remove it (seen from 1709 to 1803): with a baseline saved, that "        \
      "shows as drift.")                                                                           \
    X(CHECK_PROHIBIT_IPSEC, "prohibit-ipsec", STAGE_IPSEC, FIX_ALLOW_IPSEC, TUN_L2TP,              \
      "Automatic L2TP IPsec policy allowed",                                                       \
      "regedit: HKLM\\SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters > "                  \
      "ProhibitIpSec (DWORD)",                                                                     \
      "ProhibitIpSec=1 stops Windows creating the IPsec policy for L2TP, so a "                    \
      "pre-shared-key connection never starts IPsec. Read at boot.")                               \
    X(CHECK_PSK, "psk-configured", STAGE_IPSEC, FIX_USE_PSK, TUN_L2TP,                             \
      "Pre-shared key configured",                                                                 \
      "ncpa.cpl > connection Properties > Security > Advanced settings > Use preshared "           \
      "key for authentication",                                                                    \
      "IPsec authenticates with the pre-shared key (or a machine certificate); it must "           \
      "be the server's key, letter for letter, or phase 1 fails (789).")                           \
    X(CHECK_MACHINE_CERT, "machine-certificate", STAGE_IPSEC, FIX_NONE, TUN_L2TP,                  \
      "Machine certificate for IPsec",                                                             \
      "certlm.msc > Personal > Certificates (the computer's store, LocalMachine\\My)",             \
      "A profile without a pre-shared key authenticates IPsec with a computer certificate: "       \
      "in the computer's store, with its private key, within its validity, with the Client "       \
      "Authentication (or IP security IKE intermediate) usage, chaining to a root this "           \
      "computer trusts. None gives 766, none that qualifies 13806. No fix here: ask the "          \
      "organisation's PKI for a computer certificate that meets all of these.")                    \
    X(CHECK_IKE_PROPOSALS, "ike-proposals", STAGE_IPSEC, FIX_ALLOW_WEAK_CRYPTO, TUN_L2TP,          \
      "Server accepts Windows' IKE proposals",                                                     \
      "The server's IPsec configuration (encryption, integrity, DH group); on this machine "       \
      "regedit: HKLM\\SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters > "                  \
      "AllowL2TPWeakCrypto (DWORD)",                                                               \
      "Windows offers AES/3DES with SHA1 and a fixed set of DH groups (DES and MD5 too with "      \
      "AllowL2TPWeakCrypto=1); a server that accepts none of them answers NO-PROPOSAL-CHOSEN "     \
      "and Windows shows 788. l2tpfix then asks the server, one transform at a time, what it "     \
      "does accept.")                                                                              \
    X(CHECK_PSK_MATCHES, "psk-matches", STAGE_IPSEC, FIX_USE_PSK, TUN_L2TP,                        \
      "The server accepts the key",                                                                \
      "The key given to l2tpfix (--psk-file, or typed for use-psk) against the server's",          \
      "Checked with a real IKEv1 Main Mode from this machine: the server either verifies "         \
      "the key or does not; a key it rejects is what fails phase 1 with 789.")                     \
    X(CHECK_IKEV2, "ikev2-available", STAGE_IPSEC, FIX_SWITCH_IKEV2, TUN_L2TP | TUN_IKEV2,         \
      "IKEv2 as an alternative",                                                                   \
      "The server's IKEv2 configuration; on Windows a profile of type IKEv2",                      \
      "The guide's fallback: a server that answers IKEv2 where L2TP/IPsec fails can be "           \
      "reached with an IKEv2 profile (it needs the server's IKEv2 set-up, often a "                \
      "certificate).")                                                                             \
    X(CHECK_MSCHAPV2, "mschapv2", STAGE_PPP, FIX_MSCHAPV2, TUN_L2TP, "MS-CHAP v2 allowed",         \
      "ncpa.cpl > connection Properties > Security > Allow these protocols > Microsoft "           \
      "CHAP Version 2 (MS-CHAP v2)",                                                               \
      "Most L2TP servers authenticate with MS-CHAP v2; a profile that does not allow it "          \
      "(or uses EAP) cannot agree on a protocol, which Windows often reports as 789. "             \
      "The guide's fix #1. If a Windows feature update changed the profile's PPP options, a "      \
      "saved baseline shows it as drift.")                                                         \
    X(CHECK_LCP_EXTENSIONS, "lcp-extensions", STAGE_PPP, FIX_LCP_EXTENSIONS, TUN_PPP,              \
      "LCP extensions enabled",                                                                    \
      "ncpa.cpl > connection Properties > Options > PPP Settings > Enable LCP extensions",         \
      "Servers that require the LCP extension options drop the PPP negotiation when "              \
      "they are off, reported as 789 or 734. The guide's fix #2. If a Windows feature update "     \
      "changed the profile's PPP options, a saved baseline shows it as drift.")                    \
    X(CHECK_CREDENTIALS, "credentials", STAGE_AUTH, FIX_CREDENTIALS, TUN_ANY, "Credentials saved", \
      "The connection's sign-in dialog (Remember my credentials) or Settings > VPN > "             \
      "Advanced options",                                                                          \
      "Without a saved user name and password an unattended connection cannot "                    \
      "authenticate; Windows asks for them when a person connects.")                               \
    X(CHECK_LAST_AUTH, "last-auth", STAGE_AUTH, FIX_NONE, TUN_ANY, "Last authentication result",   \
      "Event Viewer > Windows Logs > Application, source RasClient (event 20227)",                 \
      "The last connection attempt's result: 691 means the server refused the user name "          \
      "or password, or does not permit the profile's authentication protocol.")

#define CHECK_ENUM(e, id, stage, fix, tunnels, title, where, why) e,
enum check_id { CHECK_TABLE(CHECK_ENUM) CHECK_COUNT };
#undef CHECK_ENUM

struct stage_info {
    const char *id, *title, *ikev2_title, *what;
};
struct check_info {
    const char *id, *title, *where, *why;
    enum stage_id stage;
    enum fix_id fix;
    unsigned tunnels; /* TUN_* bits: the protocols whose set-up it judges */
};
struct fix_info {
    const char *id, *title, *what;
    enum fix_secret secret;
    enum fix_kind kind;
    const char *warning; /* what applying it costs, said before it is applied; NULL: nothing */
};

const struct stage_info *stage_info(enum stage_id s);
const struct check_info *check_info(enum check_id c);
/* The longest check id: the width of a column of ids in plain text. */
int check_id_width(void);
/* The longest id among one stage's checks: a stage's rows line up on it. */
int stage_check_id_width(enum stage_id s);
const struct fix_info *fix_info(enum fix_id f);
const char *check_status_name(enum check_status st); /* "pass", "fail", ... */
/* The word a person reads: problems in capitals, so they stand out without colour. */
const char *check_status_word(enum check_status st);
/* The word of a report ("PASS", "FAIL", ...). */
const char *check_status_report_word(enum check_status st);

/* Look-ups by stable id; they return the COUNT value when nothing matches. */
enum stage_id stage_from_id(const char *id);
enum check_id check_from_id(const char *id);
enum fix_id fix_from_id(const char *id);

#endif
