#include "psscript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

bool ps_quote(const char *s, char *buf, size_t len)
{
    size_t n = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (n + 1 >= len)                                                                          \
            return false;                                                                          \
        buf[n++] = (char)(c);                                                                      \
    } while (0)
    PUT('\'');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* U+2018..U+201B (E2 80 98..9B) close a PowerShell string like ' does */
        bool smart = p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9b;
        if (*p == '\'' || smart) {
            size_t k = smart ? 3 : 1;
            for (int twice = 0; twice < 2; twice++)
                for (size_t i = 0; i < k; i++)
                    PUT(p[i]);
            p += k - 1;
            continue;
        }
        PUT(*p);
    }
    PUT('\'');
#undef PUT
    buf[n] = '\0';
    return true;
}

static bool wanted(const enum fix_id *fixes, size_t n, enum fix_id f)
{
    for (size_t i = 0; i < n; i++)
        if (fixes[i] == f)
            return true;
    return false;
}

/* One registry DWORD, idempotent, after a `reg export` of its key. */
static void registry_step(struct text_buf *t, const char *id, const char *key, const char *value,
                          int want, bool absent_is_right)
{
    text_printf(t, "\n# %s: %s = %d (HKLM\\%s), after a backup of the key\n", id, value, want, key);
    text_printf(t, "$key = 'HKLM:\\%s'\n", key);
    /* an absent value: no object, whose property strict mode would refuse to read */
    text_printf(t,
                "$now = $null; $Item = Get-ItemProperty -Path $key -Name '%s' -ErrorAction "
                "SilentlyContinue\nif ($null -ne $Item) { $now = $Item.'%s' }\n",
                value, value);
    text_printf(t, "if ($now -eq %d%s) {\n    Write-Output '%s: already set'\n", want,
                absent_is_right ? " -or $null -eq $now" : "", id);
    text_printf(t, "} elseif ($PSCmdlet.ShouldProcess('HKLM\\%s', 'set %s to %d')) {\n", key, value,
                want);
    text_printf(t,
                "    $backup = Join-Path $BackupDir ('%s-' + (Get-Date -Format 'yyyyMMdd-HHmmss') "
                "+ '.reg')\n",
                id);
    text_printf(t, "    & reg.exe export 'HKLM\\%s' $backup /y | Out-Null\n", key);
    text_printf(t,
                "    if ($LASTEXITCODE -ne 0) { throw '%s: the backup (reg export) failed; nothing "
                "changed' }\n",
                id);
    text_printf(t,
                "    New-ItemProperty -Path $key -Name '%s' -PropertyType DWord -Value %d -Force | "
                "Out-Null\n",
                value, want);
    text_printf(t, "    $RestartNeeded = $true\n");
    text_printf(t, "    Write-Output ('%s: done (backup: ' + $backup + ')')\n}\n", id);
}

/* No cmdlet has LcpExtensions: its line in the entry's main block of the
 * phonebook (MS-RRASM 2.2.2), rewritten where it is, else added after the
 * block's last key, so before the first sub-block, as pbk_set does; every
 * other byte kept (line endings and a BOM included). $Pbk is found by
 * phonebook_step. */
static void lcp_step(struct text_buf *t)
{
    text_printf(
        t, "\n# lcp-extensions: LcpExtensions=1 in the main block of the entry's section of the "
           "phonebook\n"
           "# file, before its first sub-block (NETCOMPONENTS=, MEDIA=, DEVICE=, PhoneNumber=)\n");
    text_printf(t, "$Bytes = [IO.File]::ReadAllBytes($Pbk)\n");
    text_printf(
        t, "$Bom = if ($Bytes.Length -ge 3 -and $Bytes[0] -eq 0xEF -and $Bytes[1] -eq 0xBB -and "
           "$Bytes[2] -eq 0xBF) { 3 } else { 0 }\n");
    text_printf(t, "$Text = [Text.Encoding]::UTF8.GetString($Bytes, $Bom, $Bytes.Length - $Bom)\n");
    text_printf(t,
                "$Eol = if ($Text.Contains(\"`n\") -and -not $Text.Contains(\"`r`n\")) { \"`n\" } "
                "else { \"`r`n\" }\n");
    text_printf(t, "$Lines = $Text -split '(?<=\\n)'\n");
    text_printf(t, "$Entry = -1; $At = -1; $Found = -1; $Changed = $false\n");
    text_printf(t, "for ($i = 0; $i -lt $Lines.Count; $i++) {\n");
    text_printf(t, "    if ($Lines[$i] -match '^[ \\t]*\\[') {\n");
    text_printf(t,
                "        if (-not ($Lines[$i] -match '^[ \\t]*\\[([^\\]]*)\\]')) { throw "
                "('lcp-extensions: line ' + "
                "($i + 1) + ' of the phonebook: a section header without ]; nothing changed') }\n");
    text_printf(t, "        if ($Entry -ge 0) { break }\n");
    text_printf(
        t,
        "        if ($Matches[1] -ceq $Name) { $Entry = $i; $At = $i }\n        continue\n    }\n");
    text_printf(t, "    if ($Entry -lt 0) { continue }\n");
    text_printf(t, "    if ($Lines[$i] -cmatch '^[ \\t]*(NETCOMPONENTS|MEDIA|DEVICE|PhoneNumber)[ "
                   "\\t]*=') { break }\n");
    text_printf(t, "    if ($Lines[$i] -match '^[ \\t]*[;#]' -or -not $Lines[$i].Contains('=')) { "
                   "continue }\n");
    text_printf(t, "    $At = $i\n");
    text_printf(
        t,
        "    if ($Lines[$i] -cmatch '^[ \\t]*LcpExtensions[ \\t]*=') { $Found = $i; break }\n}\n");
    text_printf(
        t,
        "if ($Entry -lt 0) {\n    throw 'lcp-extensions: the phonebook has no entry of that name; "
        "nothing changed'\n");
    text_printf(t, "} elseif ($Found -ge 0) {\n");
    text_printf(t, "    if ($Lines[$Found] -cmatch '^([ \\t]*LcpExtensions[ \\t]*=[ \\t]*)(.*?)([ "
                   "\\t]*\\r?\\n?)$' "
                   "-and $Matches[2] -ne '1') {\n");
    text_printf(
        t, "        $Lines[$Found] = $Matches[1] + '1' + $Matches[3]; $Changed = $true\n    }\n");
    text_printf(t, "} else {\n");
    text_printf(
        t,
        "    # after a last line without an ending, the ending goes before the new line (a lone CR "
        "stays its own)\n");
    text_printf(t, "    $Last = $Lines[$At]\n");
    text_printf(
        t, "    if ($Last.EndsWith(\"`n\")) { $Lines[$At] = $Last + 'LcpExtensions=1' + $Eol }\n");
    text_printf(t, "    elseif ($Last.EndsWith(\"`r\")) { $Lines[$At] = $Last + \"`r`n\" + "
                   "'LcpExtensions=1' }\n");
    text_printf(t, "    else { $Lines[$At] = $Last + $Eol + 'LcpExtensions=1' }\n");
    text_printf(t, "    $Changed = $true\n}\n");
    text_printf(t, "if (-not $Changed) {\n    Write-Output 'lcp-extensions: already set'\n");
    text_printf(t, "} elseif ($PSCmdlet.ShouldProcess($Pbk, 'LcpExtensions=1')) {\n");
    text_printf(t, "    $Backup = Join-Path $BackupDir ('rasphone-' + (Get-Date -Format "
                   "'yyyyMMdd-HHmmss') + '.pbk')\n");
    text_printf(t, "    Copy-Item -LiteralPath $Pbk -Destination $Backup\n");
    text_printf(t, "    $Body = [Text.Encoding]::UTF8.GetBytes(-join $Lines)\n");
    text_printf(t, "    $Out = New-Object System.Collections.Generic.List[byte]\n");
    text_printf(t, "    if ($Bom) { $Out.AddRange([byte[]]$Bytes[0..2]) }\n");
    text_printf(t, "    $Out.AddRange($Body)\n");
    text_printf(t, "    [IO.File]::WriteAllBytes($Pbk, $Out.ToArray())\n");
    text_printf(t, "    Write-Output ('lcp-extensions: done (backup: ' + $Backup + ')')\n}\n");
}

