# What the script tests share: generating a script with the real binary,
# setting up a simulated broken machine, running a script on it, and the
# rule per fix of what "fixed" means there.

$Registry = @{
    Nat   = 'HKLM:\SYSTEM\CurrentControlSet\Services\PolicyAgent'
    Ipsec = 'HKLM:\SYSTEM\CurrentControlSet\Services\RasMan\Parameters'
}

# l2tpfix ARGS, with every argument passed as it is (names with quotes or line
# breaks included) and stdout kept byte for byte.
function Invoke-L2tpfix([string[]]$Arguments) {
    $Psi = New-Object System.Diagnostics.ProcessStartInfo $env:L2F_BIN
    foreach ($A in @('--state-dir', (Join-Path $env:L2F_PS_WORK 'state')) + $Arguments) { $Psi.ArgumentList.Add($A) }
    $Psi.RedirectStandardOutput = $true; $Psi.RedirectStandardError = $true; $Psi.UseShellExecute = $false
    $Psi.StandardOutputEncoding = [Text.Encoding]::UTF8
    $P = [System.Diagnostics.Process]::Start($Psi)
    $ErrTask = $P.StandardError.ReadToEndAsync()
    $Out = $P.StandardOutput.ReadToEnd()
    $P.WaitForExit()
    [pscustomobject]@{ Out = $Out; Err = $ErrTask.Result; Exit = $P.ExitCode }
}

# The fix ids the binary knows, from its own error message for an unknown one.
function Get-L2fFixIds {
    $R = Invoke-L2tpfix @('script', '--fix', 'no-such-fix', '--profile', 'X')
    if ($R.Err -notmatch '\(there are: ([^)]*)\)') { throw "no list of fixes in: $($R.Err)" }
    @($Matches[1].Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne 'all' })
}

function Get-L2fScenarios {
    $R = Invoke-L2tpfix @('scenarios')
    @($R.Out -split "`n" | Where-Object { $_ -match '^([a-z0-9-]+)\s{2,}' } | ForEach-Object { ($_ -split '\s+')[0] })
}

# Every script `script` can write: per scenario (--demo, and --mock on a copy of
# its file, a profile at a time where it has several) and per fix (--fix, in the
# user's and the all-users phonebook). Each with the fixes its header lists.
function Get-L2fScriptCases {
    $Cases = @()
    foreach ($S in Get-L2fScenarios) {
        $Ini = Join-Path $env:L2F_SCENARIOS "$S.ini"
        $Copy = Join-Path $env:L2F_PS_WORK "mock-$S.ini"
        Copy-Item -LiteralPath $Ini -Destination $Copy -Force
        foreach ($How in @(@("--demo=$S"), @('--mock', $Copy))) {
            $R = Invoke-L2tpfix ($How + 'script')
            $Profiles = @($null)
            if ($R.Exit -ne 0 -and $R.Err -match 'choose one with --profile NAME: (.*)$') {
                $Profiles = @([regex]::Matches($Matches[1], "'([^']*)'") | ForEach-Object { $_.Groups[1].Value })
            }
            foreach ($Pr in $Profiles) {
                $A = if ($Pr) { $How + @('--profile', $Pr, 'script') } else { $How + 'script' }
                $Book = Get-L2fScenarioProfile $Ini $Pr
                $Cases += @{ Label = ($A -join ' ').Replace($env:L2F_PS_WORK, '.'); Arguments = $A; Scenario = $Ini
                    ProfileName = $Book.Name; AllUsers = $Book.AllUsers }
            }
        }
    }
    foreach ($F in Get-L2fFixIds) {
        $Cases += @{ Label = "script --fix $F"; Arguments = @('script', '--fix', $F, '--profile', 'Office VPN'); Scenario = $null
            ProfileName = 'Office VPN'; AllUsers = $false }
        $Cases += @{ Label = "script --fix $F --all-users"; Arguments = @('script', '--fix', $F, '--profile', 'Office VPN', '--all-users')
            Scenario = $null; ProfileName = 'Office VPN'; AllUsers = $true }
    }
    $Cases
}

