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
    text_printf(
        t, "$now = (Get-ItemProperty -Path $key -Name '%s' -ErrorAction SilentlyContinue).'%s'\n",
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
 * --all-users does, and its owner named. */
static void phonebook_step(struct text_buf *t)
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
    text_printf(t, "    if ($Books.Count -eq 0) { throw ('no local user''s phonebook has the "
                   "profile ' + $Name + '; "
                   "nothing changed') }\n");
    text_printf(t, "    if ($Books.Count -gt 1) { throw ('the users ' + (@($Books | ForEach-Object "
                   "{ $_.Owner }) -join "
                   "', ') + ' each have a profile of this name: run the script as the one meant; "
                   "nothing changed') }\n");
    text_printf(t, "    $Pbk = $Books[0].Path\n");
    text_printf(t, "    Write-Output ('the profile is in the phonebook of ' + $Books[0].Owner + ': "
                   "' + $Pbk)\n}\n");
}

/* Appends body to t as the step of fix id, run only where its scope can be:
 * its leading comment lines first, then the rest inside the guard. */
static void guarded_step(struct text_buf *t, const char *id, enum ps_scope scope, const char *body)
{
    const char *p = body;
    while (*p == '\n' || *p == '#') {
        const char *eol = strchr(p, '\n');
        p = eol ? eol + 1 : p + strlen(p);
    }
    text_printf(t, "%.*s", (int)(p - body), body);
    text_printf(
        t, "if (-not %s) {\n    Write-Output ('%s: not done here: ' + %s); $Left++\n} else {\n",
        scope_can[scope], id, scope_why[scope]);
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
        vpn_setting_step(&b, "switch-ikev2",
                         "IKEv2 instead of L2TP (only where the server offers it)",
                         "$Vpn.TunnelType -eq 'Ikev2'", "-TunnelType Ikev2");
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

enum l2f_status ps_script(const char *profile, enum phonebook_kind phonebook,
                          const enum fix_id *fixes, size_t n, const char *version, char **out,
                          struct l2f_err *err)
{
    *out = NULL;
    char *name = ps_name_expr(profile);
    if (!name) {
        l2f_err_set(
            err, "the profile name is not valid UTF-8 (or memory ran out): it cannot be scripted");
        return L2F_ERR_USAGE;
    }
    struct text_buf t = {0};
    bool all = phonebook == PHONEBOOK_ALLUSERS;
    /* the name appears only inside its literal: never in a comment, where a
     * line break in it would end the comment and start code */
    text_printf(&t,
                "# Generated by l2tpfix %s. Applies, to one VPN profile on this machine:", version);
    for (int f = 0; f < FIX_COUNT; f++)
        if (wanted(fixes, n, (enum fix_id)f))
            text_printf(&t, " %s", fix_info((enum fix_id)f)->id);
    text_printf(
        &t, ".\n# Each step looks first and changes nothing that is already right; -WhatIf shows "
            "what it\n"
            "# would do. It holds no secret: a key or password comes as a parameter when it runs.\n"
            "# Exit 0: every step done or already right; 1: a step left for another context (it "
            "says which).\n");
    /* only the parameters a step of this script reads */
    bool psk = wanted(fixes, n, FIX_USE_PSK), cred = wanted(fixes, n, FIX_CREDENTIALS);
    text_printf(&t, "[CmdletBinding(SupportsShouldProcess = $true)]\nparam(");
    if (psk)
        text_printf(&t, "\n    [string]$L2tpPsk%s # use-psk: the pre-shared key", cred ? "," : " ");
    if (cred)
        text_printf(&t, "\n    [string]$UserName, # credentials\n    [string]$Password");
    text_printf(&t, "%s)\n", psk || cred ? "\n" : "");
    text_printf(&t, "$ErrorActionPreference = 'Stop'\n");
    text_printf(&t, "$Name = %s\n", name);
    text_printf(&t, "$Common = @{ Name = $Name }\n");
    if (all)
        text_printf(&t, "$Common.AllUserConnection = $true\n");
    text_printf(&t, "$BackupDir = Join-Path $env:ProgramData 'l2tpfix\\backups'\n");
    text_printf(&t, "New-Item -ItemType Directory -Force -Path $BackupDir | Out-Null\n");
    text_printf(&t, "$RestartNeeded = $false\n");
    /* what the steps need, before any of them runs: nothing half-applied */
    if (psk)
        text_printf(&t,
                    "if (-not $L2tpPsk) { throw 'use-psk needs -L2tpPsk KEY; nothing changed' }\n");
    if (cred)
        text_printf(&t, "if (-not $UserName -or -not $Password) { throw 'credentials needs "
                        "-UserName and -Password; "
                        "nothing changed' }\n");
    context_prelude(&t, all);
    if (wanted(fixes, n, FIX_LCP_EXTENSIONS) || wanted(fixes, n, FIX_CREDENTIALS))
        phonebook_step(&t);
    if (wants_scope(fixes, n, PS_PROFILE))
        text_printf(&t, "$Vpn = $null\nif ($CanProfile) { $Vpn = Get-VpnConnection @Common }\n");

    /* this order whatever the caller's: the VPN type before what depends on it,
     * the alternative (IKEv2) last */
    static const enum fix_id order[] = {
        FIX_TUNNEL_L2TP,    FIX_MSCHAPV2,      FIX_USE_PSK,     FIX_CREDENTIALS,
        FIX_LCP_EXTENSIONS, FIX_NAT_TRAVERSAL, FIX_ALLOW_IPSEC, FIX_RESTART_IPSEC_SERVICES,
        FIX_SWITCH_IKEV2};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (wanted(fixes, n, order[i]))
            fix_step(&t, order[i]);
    text_printf(&t, "\nif ($RestartNeeded) { Write-Output 'Restart Windows for the registry change "
                    "to take effect.' }\n");
    text_printf(&t, "if ($Left -gt 0) { Write-Output ('' + $Left + ' step(s) not done here: see "
                    "above'); exit 1 }\n");
    free(name);
    if (t.failed) {
        free(t.s);
        return L2F_ERR_NOMEM;
    }
    *out = t.s;
    return L2F_OK;
}