/* Who may run each step (issue 18). The VpnClient cmdlets and
 * RasSetCredentials change a profile only in its owner's session (or, for the
 * all-users phonebook, an elevated one): SYSTEM sees its own, empty, phonebook.
 * The phonebook file can be edited by whoever can write it, SYSTEM included;
 * registry and services need elevation. */
enum ps_scope { PS_PROFILE, PS_FILE, PS_MACHINE, PS_SCOPES };

static const enum ps_scope step_scope[FIX_COUNT] = {
    [FIX_MSCHAPV2] = PS_PROFILE,
    [FIX_LCP_EXTENSIONS] = PS_FILE,
    [FIX_USE_PSK] = PS_PROFILE,
    [FIX_TUNNEL_L2TP] = PS_PROFILE,
    [FIX_NAT_TRAVERSAL] = PS_MACHINE,
    [FIX_ALLOW_IPSEC] = PS_MACHINE,
    [FIX_RESTART_IPSEC_SERVICES] = PS_MACHINE,
    [FIX_CREDENTIALS] = PS_PROFILE,
    [FIX_SWITCH_IKEV2] = PS_PROFILE,
    [FIX_ALLOW_WEAK_CRYPTO] = PS_MACHINE,
};
/* The script's variables that say whether a scope can run here, and why not. */
static const char *const scope_can[PS_SCOPES] = {"$CanProfile", "$CanFile", "$CanMachine"};
static const char *const scope_why[PS_SCOPES] = {"$WhyProfile", "$NeedAdmin", "$NeedAdmin"};

static bool wants_scope(const enum fix_id *fixes, size_t n, enum ps_scope s)
{
    for (size_t i = 0; i < n; i++)
        if (fixes[i] < FIX_COUNT && step_scope[fixes[i]] == s)
            return true;
    return false;
}

/* The name as a PowerShell expression of ASCII only: Windows PowerShell 5.1
 * reads a script without a BOM as ANSI, so every non-ASCII character (smart
 * quotes included) and every control character is a [char] code, and the
 * rest a single-quoted literal with ' doubled. Returns NULL when the name is
 * not valid UTF-8 or memory runs out. */
static char *ps_name_expr(const char *name)
{
    struct text_buf t = {0};
    bool plain = true, open = false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        plain &= *p >= 0x20 && *p < 0x7f;
    text_printf(&t, plain ? "'" : "(''");
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        unsigned long cp = *p;
        size_t len = cp < 0x80         ? 1
                     : (cp >> 5) == 6  ? 2
                     : (cp >> 4) == 14 ? 3
                     : (cp >> 3) == 30 ? 4
                                       : 0;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                len = 0;
        if (!len) {
            free(t.s);
            return NULL;
        }
        if (len > 1)
            cp &= 0x3fu >> (len - 1);
        for (size_t i = 1; i < len; i++)
            cp = (cp << 6) | (p[i] & 0x3f);
        p += len;
        if (plain || (cp >= 0x20 && cp < 0x7f)) {
            if (!plain && !open)
                text_printf(&t, " + '");
            open = true;
            text_printf(&t, cp == '\'' ? "''" : "%c", (int)cp);
            continue;
        }
        if (open)
            text_printf(&t, "'");
        open = false;
        if (cp > 0xffff) /* a UTF-16 surrogate pair, as .NET strings hold it */
            text_printf(&t, " + [char]0x%04lX + [char]0x%04lX", 0xd800 + ((cp - 0x10000) >> 10),
                        0xdc00 + ((cp - 0x10000) & 0x3ff));
        else
            text_printf(&t, " + [char]0x%04lX", cp);
    }
    text_printf(&t, plain ? "'" : open ? "')" : ")");
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    return t.s;
}

/* Who runs the script (whoami.exe is in every Windows since Vista, and its
 * SIDs read the same in every language): SYSTEM is S-1-5-18, an elevated
 * administrator has the High mandatory level S-1-16-12288. */
static void context_prelude(struct text_buf *t, bool all)
{
    text_printf(t, "\n# Who runs this: SYSTEM (Intune's default, RMM tools), an elevated "
                   "administrator or the user\n");
    text_printf(
        t,
        "$Sid = @(whoami.exe /user /fo csv /nh | ConvertFrom-Csv -Header 'Name', 'Sid')[0].Sid\n");
    text_printf(t, "$Groups = @(whoami.exe /groups /fo csv /nh | ConvertFrom-Csv -Header 'Name', "
                   "'Type', 'Sid', "
                   "'Attributes' | ForEach-Object { $_.Sid })\n");
    text_printf(t, "if ($Sid -eq 'S-1-5-18') { $Context = 'SYSTEM' }\n"
                   "elseif ($Groups -contains 'S-1-16-12288' -or $Groups -contains 'S-1-16-16384') "
                   "{ $Context = "
                   "'administrator' }\nelse { $Context = 'user' }\n");
    text_printf(t, "Write-Output ('running as ' + $Context)\n");
    text_printf(t, "$NeedAdmin = 'it needs an administrator or SYSTEM (run PowerShell as "
                   "administrator; Intune and RMM "
                   "tools run scripts as SYSTEM)'\n");
    text_printf(t, "$NeedUser = 'Windows changes it only in the session of the user whose profile "
                   "it is: run this "
                   "script as that user (Intune: \"Run this script using the logged-on "
                   "credentials\" = Yes)'\n");
    text_printf(t, "$AllUsers = $%s\n", all ? "true" : "false");
    text_printf(t,
                "if ($AllUsers) { $CanProfile = $Context -ne 'user'; $WhyProfile = $NeedAdmin }\n"
                "else { $CanProfile = $Context -ne 'SYSTEM'; $WhyProfile = $NeedUser }\n");
    text_printf(t, "$CanFile = (-not $AllUsers) -or $Context -ne 'user'\n");
    text_printf(t, "$CanMachine = $Context -ne 'user'\n");
    text_printf(t, "$Left = 0\n");
}

/* The phonebook that holds the profile. As SYSTEM, $env:APPDATA is SYSTEM's
 * own: a user's profile is looked for in each local user's phonebook, as
 * --all-users does, and its owner named. Strict: no such profile is an
 * error; else (detection) $Pbk stays $null. */