# A scenario's profile (the one named, else its first) and whether it is in the all-users phonebook.
function Get-L2fScenarioProfile([string]$Ini, [string]$Name) {
    $Cur = $null; $Found = $null; $All = $false
    foreach ($L in Get-Content -LiteralPath $Ini) {
        if ($L -match '^\[profile "(.*)"\]') { if ($Found) { break }; $Cur = $Matches[1]; if (-not $Name -or $Cur -ceq $Name) { $Found = $Cur }; continue }
        if ($L -match '^\[') { $Cur = $null; continue }
        if ($Found -and $Cur -ceq $Found -and $L -match '^\s*phonebook\s*=\s*allusers') { $All = $true }
    }
    @{ Name = $Found; AllUsers = $All }
}

# The script's text, its file, the fixes its header names, its profile and phonebook.
function New-L2fScript([string[]]$Arguments, [string]$Dir) {
    $R = Invoke-L2tpfix $Arguments
    if ($R.Exit -eq 1 -and $R.Err -match 'nothing to script') { return $null }
    if ($R.Exit -ne 0) { throw "l2tpfix $($Arguments -join ' ') exited $($R.Exit): $($R.Err)" }
    $Path = Join-Path $Dir ('fix-' + [guid]::NewGuid() + '.ps1')
    [IO.File]::WriteAllText($Path, $R.Out, (New-Object Text.UTF8Encoding $false))
    $Fixes = @()
    if ($R.Out -match 'on this machine:([^.\r\n]*)\.') { $Fixes = @($Matches[1].Trim().Split(' ') | Where-Object { $_ }) }
    [pscustomobject]@{ Path = $Path; Text = $R.Out; Fixes = $Fixes }
}

# A phonebook sample with its first entry renamed; every other byte as it is.
function Copy-L2fPhonebook([string]$Sample, [string]$Dest, [string]$Entry) {
    New-Item -ItemType Directory -Force -Path (Split-Path $Dest) | Out-Null
    $Bytes = [IO.File]::ReadAllBytes($Sample)
    if ($Entry) {
        $Text = [Text.Encoding]::UTF8.GetString($Bytes)
        $Text = ([regex]'(?m)^\[[^\]\r\n]*\]').Replace($Text, { param($M) '[' + $Entry + ']' }, 1)
        $Bytes = [Text.Encoding]::UTF8.GetBytes($Text)
    }
    [IO.File]::WriteAllBytes($Dest, $Bytes)
}

function Get-L2fUserPbk([string]$Root, [string]$User) {
    Join-Path $Root "Users/$User/AppData/Roaming/Microsoft/Network/Connections/Pbk/rasphone.pbk"
}

# A machine where every fix has something to do: the profile on Automatic with
# EAP only, LcpExtensions=0, the NAT value absent, ProhibitIpSec=1, IKEEXT
# disabled and PolicyAgent stopped. Identity: System, Admin or User; the
# profile in alice's phonebook (or Owner's), or the all-users one.
function Initialize-L2fMachine([string]$Name = 'Office VPN', [switch]$AllUsers, [string]$Identity = 'Admin',
    [string]$Owner = 'alice', [string]$Sample = (Join-Path $env:L2F_PBK_DIR 'user-l2tp.pbk'), [switch]$NoProfile) {
    Reset-L2fMock
    $L2fMock.Identity = $Identity
    $L2fMock.UserName = if ($Identity -eq 'System') { 'SYSTEM' } else { 'alice' }
    $Root = Join-Path $env:L2F_PS_WORK ([guid]::NewGuid().ToString('N').Substring(0, 8))
    $env:SystemDrive = $Root
    $env:ProgramData = Join-Path $Root 'ProgramData'
    $env:APPDATA = if ($Identity -eq 'System') { Join-Path $Root 'Windows/System32/config/systemprofile/AppData/Roaming' }
    else { Join-Path $Root 'Users/alice/AppData/Roaming' }
    New-Item -ItemType Directory -Force -Path $env:ProgramData, $env:APPDATA | Out-Null
    $Pbk = if ($AllUsers) { Join-Path $env:ProgramData 'Microsoft/Network/Connections/Pbk/rasphone.pbk' }
    else { Get-L2fUserPbk $Root $Owner }
    if (-not $NoProfile) {
        Copy-L2fPhonebook $Sample $Pbk $Name
        Add-L2fMockVpn $(if ($AllUsers) { 'AllUsers' } else { $Owner }) $Name @{
            TunnelType = 'Automatic'; AuthenticationMethod = @('Eap'); L2tpIPsecAuth = 'Certificate' }
    }
    $L2fMock.Registry[$Registry.Nat] = @{}
    $L2fMock.Registry[$Registry.Ipsec] = @{ ProhibitIpSec = 1 }
    $L2fMock.Services['IKEEXT'] = @{ Status = 'Stopped'; StartType = 'Disabled' }
    $L2fMock.Services['PolicyAgent'] = @{ Status = 'Stopped'; StartType = 'Manual' }
    [pscustomobject]@{ Root = $Root; Pbk = $Pbk; Name = $Name; AllUsers = [bool]$AllUsers; Owner = $Owner }
}

