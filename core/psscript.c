#include "psscript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

bool ps_quote(const char *s, char *buf, size_t len)
{
    size_t n = 0;
#define PUT(c)                 \
    do {                       \
        if (n + 1 >= len)      \
            return false;      \
        buf[n++] = (char)(c);  \
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
static void registry_step(struct text_buf *t, const char *id, const char *key, const char *value, int want,
                          bool absent_is_right)
{
    text_printf(t, "\n# %s: %s = %d (HKLM\\%s), after a backup of the key\n", id, value, want, key);
    text_printf(t, "$key = 'HKLM:\\%s'\n", key);
    text_printf(t, "$now = (Get-ItemProperty -Path $key -Name '%s' -ErrorAction SilentlyContinue).'%s'\n", value, value);
    text_printf(t, "if ($now -eq %d%s) {\n    Write-Output '%s: already set'\n", want, absent_is_right ? " -or $null -eq $now" : "",
        id);
    text_printf(t, "} elseif ($PSCmdlet.ShouldProcess('HKLM\\%s', 'set %s to %d')) {\n", key, value, want);
    text_printf(t, "    $backup = Join-Path $BackupDir ('%s-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.reg')\n", id);
    text_printf(t, "    & reg.exe export 'HKLM\\%s' $backup /y | Out-Null\n", key);
    text_printf(t, "    if ($LASTEXITCODE -ne 0) { throw '%s: the backup (reg export) failed; nothing changed' }\n", id);
    text_printf(t, "    New-ItemProperty -Path $key -Name '%s' -PropertyType DWord -Value %d -Force | Out-Null\n", value, want);
    text_printf(t, "    $RestartNeeded = $true\n");
    text_printf(t, "    Write-Output ('%s: done (backup: ' + $backup + ')')\n}\n", id);
}

/* No cmdlet has LcpExtensions: its line in the entry's main block of the
 * phonebook (MS-RRASM 2.2.2), rewritten where it is, else added after the
 * block's last key, so before the first sub-block, as pbk_set does; every
 * other byte kept (line endings and a BOM included). */
static void lcp_step(struct text_buf *t, bool all)
{
    text_printf(
        t, "\n# lcp-extensions: LcpExtensions=1 in the main block of the entry's section of the "
           "phonebook\n"
           "# file, before its first sub-block (NETCOMPONENTS=, MEDIA=, DEVICE=, PhoneNumber=)\n");
    text_printf(t, "$Pbk = Join-Path %s 'Microsoft\\Network\\Connections\\Pbk\\rasphone.pbk'\n",
                all ? "$env:ProgramData" : "$env:APPDATA");
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

enum l2f_status ps_script(const char *profile, enum phonebook_kind phonebook, const enum fix_id *fixes, size_t n,
                          const char *version, char **out, struct l2f_err *err)
{
    *out = NULL;
    size_t qlen = strlen(profile) * 6 + 3;
    char *name = malloc(qlen);
    if (!name)
        return L2F_ERR_NOMEM;
    if (!ps_quote(profile, name, qlen)) {
        free(name);
        l2f_err_set(err, "the profile name cannot be quoted");
        return L2F_ERR_USAGE;
    }
    struct text_buf t = {0};
    bool all = phonebook == PHONEBOOK_ALLUSERS;
    /* the name appears only inside its literal: never in a comment, where a
     * line break in it would end the comment and start code */
    text_printf(&t, "# Generated by l2tpfix %s. Applies, to one VPN profile on this machine:", version);
    for (int f = 0; f < FIX_COUNT; f++)
        if (wanted(fixes, n, (enum fix_id)f))
            text_printf(&t, " %s", fix_info((enum fix_id)f)->id);
    text_printf(&t, ".\n# Each step looks first and changes nothing that is already right; -WhatIf shows what it\n"
            "# would do. It holds no secret: a key or password comes as a parameter when it runs.\n");
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
        text_printf(&t, "if (-not $L2tpPsk) { throw 'use-psk needs -L2tpPsk KEY; nothing changed' }\n");
    if (cred)
        text_printf(&t, "if (-not $UserName -or -not $Password) { throw 'credentials needs -UserName and -Password; "
                "nothing changed' }\n");
    text_printf(&t, "$Vpn = Get-VpnConnection @Common\n");

    if (wanted(fixes, n, FIX_TUNNEL_L2TP)) {
        text_printf(&t, "\n# tunnel-l2tp: the VPN type L2TP/IPsec\n");
        text_printf(&t, "if ($Vpn.TunnelType -eq 'L2tp') {\n    Write-Output 'tunnel-l2tp: already set'\n");
        text_printf(&t, "} elseif ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection -TunnelType L2tp')) {\n");
        text_printf(&t, "    Set-VpnConnection @Common -TunnelType L2tp -Force\n    Write-Output 'tunnel-l2tp: done'\n}\n");
    }
    if (wanted(fixes, n, FIX_MSCHAPV2)) {
        text_printf(&t, "\n# mschapv2: allow MS-CHAP v2 (and only it: EAP off)\n");
        text_printf(&t, "if ((@($Vpn.AuthenticationMethod) -join ',') -eq 'MsChapv2') {\n"
                "    Write-Output 'mschapv2: already set'\n");
        text_printf(&t, "} elseif ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection -AuthenticationMethod MSChapv2')) {\n");
        text_printf(&t, "    Set-VpnConnection @Common -AuthenticationMethod MSChapv2 -Force\n"
                "    Write-Output 'mschapv2: done'\n}\n");
    }
    if (wanted(fixes, n, FIX_USE_PSK)) {
        text_printf(&t, "\n# use-psk: authenticate IPsec with the pre-shared key given (a saved key cannot be read\n"
                "# back to compare, so this step always sets it)\n");
        text_printf(&t, "if ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection -L2tpPsk')) {\n");
        text_printf(&t, "    Set-VpnConnection @Common -L2tpPsk $L2tpPsk -Force\n    Write-Output 'use-psk: done'\n}\n");
    }
    if (wanted(fixes, n, FIX_CREDENTIALS)) {
        text_printf(&t, "\n# credentials: save the user name and password with the profile\n");
        text_printf(&t, "if ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnectionUsernamePassword')) {\n");
        text_printf(&t, "    Set-VpnConnectionUsernamePassword -ConnectionName $Name -UserName $UserName "
                "-Password $Password%s\n",
            all ? " -AllUserConnection" : "");
        text_printf(&t, "    Write-Output 'credentials: done'\n}\n");
    }
    if (wanted(fixes, n, FIX_LCP_EXTENSIONS))
        lcp_step(&t, all);
    if (wanted(fixes, n, FIX_NAT_TRAVERSAL))
        registry_step(&t, "nat-traversal", "SYSTEM\\CurrentControlSet\\Services\\PolicyAgent",
                      "AssumeUDPEncapsulationContextOnSendRule", 2, false);
    if (wanted(fixes, n, FIX_ALLOW_IPSEC))
        registry_step(&t, "allow-ipsec", "SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters", "ProhibitIpSec",
                      0, true);
    if (wanted(fixes, n, FIX_RESTART_IPSEC_SERVICES)) {
        text_printf(&t, "\n# restart-ipsec-services: IKEEXT and PolicyAgent running (a disabled one set to Manual)\n");
        text_printf(&t, "foreach ($Svc in 'IKEEXT', 'PolicyAgent') {\n");
        text_printf(&t, "    $S = Get-Service -Name $Svc\n");
        text_printf(&t, "    if ($S.Status -eq 'Running') { Write-Output ('restart-ipsec-services: ' + $Svc + ' already "
                "running'); continue }\n");
        text_printf(&t, "    if ($PSCmdlet.ShouldProcess($Svc, 'start')) {\n");
        text_printf(&t, "        if ($S.StartType -eq 'Disabled') { Set-Service -Name $Svc -StartupType Manual }\n");
        text_printf(&t, "        Start-Service -Name $Svc\n");
        text_printf(&t, "        Write-Output ('restart-ipsec-services: ' + $Svc + ' started')\n    }\n}\n");
    }
    if (wanted(fixes, n, FIX_SWITCH_IKEV2)) {
        text_printf(&t, "\n# switch-ikev2: IKEv2 instead of L2TP (only where the server offers it)\n");
        text_printf(&t, "if ($Vpn.TunnelType -eq 'Ikev2') {\n    Write-Output 'switch-ikev2: already set'\n");
        text_printf(&t, "} elseif ($PSCmdlet.ShouldProcess($Name, 'Set-VpnConnection -TunnelType Ikev2')) {\n");
        text_printf(&t, "    Set-VpnConnection @Common -TunnelType Ikev2 -Force\n    Write-Output 'switch-ikev2: done'\n}\n");
    }
    text_printf(&t, "\nif ($RestartNeeded) { Write-Output 'Restart Windows for the registry change to take effect.' }\n");
    free(name);
    if (t.failed) {
        free(t.s);
        return L2F_ERR_NOMEM;
    }
    *out = t.s;
    return L2F_OK;
}