static void phonebook_step(struct text_buf *t, bool strict)
{
    text_printf(t, "\n# The phonebook file that holds the profile\n");
    text_printf(t, "$PbkPath = 'Microsoft\\Network\\Connections\\Pbk\\rasphone.pbk'\n");
    text_printf(t, "if ($AllUsers) { $Pbk = Join-Path $env:ProgramData $PbkPath }\n");
    text_printf(t, "elseif ($Context -ne 'SYSTEM') { $Pbk = Join-Path $env:APPDATA $PbkPath }\n");
    text_printf(t, "else {\n    $Books = @()\n");
    text_printf(t, "    foreach ($UserDir in @(Get-ChildItem -LiteralPath (Join-Path "
                   "$env:SystemDrive 'Users') -Directory "
                   "-Force -ErrorAction SilentlyContinue)) {\n");
    text_printf(
        t, "        $P = Join-Path $UserDir.FullName (Join-Path 'AppData\\Roaming' $PbkPath)\n");
    text_printf(t, "        if (-not (Test-Path -LiteralPath $P -PathType Leaf)) { continue }\n");
    text_printf(t, "        foreach ($Line in [IO.File]::ReadAllLines($P)) {\n");
    text_printf(
        t,
        "            if ($Line -match '^[ \\t]*\\[([^\\]]*)\\]' -and $Matches[1] -ceq $Name) {\n");
    text_printf(
        t,
        "                $Books += [pscustomobject]@{ Owner = $UserDir.Name; Path = $P }; break\n"
        "            }\n        }\n    }\n");
    if (strict)
        text_printf(t, "    if ($Books.Count -eq 0) { throw ('no local user''s phonebook has the "
                       "profile ' + $Name + '; "
                       "nothing changed') }\n");
    else
        text_printf(t, "    $Pbk = $null\n");
    text_printf(t, "    if ($Books.Count -gt 1) { throw ('the users ' + (@($Books | ForEach-Object "
                   "{ $_.Owner }) -join "
                   "', ') + ' each have a profile of this name: run the script as the one meant; "
                   "nothing changed') }\n");
    const char *in = strict ? "" : "    "; /* detection: only when one was found */
    if (!strict)
        text_printf(t, "    if ($Books.Count -eq 1) {\n");
    text_printf(t, "    %s$Pbk = $Books[0].Path\n", in);
    text_printf(t,
                "    %sWrite-Output ('the profile is in the phonebook of ' + $Books[0].Owner + ': "
                "' + $Pbk)\n%s}\n",
                in, strict ? "" : "    }\n");
}

/* Appends body to t, run only when the PowerShell condition can holds, else
 * otherwise: its leading comment lines first, then the rest inside the guard. */
static void guarded_block(struct text_buf *t, const char *can, const char *otherwise,
                          const char *body)
{
    const char *p = body;
    while (*p == '\n' || *p == '#') {
        const char *eol = strchr(p, '\n');
        p = eol ? eol + 1 : p + strlen(p);
    }
    text_printf(t, "%.*s", (int)(p - body), body);
    text_printf(t, "if (-not %s) {\n    %s\n} else {\n", can, otherwise);
    bool here =
        false; /* inside a here-string, whose lines are its value and whose end is at column 0 */
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (here && strncmp(p, "'@", 2) == 0)
            here = false;
        else if (!here && len >= 3 && strncmp(p + len - 3, "@'\n", 3) == 0)
            here = true, text_printf(t, "    ");
        else if (!here && len > 1)
            text_printf(t, "    ");
        text_printf(t, "%.*s", (int)len, p);
        p += len;
    }
    text_printf(t, "}\n");
}

/* The step of fix id, run only where its scope can be, else counted as left. */
static void guarded_step(struct text_buf *t, const char *id, enum ps_scope scope, const char *body)
{
    char otherwise[160];
    snprintf(otherwise, sizeof otherwise, "Write-Output ('%s: not done here: ' + %s); $Left++", id,
             scope_why[scope]);
    guarded_block(t, scope_can[scope], otherwise, body);
}

/* Credentials through RasSetCredentials, P/Invoked from rasapi32.dll: the
 * VpnClient module has no cmdlet for them, and Set-VpnConnectionUsernamePassword
 * is a PowerShell Gallery module (VPNCredentialsHelper) that stock Windows
 * lacks. For an all-users profile they are its default credentials. */
static void credentials_step(struct text_buf *t)
{
    text_printf(t, "\n# credentials: saved with the profile through RasSetCredentials "
                   "(rasapi32.dll, in every Windows;\n"
                   "# the VpnClient module has no cmdlet for them)\n");
    text_printf(t, "if ($PSCmdlet.ShouldProcess($Name, 'RasSetCredentials')) {\n");
    text_printf(t, "    if (-not ('L2tpfix.RasCredentials' -as [type])) {\n");
    text_printf(
        t,
        "        Add-Type -TypeDefinition @'\n"
        "using System.Runtime.InteropServices;\n"
        "namespace L2tpfix {\n"
        "    public static class RasCredentials {\n"
        "        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]\n"
        "        public struct RASCREDENTIALS {\n"
        "            public int dwSize, dwMask;\n"
        "            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 257)] public string "
        "szUserName;\n"
        "            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 257)] public string "
        "szPassword;\n"
        "            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 16)] public string szDomain;\n"
        "        }\n"
        "        [DllImport(\"rasapi32.dll\", CharSet = CharSet.Unicode)]\n"
        "        static extern int RasSetCredentialsW(string phonebook, string entry, ref "
        "RASCREDENTIALS "
        "credentials, bool clear);\n"
        "        // RASCM_UserName | RASCM_Password, and RASCM_DefaultCreds for an all-users "
        "profile\n"
        "        public static int Set(string phonebook, string entry, string user, string "
        "password, bool "
        "allUsers) {\n"
        "            RASCREDENTIALS c = new RASCREDENTIALS();\n"
        "            c.dwSize = Marshal.SizeOf(typeof(RASCREDENTIALS));\n"
        "            c.dwMask = 0x1 | 0x2 | (allUsers ? 0x8 : 0);\n"
        "            c.szUserName = user; c.szPassword = password; c.szDomain = \"\";\n"
        "            return RasSetCredentialsW(phonebook, entry, ref c, false);\n"
        "        }\n"
        "    }\n"
        "}\n"
        "'@\n    }\n");
    text_printf(
        t,
        "    $Rc = [L2tpfix.RasCredentials]::Set($Pbk, $Name, $UserName, $Password, $AllUsers)\n");
    text_printf(t, "    if ($Rc -ne 0) { throw ('credentials: RasSetCredentials failed with error "
                   "' + $Rc) }\n");
    text_printf(t, "    Write-Output 'credentials: saved (a saved password cannot be read back to "
                   "compare)'\n}\n");
}

/* One VpnClient setting, idempotent: compared first with what Get-VpnConnection read. */
static void vpn_setting_step(struct text_buf *t, const char *id, const char *what, const char *test,
                             const char *set)
{
    text_printf(t, "\n# %s: %s\n", id, what);
    text_printf(t, "if (%s) {\n    Write-Output '%s: already set'\n", test, id);
    text_printf(t, "} elseif ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection %s')) {\n", set);
    text_printf(t, "    Set-VpnConnection @Common %s -Force\n    Write-Output '%s: done'\n}\n", set,
                id);
}

/* switch-ikev2's cmdlets and formats, as Microsoft documents them:
 * - Set-VpnConnection (learn.microsoft.com/powershell/module/vpnclient/set-vpnconnection):
 *   -TunnelType takes Ikev2 and -AuthenticationMethod Eap; -EapConfigXmlStream holds the EAP
 *   configuration "which includes the EAP method ID", and example 3 passes it
 *   New-EapConfiguration's .EapConfigXmlStream. The page does not say which EAP method a profile
 *   gets without it, so the script always passes one. -AllUserConnection names the global
 *   (all-users) phonebook: the script's $Common carries it for an all-users profile.
 * - New-EapConfiguration (learn.microsoft.com/powershell/module/vpnclient/new-eapconfiguration):
 *   without parameters it uses its default parameter set, EapMsChapv2Auth (the WMI method behind
 *   it is PS_EapConfiguration's NewByEapMsChapv2Auth, documented as EAP-MSCHAPv2); without
 *   -UseWinlogonCredential the user types the credentials.
 * - EapHostConfig (MS-GPWL 2.2.3.2.1, learn.microsoft.com/openspecs/windows_protocols/ms-gpwl):
 *   the method is EapMethod's Type, in the EapCommon namespace; 26 is EAP-MSChapV2.
 * - Import-Certificate (learn.microsoft.com/powershell/module/pki/import-certificate): -FilePath
 *   of a certificate file, -CertStoreLocation Cert:\LocalMachine\Root (its example 3).
 * - about_Certificate_Provider (learn.microsoft.com/powershell/module/
 *   microsoft.powershell.security/about/about_certificate_provider): certificates are named by
 *   their thumbprints; Get-Item Cert:\LocalMachine\My\THUMBPRINT gets one; Remove-Item
 *   Cert:\LocalMachine\CA\THUMBPRINT deletes one, and in Cert: Remove-Item takes only -Path,
 *   -DeleteKey, -WhatIf and -Confirm. */