# Runs a script in this session (so under the mock and this strict mode);
# its output as text and its exit code.
function Invoke-L2fScript([string]$Path, [hashtable]$Params = @{}, [switch]$WhatIf) {
    # here, not in a BeforeAll: strict mode holds in the scope that sets it and its children
    Set-StrictMode -Version Latest
    $global:LASTEXITCODE = 0
    $Out = & $Path @Params -WhatIf:$WhatIf *>&1 | Out-String
    [pscustomobject]@{ Out = $Out; Exit = $global:LASTEXITCODE }
}

# What the machine looks like: to compare before and after.
function Get-L2fState($Machine) {
    $Vpn = foreach ($Book in $L2fMock.Vpn.Keys) { foreach ($P in $L2fMock.Vpn[$Book].Values) {
            "$Book/$($P.Name): " + (($P.Keys | Sort-Object | ForEach-Object { "$_=$($P[$_] -join ',')" }) -join ';') } }
    $Reg = foreach ($K in $L2fMock.Registry.Keys) { "$K=" + (($L2fMock.Registry[$K].GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name):$($_.Value)" }) -join ',') }
    $Svc = foreach ($K in $L2fMock.Services.Keys) { "$K=$($L2fMock.Services[$K].Status)/$($L2fMock.Services[$K].StartType)" }
    $Files = Get-ChildItem -Recurse -File -LiteralPath $Machine.Root | ForEach-Object {
        $_.FullName + '=' + [Convert]::ToBase64String([Security.Cryptography.SHA256]::Create().ComputeHash([IO.File]::ReadAllBytes($_.FullName))) }
    $Roots = foreach ($T in Get-L2fMockRoots) { "root=$T" }
    (@($Vpn) + @($Reg) + @($Svc) + @($Files) + @($Roots) | Sort-Object) -join "`n"
}

function Get-L2fVpn($Machine) {
    $L2fMock.Vpn[$(if ($Machine.AllUsers) { 'AllUsers' } else { $Machine.Owner })][$Machine.Name]
}

# Is the fix's setting right on the machine now?
function Test-L2fFixed([string]$Fix, $Machine) {
    switch ($Fix) {
        'mschapv2' { return ((Get-L2fVpn $Machine).AuthenticationMethod -join ',') -eq 'MSChapv2' }
        'tunnel-l2tp' { return (Get-L2fVpn $Machine).TunnelType -eq 'L2tp' }
        'switch-ikev2' { $V = Get-L2fVpn $Machine
            return ($V.TunnelType -eq 'Ikev2' -and ($V.AuthenticationMethod -join ',') -eq 'Eap' -and (Get-L2fEapMethod $V.EapConfigXmlStream) -eq '26') }
        'use-psk' { return (Get-L2fVpn $Machine).L2tpPsk -eq 'sentinel-psk-8d1' }
        'credentials' { return @([L2tpfix.RasCredentials]::Saved | Where-Object { $_ -like "*|$($Machine.Name)|sentinel-user|sentinel-pw-8d1|*" }).Count -gt 0 }
        'lcp-extensions' { return (Get-L2fPbkValue $Machine.Pbk $Machine.Name 'LcpExtensions') -eq '1' }
        'nat-traversal' { return $L2fMock.Registry[$Registry.Nat]['AssumeUDPEncapsulationContextOnSendRule'] -eq 2 }
        'allow-ipsec' { return $L2fMock.Registry[$Registry.Ipsec]['ProhibitIpSec'] -eq 0 }
        'allow-weak-crypto' { return $L2fMock.Registry[$Registry.Ipsec]['AllowL2TPWeakCrypto'] -eq 1 }
        'restart-ipsec-services' { return ($L2fMock.Services.IKEEXT.Status -eq 'Running' -and $L2fMock.Services.PolicyAgent.Status -eq 'Running') }
    }
    throw "no rule for fix $Fix"
}

# The EAP method type a profile's EAP configuration names (read apart from the scripts' own reader).
function Get-L2fEapMethod($Xml) {
    if ($null -eq $Xml) { return $null }
    $Doc = [xml]$Xml
    $Ns = New-Object System.Xml.XmlNamespaceManager $Doc.NameTable
    $Ns.AddNamespace('h', 'http://www.microsoft.com/provisioning/EapHostConfig')
    $Ns.AddNamespace('c', 'http://www.microsoft.com/provisioning/EapCommon')
    $N = $Doc.SelectSingleNode('/h:EapHostConfig/h:EapMethod/c:Type', $Ns)
    if ($N) { $N.InnerText } else { $null }
}

# A key's value in an entry's main block of a phonebook (what rasphone reads).
function Get-L2fPbkValue([string]$Pbk, [string]$Entry, [string]$Key) {
    $In = $false
    foreach ($L in [IO.File]::ReadAllLines($Pbk)) {
        if ($L -match '^\s*\[(.*)\]') { if ($In) { break }; $In = ($Matches[1] -ceq $Entry); continue }
        if ($In -and $L -match '^\s*(NETCOMPONENTS|MEDIA|DEVICE|PhoneNumber)\s*=') { break }
        if ($In -and $L -match "^\s*$Key\s*=\s*(.*?)\s*$") { return $Matches[1] }
    }
    $null
}

# Lines with their endings, so that a changed ending counts as a changed line.
function Split-L2fLines([byte[]]$Bytes) { [regex]::Split([Text.Encoding]::UTF8.GetString($Bytes), '(?<=\n)') | Where-Object { $_ -ne '' } }

# The only difference allowed: the LcpExtensions line set, or inserted (after a
# last line that had no ending, that line gains one).
function Test-L2fOnlyLcpChanged([byte[]]$Old, [byte[]]$New) {
    $A = @(Split-L2fLines $Old); $B = @(Split-L2fLines $New)
    $I = 0
    while ($I -lt $A.Count -and $I -lt $B.Count -and $A[$I] -ceq $B[$I]) { $I++ }
    if ($I -ge $B.Count) { return $false }
    $Rest = { param($X, $Y) ((@($X) -join '') -ceq (@($Y) -join '')) }
    if ($A.Count -eq $B.Count) { return ($B[$I] -match '^\s*LcpExtensions\s*=\s*1\s*$' -and (& $Rest $A[($I + 1)..($A.Count)] $B[($I + 1)..($B.Count)])) }
    if ($B.Count -ne $A.Count + 1) { return $false }
    if ($B[$I] -cmatch '^LcpExtensions=1\r?\n?$') { return (& $Rest $A[$I..($A.Count)] $B[($I + 1)..($B.Count)]) }
    # the unended last line of the block gained an ending, then the new line
    ($B[$I].TrimEnd("`r", "`n") -ceq $A[$I] -and $B[$I + 1] -cmatch '^LcpExtensions=1' -and (& $Rest $A[($I + 1)..($A.Count)] $B[($I + 2)..($B.Count)]))
}

# The parameters a script's secrets need (sentinels the tests then look for).
function Get-L2fSecretParams([string[]]$Fixes) {
    $P = @{}
    if ($Fixes -contains 'use-psk') { $P.L2tpPsk = 'sentinel-psk-8d1' }
    if ($Fixes -contains 'credentials') { $P.UserName = 'sentinel-user'; $P.Password = 'sentinel-pw-8d1' }
    $P
}

Export-ModuleMember -Function * -Variable Registry