#define EAP_MSCHAPV2_RIGHT                                                                         \
    "$Vpn.TunnelType -eq 'Ikev2' -and (@($Vpn.AuthenticationMethod) -join ',') -eq 'Eap' -and "    \
    "(Get-L2fEapType $Vpn.EapConfigXmlStream) -eq '26'"

/* Get-L2fEapType: the EAP method of a profile's EapConfigXmlStream, '(none)' without one. */
static void eap_reader(struct text_buf *t)
{
    text_printf(t, "\n# The EAP method of an EapConfigXmlStream: EapHostConfig's EapMethod Type "
                   "(26: EAP-MSCHAPv2)\n");
    text_printf(t, "function Get-L2fEapType($Xml) {\n");
    text_printf(t, "    if ($null -eq $Xml -or ($Xml -is [string] -and $Xml.Trim() -eq '')) { "
                   "return '(none)' }\n");
    text_printf(t, "    $M = @(([xml]$Xml).GetElementsByTagName('EapMethod', "
                   "'http://www.microsoft.com/provisioning/EapHostConfig'))\n");
    text_printf(t, "    if ($M.Count -eq 0) { return '(none)' }\n");
    text_printf(t, "    $T = @($M[0].GetElementsByTagName('Type', "
                   "'http://www.microsoft.com/provisioning/EapCommon'))\n");
    text_printf(t, "    if ($T.Count -eq 0) { '(none)' } else { $T[0].InnerText.Trim() }\n}\n");
}

/* The profile: IKEv2 with EAP-MSCHAPv2, New-EapConfiguration's default. */
static void switch_ikev2_step(struct text_buf *t)
{
    text_printf(t, "\n# switch-ikev2: IKEv2 with EAP-MSCHAPv2 user authentication (only where the "
                   "server offers it)\n");
    text_printf(t, "if (%s) {\n    Write-Output 'switch-ikev2: already set'\n", EAP_MSCHAPV2_RIGHT);
    text_printf(t, "} elseif ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection -TunnelType Ikev2 "
                   "-AuthenticationMethod Eap (EAP-MSCHAPv2)')) {\n");
    text_printf(t, "    $Eap = New-EapConfiguration\n");
    text_printf(t, "    Set-VpnConnection @Common -TunnelType Ikev2 -AuthenticationMethod Eap "
                   "-EapConfigXmlStream $Eap.EapConfigXmlStream -Force\n");
    text_printf(t, "    Write-Output 'switch-ikev2: done (IKEv2, EAP-MSCHAPv2)'\n}\n");
}

/* The root CA into LocalMachine\Root when its thumbprint is not there; the
 * record in $BackupDir is what lets -Undo remove it, and only it. */
static void ca_import_step(struct text_buf *t)
{
    text_printf(t, "\n# switch-ikev2: the server's CA trusted by the machine (LocalMachine\\Root), "
                   "imported only when\n# its thumbprint is not there; a record says this "
                   "script added it, for -Undo\n");
    text_printf(t, "if ($null -ne (Get-Item -Path $CaPath -ErrorAction SilentlyContinue)) {\n");
    text_printf(t, "    Write-Output ('switch-ikev2: root CA ' + $CaThumb + ' already trusted')\n");
    text_printf(t,
                "} elseif ($PSCmdlet.ShouldProcess('Cert:\\LocalMachine\\Root', 'import the root "
                "CA ' + $CaThumb)) {\n");
    text_printf(t, "    $CaDer = [Convert]::FromBase64String($CaBase64)\n");
    text_printf(t, "    $CaCert = New-Object "
                   "System.Security.Cryptography.X509Certificates.X509Certificate2 (, $CaDer)\n");
    text_printf(t,
                "    if ($CaCert.Thumbprint -ne $CaThumb) { throw 'switch-ikev2: the certificate "
                "in this script does not match its thumbprint (the script was changed); nothing "
                "imported' }\n");
    text_printf(t,
                "    $CaFile = Join-Path $BackupDir ('switch-ikev2-root-' + $CaThumb + '.cer')\n");
    text_printf(t, "    [IO.File]::WriteAllBytes($CaFile, $CaDer)\n");
    text_printf(t, "    Import-Certificate -FilePath $CaFile -CertStoreLocation "
                   "'Cert:\\LocalMachine\\Root' | Out-Null\n");
    text_printf(t, "    Set-Content -LiteralPath $CaRecord -Value ('imported into "
                   "Cert:\\LocalMachine\\Root by an l2tpfix script on ' + (Get-Date -Format "
                   "'yyyy-MM-dd HH:mm:ss'))\n");
    text_printf(t, "    Write-Output ('switch-ikev2: root CA ' + $CaThumb + ' imported into "
                   "LocalMachine\\Root')\n}\n");
}

/* The CA's thumbprint and certificate, and in a fix script -Undo: it removes
 * the root only when this script's record says it added it. */
static void ca_prelude(struct text_buf *t, const struct ca_cert *ca, enum ps_mode mode)
{
    text_printf(t, "\n# switch-ikev2's root CA (the --ca-file given to l2tpfix): its SHA-1 "
                   "thumbprint and its DER\n");
    text_printf(t, "$CaThumb = '%s'\n$CaBase64 = @'\n", ca->thumbprint);
    for (const char *p = ca->der_base64; *p;) {
        size_t n = strnlen(p, 64);
        text_printf(t, "%.*s\n", (int)n, p);
        p += n;
    }
    text_printf(t, "'@\n$CaPath = 'Cert:\\LocalMachine\\Root\\' + $CaThumb\n");
    if (mode == PS_DETECT)
        return;
    text_printf(t, "$CaRecord = Join-Path $BackupDir ('switch-ikev2-root-' + $CaThumb + "
                   "'.added')\n");
    if (mode != PS_FIX)
        return;
    text_printf(t, "\n# -Undo: the root CA out again, only if this script imported it; the "
                   "profile stays as it is\n");
    text_printf(t, "if ($Undo) {\n");
    text_printf(t, "    if (-not $CanMachine) { Write-Output ('switch-ikev2: undo not done here: ' "
                   "+ $NeedAdmin); exit 1 }\n");
    text_printf(t, "    if (-not (Test-Path -LiteralPath $CaRecord)) {\n"
                   "        Write-Output ('switch-ikev2: root CA ' + $CaThumb + ' left: this "
                   "script did not import it')\n");
    text_printf(t, "    } elseif ($null -eq (Get-Item -Path $CaPath -ErrorAction "
                   "SilentlyContinue)) {\n"
                   "        if ($PSCmdlet.ShouldProcess($CaRecord, 'Remove-Item')) { Remove-Item "
                   "-LiteralPath $CaRecord }\n"
                   "        Write-Output ('switch-ikev2: root CA ' + $CaThumb + ' already "
                   "removed')\n");
    text_printf(t, "    } elseif ($PSCmdlet.ShouldProcess($CaPath, 'Remove-Item')) {\n"
                   "        Remove-Item -Path $CaPath\n        Remove-Item -LiteralPath $CaRecord\n"
                   "        Write-Output ('switch-ikev2: root CA ' + $CaThumb + ' removed from "
                   "LocalMachine\\Root')\n    }\n    exit 0\n}\n");
}

static void psk_step(struct text_buf *t)
{
    text_printf(t, "\n# use-psk: authenticate IPsec with the pre-shared key given (a saved key "
                   "cannot be read\n"
                   "# back to compare, so this step always sets it)\n");
    text_printf(t, "if ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection -L2tpPsk')) {\n");
    text_printf(t, "    Set-VpnConnection @Common -L2tpPsk $L2tpPsk -Force\n    Write-Output "
                   "'use-psk: done'\n}\n");
}

static void services_step(struct text_buf *t)
{
    text_printf(t, "\n# restart-ipsec-services: IKEEXT and PolicyAgent running (a disabled one set "
                   "to Manual)\n");
    text_printf(t, "foreach ($Svc in 'IKEEXT', 'PolicyAgent') {\n");
    text_printf(t, "    $S = Get-Service -Name $Svc\n");
    text_printf(t, "    if ($S.Status -eq 'Running') { Write-Output ('restart-ipsec-services: "
                   "already running: ' + "
                   "$Svc); continue }\n");
    text_printf(t, "    if ($PSCmdlet.ShouldProcess($Svc, 'start')) {\n");
    text_printf(t, "        if ($S.StartType -eq 'Disabled') { Set-Service -Name $Svc -StartupType "
                   "Manual }\n");
    text_printf(t, "        Start-Service -Name $Svc\n");
    text_printf(
        t, "        Write-Output ('restart-ipsec-services: ' + $Svc + ' started')\n    }\n}\n");
}

/* The step of fix f, guarded by where it can run. */
static void fix_step(struct text_buf *t, enum fix_id f)
{
    struct text_buf b = {0};
    switch (f) {
    case FIX_TUNNEL_L2TP:
        vpn_setting_step(&b, "tunnel-l2tp", "the VPN type L2TP/IPsec", "$Vpn.TunnelType -eq 'L2tp'",
                         "-TunnelType L2tp");
        break;
    case FIX_MSCHAPV2:
        vpn_setting_step(&b, "mschapv2", "allow MS-CHAP v2 (and only it: EAP off)",
                         "(@($Vpn.AuthenticationMethod) -join ',') -eq 'MsChapv2'",
                         "-AuthenticationMethod MSChapv2");
        break;
    case FIX_SWITCH_IKEV2:
        switch_ikev2_step(&b);
        break;
    case FIX_USE_PSK:
        psk_step(&b);
        break;
    case FIX_CREDENTIALS:
        credentials_step(&b);
        break;
    case FIX_LCP_EXTENSIONS:
        lcp_step(&b);
        break;
    case FIX_NAT_TRAVERSAL:
        registry_step(&b, "nat-traversal", "SYSTEM\\CurrentControlSet\\Services\\PolicyAgent",
                      "AssumeUDPEncapsulationContextOnSendRule", 2, false);
        break;
    case FIX_ALLOW_IPSEC:
        registry_step(&b, "allow-ipsec", "SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters",
                      "ProhibitIpSec", 0, true);
        break;
    case FIX_ALLOW_WEAK_CRYPTO:
        text_printf(&b, "\nWrite-Warning 'allow-weak-crypto: %s'", fix_info(f)->warning);
        registry_step(&b, "allow-weak-crypto",
                      "SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters",
                      "AllowL2TPWeakCrypto", 1, false);
        break;
    case FIX_RESTART_IPSEC_SERVICES:
        services_step(&b);
        break;
    default:
        break;
    }
    if (b.failed)
        t->failed = true;
    else if (b.s)
        guarded_step(t, fix_info(f)->id, step_scope[f], b.s);
    free(b.s);
}

/* switch-ikev2's root CA, where the machine's stores can be changed. */
static void ca_step(struct text_buf *t)
{
    struct text_buf b = {0};
    ca_import_step(&b);
    if (b.failed)
        t->failed = true;
    else
        guarded_step(t, "switch-ikev2", PS_MACHINE, b.s);
    free(b.s);
}

/* The fix steps, in this order whatever the caller's: the VPN type before
 * what depends on it, the alternative (IKEv2) last, its root CA before it. */
static void fix_steps(struct text_buf *t, const struct ps_request *r, const char *then)
{
    const enum fix_id *fixes = r->fixes;
    size_t n = r->n;
    static const enum fix_id order[] = {
        FIX_TUNNEL_L2TP, FIX_MSCHAPV2,          FIX_USE_PSK,
        FIX_CREDENTIALS, FIX_LCP_EXTENSIONS,    FIX_NAT_TRAVERSAL,
        FIX_ALLOW_IPSEC, FIX_ALLOW_WEAK_CRYPTO, FIX_RESTART_IPSEC_SERVICES,
        FIX_SWITCH_IKEV2};
    if (wanted(fixes, n, FIX_LCP_EXTENSIONS) || wanted(fixes, n, FIX_CREDENTIALS))
        phonebook_step(t, true);
    text_printf(t, "%s", then);
    if (wants_scope(fixes, n, PS_PROFILE))
        text_printf(t, "$Vpn = $null\nif ($CanProfile) { $Vpn = Get-VpnConnection @Common }\n");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!wanted(fixes, n, order[i]))
            continue;
        if (order[i] == FIX_SWITCH_IKEV2 && r->ca)
            ca_step(t);
        fix_step(t, order[i]);
    }
    text_printf(t, "\nif ($RestartNeeded) { Write-Output 'Restart Windows for the registry change "
                   "to take effect.' }\n");
}

static void fix_ending(struct text_buf *t)
{
    text_printf(t, "if ($Left -gt 0) { Write-Output ('' + $Left + ' step(s) not done here: see "
                   "above'); exit 1 }\n");
}

/* One setting the detection reads: a statement that reads it (or NULL), the
 * PowerShell condition that it is right, and what it is now, for the line
 * that says it needs fixing. Profile settings cannot be read as SYSTEM in a
 * user's phonebook: they count as needing a fix, so that the remediation
 * runs and says in which context they can be fixed. */
static void need_if(struct text_buf *t, const char *id, bool profile, const char *read,
                    const char *ok, const char *now)
{
    text_printf(t, "    # %s\n", id);
    if (read)
        text_printf(t, "    %s\n", read);
    if (profile)
        text_printf(t,
                    "    if (-not $CanReadProfile) { New-L2fNeed '%s' ('cannot be read here: ' + "
                    "$WhyProfile) }\n",
                    id);
    text_printf(t, "    %sif (-not (%s)) { New-L2fNeed '%s' (%s) }\n", profile ? "else" : "", ok,
                id, now);
}

/* The detection's reading of one fix's setting; credentials cannot be read back. */
static void detect_rule(struct text_buf *t, enum fix_id f, bool ca)
{
    const char *id = fix_info(f)->id;
    switch (f) {
    case FIX_TUNNEL_L2TP:
        need_if(t, id, true, NULL, "$Vpn.TunnelType -eq 'L2tp'", "'TunnelType ' + $Vpn.TunnelType");
        break;
    case FIX_SWITCH_IKEV2:
        need_if(t, id, true, NULL, EAP_MSCHAPV2_RIGHT,
                "'TunnelType ' + $Vpn.TunnelType + ', AuthenticationMethod ' + "
                "(@($Vpn.AuthenticationMethod) -join ',') + ', EAP type ' + (Get-L2fEapType "
                "$Vpn.EapConfigXmlStream)");
        if (ca) /* reading the machine's root store needs no elevation */
            need_if(t, id, false, NULL,
                    "$null -ne (Get-Item -Path $CaPath -ErrorAction SilentlyContinue)",
                    "'root CA ' + $CaThumb + ' not in LocalMachine\\Root'");
        break;
    case FIX_MSCHAPV2:
        need_if(t, id, true, NULL, "(@($Vpn.AuthenticationMethod) -join ',') -eq 'MsChapv2'",
                "'AuthenticationMethod ' + (@($Vpn.AuthenticationMethod) -join ',')");
        break;
    case FIX_USE_PSK: /* the key itself cannot be read back: only that one is used */
        need_if(t, id, true, NULL, "$Vpn.L2tpIPsecAuth -eq 'Psk'",
                "'L2tpIPsecAuth ' + $Vpn.L2tpIPsecAuth");
        break;
    case FIX_LCP_EXTENSIONS:
        need_if(t, id, false, "$R = Get-L2fLcp", "$R -eq '1'", "'LcpExtensions ' + $R");
        break;
    case FIX_NAT_TRAVERSAL:
        need_if(t, id, false,
                "$R = $null; $Item = Get-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\"
                "Services\\PolicyAgent' -Name 'AssumeUDPEncapsulationContextOnSendRule' "
                "-ErrorAction SilentlyContinue\n    if ($null -ne $Item) { $R = "
                "$Item.'AssumeUDPEncapsulationContextOnSendRule' }",
                "$R -eq 2", "'AssumeUDPEncapsulationContextOnSendRule ' + (Show-L2f $R)");
        break;
    case FIX_ALLOW_IPSEC:
        need_if(t, id, false,
                "$R = $null; $Item = Get-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\"
                "Services\\RasMan\\Parameters' -Name 'ProhibitIpSec' -ErrorAction "
                "SilentlyContinue\n    if ($null -ne $Item) { $R = $Item.'ProhibitIpSec' }",
                "$R -eq 0 -or $null -eq $R", "'ProhibitIpSec ' + (Show-L2f $R)");
        break;
    case FIX_ALLOW_WEAK_CRYPTO:
        need_if(t, id, false,
                "$R = $null; $Item = Get-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\"
                "Services\\RasMan\\Parameters' -Name 'AllowL2TPWeakCrypto' -ErrorAction "
                "SilentlyContinue\n    if ($null -ne $Item) { $R = $Item.'AllowL2TPWeakCrypto' }",
                "$R -eq 1", "'AllowL2TPWeakCrypto ' + (Show-L2f $R)");
        break;
    case FIX_RESTART_IPSEC_SERVICES:
        need_if(t, id, false,
                "$R = @(@('IKEEXT', 'PolicyAgent') | Where-Object { (Get-Service -Name "
                "$_).Status -ne 'Running' })",
                "$R.Count -eq 0", "'not running: ' + ($R -join ', ')");
        break;
    default:
        break;
    }
}

/* LcpExtensions of the entry's main block, read as the lcp-extensions step
 * reads it: what the detection compares. */
static void lcp_reader(struct text_buf *t)
{
    text_printf(t, "function Get-L2fLcp {\n");
    text_printf(t, "    if (-not $Pbk -or -not (Test-Path -LiteralPath $Pbk -PathType Leaf)) { "
                   "return '(no phonebook)' }\n");
    text_printf(t, "    $In = $false\n    foreach ($Line in [IO.File]::ReadAllLines($Pbk)) {\n");
    text_printf(t, "        if ($Line -match '^[ \\t]*\\[') {\n            if ($In) { break }\n");
    text_printf(t, "            $In = $Line -match '^[ \\t]*\\[([^\\]]*)\\]' -and $Matches[1] "
                   "-ceq $Name\n            continue\n        }\n");
    text_printf(t, "        if (-not $In) { continue }\n");
    text_printf(t, "        if ($Line -cmatch '^[ \\t]*(NETCOMPONENTS|MEDIA|DEVICE|PhoneNumber)[ "
                   "\\t]*=') { break }\n");
    text_printf(t, "        if ($Line -cmatch '^[ \\t]*LcpExtensions[ \\t]*=[ \\t]*(.*?)[ \\t]*$') "
                   "{ return $Matches[1] }\n    }\n");
    text_printf(t, "    if ($In) { '(absent)' } else { '(no entry of that name)' }\n}\n");
}

/* Get-L2fNeeds: what the remediation would change, read only, one object
 * (Id, Now) per setting; and the helpers the summaries use. */
static void detect_functions(struct text_buf *t, const struct ps_request *r)
{
    const enum fix_id *fixes = r->fixes;
    size_t n = r->n;
    text_printf(t, "\n# What the remediation would change, read only\n");
    text_printf(t, "$CanReadProfile = $AllUsers -or $Context -ne 'SYSTEM'\n");
    text_printf(t, "function New-L2fNeed([string]$Id, [string]$Now) { [pscustomobject]@{ Id = "
                   "$Id; Now = $Now } }\n");
    text_printf(t, "function Show-L2f($V) { if ($null -eq $V) { '(absent)' } else { '' + $V } }\n");
    text_printf(t, "function Get-L2fCount([int]$N, [string]$One, [string]$Many) { if ($N -eq 1) "
                   "{ '1 ' + $One } else { '' + $N + ' ' + $Many } }\n");
    text_printf(t, "function Get-L2fIds($L) { @($L | ForEach-Object { $_.Id }) -join ', ' }\n");
    if (wanted(fixes, n, FIX_LCP_EXTENSIONS))
        lcp_reader(t);
    text_printf(t, "function Get-L2fNeeds {\n");
    if (wants_scope(fixes, n, PS_PROFILE))
        text_printf(t, "    $Vpn = $null\n    if ($CanReadProfile) { $Vpn = Get-VpnConnection "
                       "@Common }\n");
    for (int f = 0; f < FIX_COUNT; f++)
        if (wanted(fixes, n, (enum fix_id)f))
            detect_rule(t, (enum fix_id)f, r->ca != NULL);
    text_printf(t, "}\n");
}

/* Read only: whether the profile is here, then each setting; exit 1 when
 * the remediation would change something. */
static void detect_script(struct text_buf *t, const struct ps_request *r)
{
    phonebook_step(t, false);
    detect_functions(t, r);
    text_printf(t, "\n# No profile of that name here: nothing the remediation could fix\n");
    text_printf(t, "if ($CanReadProfile) { $Present = $null -ne (Get-VpnConnection @Common "
                   "-ErrorAction SilentlyContinue) }\nelse { $Present = $null -ne $Pbk }\n");
    text_printf(t, "if (-not $Present) {\n    Write-Output ('l2tpfix: no VPN profile ' + $Shown + "
                   "' on this machine: nothing to check')\n    exit 0\n}\n");
    text_printf(t, "$Needs = @(Get-L2fNeeds)\n");
    text_printf(t, "foreach ($N in $Needs) { Write-Output ($N.Id + ': needs fixing (' + $N.Now + "
                   "')') }\n");
    if (wanted(r->fixes, r->n, FIX_CREDENTIALS))
        text_printf(t, "Write-Output 'credentials: not checked (Windows never hands a saved "
                       "password back)'\n");
    text_printf(t, "if ($Needs.Count -eq 0) {\n    Write-Output ('l2tpfix: ' + $Shown + ' is "
                   "compliant')\n    exit 0\n}\n");
    text_printf(t, "Write-Output ('l2tpfix: ' + (Get-L2fCount $Needs.Count 'setting needs' "
                   "'settings need') + ' fixing on ' + $Shown + ': ' + (Get-L2fIds $Needs))\n");
    text_printf(t, "exit 1\n");
}

/* The fix steps between two detections: the summary says what was fixed,
 * what is still to fix, and exit 1 when anything is. */
static void remediate_script(struct text_buf *t, const struct ps_request *r)
{
    detect_functions(t, r);
    fix_steps(t, r, "\n$Before = @(Get-L2fNeeds)\n");
    text_printf(t, "\n$After = @(Get-L2fNeeds)\n");
    text_printf(t, "$Restart = ''\nif ($RestartNeeded) { $Restart = '; restart Windows for the "
                   "registry change' }\n");
    text_printf(t, "if ($WhatIfPreference) {\n    Write-Output ('l2tpfix: -WhatIf: ' + "
                   "(Get-L2fCount $Before.Count 'setting' 'settings') + ' would be fixed on ' + "
                   "$Shown + ': ' + (Get-L2fIds $Before))\n    exit 0\n}\n");
    text_printf(t, "if ($After.Count -gt 0) {\n    Write-Output ('l2tpfix: ' + (Get-L2fCount "
                   "$After.Count 'setting still needs' 'settings still need') + ' fixing on ' + "
                   "$Shown + ': ' + (Get-L2fIds $After) + ' (see above)')\n    exit 1\n}\n");
    text_printf(t, "if ($Left -gt 0) {\n    Write-Output ('l2tpfix: ' + (Get-L2fCount $Left "
                   "'step' 'steps') + ' not done here on ' + $Shown + ' (see above)')\n    exit "
                   "1\n}\n");
    text_printf(t, "if ($Before.Count -eq 0) { Write-Output ('l2tpfix: ' + $Shown + ' was "
                   "already compliant' + $Restart) }\n");
    text_printf(t, "else { Write-Output ('l2tpfix: fixed ' + (Get-L2fCount $Before.Count 'setting' "
                   "'settings') + ' on ' + $Shown + ': ' + (Get-L2fIds $Before) + $Restart) }\n");
    text_printf(t, "exit 0\n");
}

/* The profile itself: added when missing, else each setting compared and
 * only what differs set. The key cannot be read back: it is set on an
 * existing profile only when it uses no key yet, or with -UpdatePsk. */
static void create_profile_step(struct text_buf *t)
{
    text_printf(t, "\n# profile: L2TP/IPsec to $Server, pre-shared key, MS-CHAP v2 only, "
                   "encryption required\n");
    text_printf(t, "if (-not $CanProfile) { throw ('the profile is not created or changed here: ' "
                   "+ $WhyProfile + '; nothing changed') }\n");
    text_printf(t, "$Vpn = Get-VpnConnection @Common -ErrorAction SilentlyContinue\n");
    text_printf(t, "$NeedKey = $null -eq $Vpn -or $UpdatePsk -or $Vpn.L2tpIPsecAuth -ne 'Psk'\n");
    text_printf(t,
                "if ($NeedKey -and -not $L2tpPsk) { throw 'the profile needs its pre-shared key: "
                "-L2tpPsk KEY; nothing changed' }\n");
    text_printf(t, "if ($null -eq $Vpn) {\n    if ($PSCmdlet.ShouldProcess($Name, "
                   "'Add-VpnConnection')) {\n");
    text_printf(t, "        Add-VpnConnection @Common -ServerAddress $Server -TunnelType L2tp "
                   "-L2tpPsk $L2tpPsk -AuthenticationMethod MSChapv2 -EncryptionLevel Required "
                   "-RememberCredential:$RememberCredential -Force\n");
    text_printf(t, "        Write-Output 'profile: created'\n    }\n} else {\n    $Set = @{}\n");
    text_printf(t, "    if ($Vpn.ServerAddress -ne $Server) { $Set.ServerAddress = $Server }\n");
    text_printf(t, "    if ($Vpn.TunnelType -ne 'L2tp') { $Set.TunnelType = 'L2tp' }\n");
    text_printf(t, "    if ((@($Vpn.AuthenticationMethod) -join ',') -ne 'MsChapv2') { "
                   "$Set.AuthenticationMethod = 'MSChapv2' }\n");
    text_printf(t, "    if ($Vpn.EncryptionLevel -ne 'Required') { $Set.EncryptionLevel = "
                   "'Required' }\n");
    text_printf(t, "    if ([bool]$Vpn.RememberCredential -ne [bool]$RememberCredential) { "
                   "$Set.RememberCredential = [bool]$RememberCredential }\n");
    text_printf(t, "    if ($NeedKey) { $Set.L2tpPsk = $L2tpPsk }\n");
    text_printf(t, "    $What = @($Set.Keys | Sort-Object) -join ', '\n");
    text_printf(t, "    if ($Set.Count -eq 0) { Write-Output 'profile: already set' }\n");
    text_printf(t, "    elseif ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection ' + $What)) {\n"
                   "        Set-VpnConnection @Common @Set -Force\n"
                   "        Write-Output ('profile: corrected (' + $What + ')')\n    }\n}\n");
}

/* The profile, then its LcpExtensions line (once it exists: not under
 * -WhatIf on a machine without it), then NAT-T when asked. */
static enum l2f_status create_script(struct text_buf *t, const struct ps_request *r)
{
    create_profile_step(t);
    phonebook_step(t, true);
    text_printf(t, "$Exists = $null -ne (Get-VpnConnection @Common -ErrorAction "
                   "SilentlyContinue)\n");
    struct text_buf b = {0};
    lcp_step(&b);
    if (!b.failed)
        guarded_block(t, "$Exists",
                      "Write-Output 'lcp-extensions: set once the profile exists (not under "
                      "-WhatIf)'",
                      b.s);
    t->failed |= b.failed;
    free(b.s);
    if (r->nat_t)
        fix_step(t, FIX_NAT_TRAVERSAL);
    text_printf(t, "\nif ($RestartNeeded) { Write-Output 'Restart Windows for the registry change "
                   "to take effect.' }\n");
    fix_ending(t);
    return L2F_OK;
}

/* The header's comment lines: what the script does, its contract. */
static void script_header(struct text_buf *t, const struct ps_request *r)
{
    static const char *const does[] = {
        [PS_FIX] = "Applies, to one VPN profile on this machine:",
        [PS_DETECT] = "Detection script (Intune Remediations, ConfigMgr, RMM): reads, on one "
                      "VPN profile,\n# and changes nothing:",
        [PS_REMEDIATE] = "Remediation script (Intune Remediations, ConfigMgr, RMM): applies, "
                         "to one VPN profile\n# on this machine:",
        [PS_CREATE] = "Creates one L2TP/IPsec VPN profile on this machine, or corrects it",
    };
    text_printf(t, "# Generated by l2tpfix %s. %s", r->version, does[r->mode]);
    if (r->mode == PS_CREATE)
        text_printf(t, ",\n# then its LcpExtensions line%s",
                    r->nat_t ? " and the NAT-T value" : "");
    for (int f = 0; r->mode != PS_CREATE && f < FIX_COUNT; f++)
        if (wanted(r->fixes, r->n, (enum fix_id)f))
            text_printf(t, " %s", fix_info((enum fix_id)f)->id);
    text_printf(t, ".\n");
    if (r->mode == PS_DETECT)
        text_printf(t, "# Exit 1: the remediation would change something (or a setting cannot be "
                       "read here, or an\n# error: the remediation then says why); exit 0: "
                       "compliant, or no such profile here (the\n# remediation cannot create "
                       "it: running it would only fail). The last line is a summary.\n");
    else
        text_printf(t, "# Each step looks first and changes nothing that is already right; -WhatIf "
                       "shows what it\n"
                       "# would do. It holds no secret: a key or password comes as a parameter "
                       "when it runs.\n");
    if (r->mode == PS_FIX || r->mode == PS_CREATE)
        text_printf(t, "# Exit 0: every step done or already right; 1: a step left for another "
                       "context (it says which).\n");
    if (r->mode == PS_FIX && r->ca)
        text_printf(t, "# With -Undo it only removes the root CA it imported (if it did) from "
                       "LocalMachine\\Root.\n");
    if (r->mode == PS_REMEDIATE)
        text_printf(t, "# Exit 0: fixed, or already compliant; 1: a step failed or was left for "
                       "another context.\n# The last line is a summary.\n");
}

/* param(...): only the parameters a step of this script reads. */
static void script_params(struct text_buf *t, const struct ps_request *r)
{
    text_printf(t, "[CmdletBinding(SupportsShouldProcess = $true)]\nparam(");
    if (r->mode == PS_CREATE) {
        text_printf(t, "\n    [string]$L2tpPsk, # the pre-shared key: to create the profile, or "
                       "with -UpdatePsk\n"
                       "    [switch]$RememberCredential, # Windows keeps the user's credentials "
                       "after the first connection\n"
                       "    [switch]$UpdatePsk # set the key on an existing profile too (a saved "
                       "key cannot be read back)\n)\n");
        return;
    }
    bool psk = r->mode != PS_DETECT && wanted(r->fixes, r->n, FIX_USE_PSK);
    bool cred = r->mode != PS_DETECT && wanted(r->fixes, r->n, FIX_CREDENTIALS);
    bool undo = r->mode == PS_FIX && r->ca;
    /* each: its declaration and a comment (or NULL) */
    const char *decl[4][2];
    size_t k = 0;
    if (psk)
        decl[k][0] = "[string]$L2tpPsk", decl[k++][1] = "use-psk: the pre-shared key";
    if (cred) {
        decl[k][0] = "[string]$UserName", decl[k++][1] = "credentials";
        decl[k][0] = "[string]$Password", decl[k++][1] = NULL;
    }
    if (undo)
        decl[k][0] = "[switch]$Undo",
        decl[k++][1] = "remove the root CA again, only if this script imported it";
    for (size_t i = 0; i < k; i++)
        text_printf(t, "\n    %s%s%s%s", decl[i][0],
                    i + 1 < k    ? ","
                    : decl[i][1] ? " "
                                 : "",
                    decl[i][1] ? " # " : "", decl[i][1] ? decl[i][1] : "");
    text_printf(t, "%s)\n", k ? "\n" : "");
}

/* The summary lines' trap: an error ends the script with a one-line summary
 * on the output (Intune shows the last line; an error record on stderr would
 * make it a script error without it). */
static void summary_trap(struct text_buf *t, const char *what)
{
    text_printf(t, "$Shown = \"'\" + ($Name -replace '[\\x00-\\x1f\\x7f]', ' ') + \"'\"\n");
    text_printf(t,
                "trap {\n    Write-Output ('l2tpfix: %s ' + $Shown + ': ' + "
                "($_.Exception.Message -replace '[\\r\\n]+', ' '))\n    exit 1\n}\n",
                what);
}

/* The variables every script has, and what its steps need, checked before
 * any of them runs: nothing half-applied. */
static void script_prelude(struct text_buf *t, const struct ps_request *r, const char *name)
{
    bool all = r->phonebook == PHONEBOOK_ALLUSERS;
    text_printf(t, "$ErrorActionPreference = 'Stop'\n");
    text_printf(t, "$Name = %s\n", name);
    text_printf(t, "$Common = @{ Name = $Name }\n");
    if (all)
        text_printf(t, "$Common.AllUserConnection = $true\n");
    if (r->mode == PS_DETECT)
        summary_trap(t, "could not check");
    if (r->mode == PS_REMEDIATE)
        summary_trap(t, "remediation failed on");
    if (r->mode != PS_DETECT) {
        text_printf(t, "$BackupDir = Join-Path $env:ProgramData 'l2tpfix\\backups'\n");
        text_printf(t, "New-Item -ItemType Directory -Force -Path $BackupDir | Out-Null\n");
        text_printf(t, "$RestartNeeded = $false\n");
    }
    if (r->mode != PS_FIX && r->mode != PS_REMEDIATE)
        return;
    if (wanted(r->fixes, r->n, FIX_USE_PSK))
        text_printf(t,
                    "if (-not $L2tpPsk) { throw 'use-psk needs -L2tpPsk KEY; nothing changed' }\n");
    if (wanted(r->fixes, r->n, FIX_CREDENTIALS))
        text_printf(t, "if (-not $UserName -or -not $Password) { throw 'credentials needs "
                       "-UserName and -Password; "
                       "nothing changed' }\n");
}

static enum l2f_status script_body(struct text_buf *t, const struct ps_request *r)
{
    switch (r->mode) {
    case PS_FIX:
        fix_steps(t, r, "");
        fix_ending(t);
        return L2F_OK;
    case PS_DETECT:
        detect_script(t, r);
        return L2F_OK;
    case PS_REMEDIATE:
        remediate_script(t, r);
        return L2F_OK;
    case PS_CREATE:
        return create_script(t, r);
    }
    return L2F_ERR_USAGE;
}

/* What the request can ask: a detection wants one VPN type, a profile needs a server. */
static enum l2f_status request_fits(const struct ps_request *r, struct l2f_err *err)
{
    if ((r->mode == PS_DETECT || r->mode == PS_REMEDIATE) &&
        wanted(r->fixes, r->n, FIX_TUNNEL_L2TP) && wanted(r->fixes, r->n, FIX_SWITCH_IKEV2)) {
        l2f_err_set(err, "tunnel-l2tp and switch-ikev2 want different VPN types: a detection "
                         "or remediation takes one of them");
        return L2F_ERR_USAGE;
    }
    if (r->ca && (r->mode == PS_CREATE || !wanted(r->fixes, r->n, FIX_SWITCH_IKEV2))) {
        l2f_err_set(err, "--ca-file: only switch-ikev2 imports a CA, and it is not among the "
                         "fixes of this script");
        return L2F_ERR_USAGE;
    }
    if (r->mode == PS_CREATE && (!r->server || !r->server[0])) {
        l2f_err_set(err, "a profile to create needs its server (--server HOST)");
        return L2F_ERR_USAGE;
    }
    return L2F_OK;
}

enum l2f_status ps_script_for(const struct ps_request *r, char **out, struct l2f_err *err)
{
    *out = NULL;
    enum l2f_status st = request_fits(r, err);
    if (st != L2F_OK)
        return st;
    char *name = ps_name_expr(r->profile);
    char *server = r->mode == PS_CREATE ? ps_name_expr(r->server) : NULL;
    if (!name || (r->mode == PS_CREATE && !server)) {
        l2f_err_set(err, "the %s is not valid UTF-8 (or memory ran out): it cannot be scripted",
                    name ? "server name" : "profile name");
        free(name);
        free(server);
        return L2F_ERR_USAGE;
    }
    struct text_buf t = {0};
    /* the name appears only inside its literal: never in a comment, where a
     * line break in it would end the comment and start code */
    script_header(&t, r);
    script_params(&t, r);
    script_prelude(&t, r, name);
    if (server)
        text_printf(&t, "$Server = %s\n", server);
    context_prelude(&t, r->phonebook == PHONEBOOK_ALLUSERS);
    if (r->mode != PS_CREATE && wanted(r->fixes, r->n, FIX_SWITCH_IKEV2))
        eap_reader(&t);
    if (r->ca)
        ca_prelude(&t, r->ca, r->mode);
    st = script_body(&t, r);
    free(name);
    free(server);
    if (st == L2F_OK && t.failed)
        st = L2F_ERR_NOMEM;
    if (st != L2F_OK) {
        free(t.s);
        return st;
    }
    *out = t.s;
    return L2F_OK;
}

enum l2f_status ps_script(const char *profile, enum phonebook_kind phonebook,
                          const enum fix_id *fixes, size_t n, const char *version, char **out,
                          struct l2f_err *err)
{
    struct ps_request r = {.mode = PS_FIX,
                           .profile = profile,
                           .phonebook = phonebook,
                           .fixes = fixes,
                           .n = n,
                           .version = version};
    return ps_script_for(&r, out, err);
}
