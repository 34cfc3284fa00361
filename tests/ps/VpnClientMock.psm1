# A stand-in for Windows' in-box VpnClient module and for the registry,
# service and whoami.exe commands the generated scripts use, for running those
# scripts off Windows. Every VpnClient cmdlet is declared from vpnclient.params
# with exactly the parameters Microsoft documents, so a script that calls a
# cmdlet Windows does not have, or passes a parameter it does not take, fails
# here as it would there. Nothing else is defined: in particular not
# Set-VpnConnectionUsernamePassword, which comes from a PowerShell Gallery
# module (VPNCredentialsHelper), not from Windows.
# State lives in $global:L2fMock (Reset-L2fMock); every call that reaches the
# mock is appended to $global:L2fMock.Calls with its bound parameters.

$TypeOf = @{
    'String' = 'string'; 'String[]' = 'string[]'; 'Int32' = 'int'; 'UInt32' = 'uint32'; 'Boolean' = 'bool'
    'SwitchParameter' = 'switch'; 'XmlDocument' = 'xml'
    'X509Certificate2' = 'System.Security.Cryptography.X509Certificates.X509Certificate2'
    # CIM types are not in PowerShell off Windows; the scripts never pass them
    'CimSession[]' = 'object[]'; 'CimInstance[]' = 'object[]'
}

function Read-VpnClientTable([string]$Path) {
    $Cmdlets = [ordered]@{}
    foreach ($Line in Get-Content -LiteralPath $Path) {
        if ($Line -match '^\s*(#|$)') { continue }
        $F = $Line.Split('|')
        if (-not $Cmdlets.Contains($F[0])) { $Cmdlets[$F[0]] = @{ Params = @(); Default = $null } }
        if ($F[1] -eq '*') { $Cmdlets[$F[0]].Default = $F[2]; continue }
        $Cmdlets[$F[0]].Params += , $F
    }
    $Cmdlets
}

# The text of one function: [CmdletBinding] with ShouldProcess where the
# reference lists WhatIf, each parameter with its sets, position and aliases.
function New-MockFunctionText([string]$Name, $Spec) {
    $Names = @($Spec.Params | ForEach-Object { $_[1] })
    $Binding = @()
    if ($Names -contains 'WhatIf') { $Binding += 'SupportsShouldProcess = $true' }
    if ($Spec.Default) { $Binding += "DefaultParameterSetName = '$($Spec.Default)'" }
    $Decl = foreach ($P in $Spec.Params) {
        if ($P[1] -eq 'WhatIf' -or $P[1] -eq 'Confirm') { continue }
        $Attrs = foreach ($Set in $P[6].Split(',')) {
            $A = @("Mandatory = `$$($P[4] -eq 'True')")
            if ($P[5] -ne 'Named') { $A += "Position = $([int]$P[5] - 1)" }
            if ($Set -ne '(All)') { $A += "ParameterSetName = '$Set'" }
            '[Parameter(' + ($A -join ', ') + ')]'
        }
        if ($P[3]) { $Attrs += '[Alias(' + (($P[3].Split(',') | ForEach-Object { "'$_'" }) -join ', ') + ')]' }
        if ($P[7]) { $Attrs += '[ValidateSet(' + (($P[7].Split(',') | ForEach-Object { "'$_'" }) -join ', ') + ')]' }
        $Type = if ($TypeOf.Contains($P[2])) { $TypeOf[$P[2]] } else { 'string' }  # the reference's enums
        ($Attrs -join ' ') + " [$Type]`$$($P[1])"
    }
    "function $Name {`n[CmdletBinding($($Binding -join ', '))]`nparam(`n" + ($Decl -join ",`n") +
    "`n)`nInvoke-VpnMock '$Name' `$PSBoundParameters `$PSCmdlet`n}"
}

function Reset-L2fMock {
    $global:L2fMock = @{
        Calls    = New-Object System.Collections.Generic.List[object]
        # who runs the script: System, Admin or User (whoami.exe answers from this)
        Identity = 'Admin'
        UserName = 'alice'
        # VPN profiles by phonebook: 'AllUsers', or the name of the user whose own phonebook it is
        Vpn      = @{ AllUsers = @{} }
        Registry = @{}
        Services = @{}
    }
    Reset-MockCertStore
}

# --- the machine's certificate stores: a Cert: drive whose stores are folders
# (Cert:\LocalMachine\Root) and whose certificates are files named by their
# thumbprint holding their DER, so that Get-Item and Remove-Item on
# Cert:\LOCATION\STORE\THUMBPRINT act on them as Windows' Certificate provider does.
function Reset-MockCertStore {
    $Base = if ($env:L2F_PS_WORK) { $env:L2F_PS_WORK } else { [IO.Path]::GetTempPath() }
    $L2fMock.CertRoot = Join-Path $Base ('certstore-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Force -Path (Join-Path $L2fMock.CertRoot 'LocalMachine/Root'),
        (Join-Path $L2fMock.CertRoot 'CurrentUser/Root') | Out-Null
    if (Get-PSDrive -Name Cert -ErrorAction SilentlyContinue) { Remove-PSDrive -Name Cert -Force -Scope Global -ErrorAction SilentlyContinue }
    New-PSDrive -Name Cert -PSProvider FileSystem -Root $L2fMock.CertRoot -Scope Global | Out-Null
}

# The store folder of a CertStoreLocation such as Cert:\LocalMachine\Root.
function Get-MockCertStoreDir([string]$Location) {
    if ($Location -notmatch '^Cert:[\\/](LocalMachine|CurrentUser)[\\/](\w+)[\\/]?$') { throw "Import-Certificate: cannot find path '$Location'." }
    $Dir = Join-Path $L2fMock.CertRoot "$($Matches[1])/$($Matches[2])"
    if (-not (Test-Path -LiteralPath $Dir)) { throw "Import-Certificate: cannot find path '$Location'." }
    # writing the machine's stores takes an elevated administrator or SYSTEM
    if ($Matches[1] -eq 'LocalMachine' -and $L2fMock.Identity -eq 'User') { throw 'Import-Certificate: Access is denied. 0x80070005 (E_ACCESSDENIED)' }
    $Dir
}

# A certificate put in a store: its DER in a file named by its thumbprint; the certificate back.
function Add-MockCert([string]$Dir, [string]$File) {
    $Cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $File
    [IO.File]::WriteAllBytes((Join-Path $Dir $Cert.Thumbprint), $Cert.RawData)
    $Cert
}

# Import-Certificate (the pki module): only the first certificate of a file that is not .sst
function Import-Certificate {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0)][Alias('FullName')][string]$FilePath, [string]$CertStoreLocation)
    if (-not $CertStoreLocation) { throw 'Import-Certificate mock: only an explicit -CertStoreLocation is simulated' }
    $Dir = Get-MockCertStoreDir $CertStoreLocation
    $Do = $PSCmdlet.ShouldProcess($CertStoreLocation, 'Import-Certificate')
    Add-MockCall 'Import-Certificate' $PSBoundParameters $Do
    if ($Do) { Add-MockCert $Dir $FilePath }
}

# Test control: a root the machine trusts already (PEM or DER file); its thumbprint.
function Add-L2fMockRoot([string]$File) { (Add-MockCert (Join-Path $L2fMock.CertRoot 'LocalMachine/Root') $File).Thumbprint }

# Test control: the thumbprints in the machine's Trusted Root store.
function Get-L2fMockRoots { @(Get-ChildItem -LiteralPath (Join-Path $L2fMock.CertRoot 'LocalMachine/Root') -File | ForEach-Object { $_.Name } | Sort-Object) }

# New-EapConfiguration's XML (the EapHostConfig format of MS-GPWL 2.2.3.2.1):
# the EAP method type of its parameter set, which the scripts read back.
$EapTypeOfSet = @{ EapMsChapv2Auth = 26; EapTlsAuth = 13; PeapAuth = 25; EapTtlsAuth = 21 }
function New-MockEapXml([int]$Type) {
    '<EapHostConfig xmlns="http://www.microsoft.com/provisioning/EapHostConfig"><EapMethod>' +
    "<Type xmlns=`"http://www.microsoft.com/provisioning/EapCommon`">$Type</Type>" +
    '<VendorId xmlns="http://www.microsoft.com/provisioning/EapCommon">0</VendorId>' +
    '<VendorType xmlns="http://www.microsoft.com/provisioning/EapCommon">0</VendorType>' +
    '<AuthorId xmlns="http://www.microsoft.com/provisioning/EapCommon">0</AuthorId></EapMethod></EapHostConfig>'
}

function Add-L2fMockVpn([string]$Phonebook, [string]$Name, [hashtable]$Settings = @{}) {
    if (-not $L2fMock.Vpn.Contains($Phonebook)) { $L2fMock.Vpn[$Phonebook] = @{} }
    $P = @{
        Name = $Name; ServerAddress = 'vpn.example.com'; AllUserConnection = ($Phonebook -eq 'AllUsers')
        Guid = '{' + [guid]::NewGuid() + '}'; TunnelType = 'Automatic'; AuthenticationMethod = @('MsChapv2')
        EncryptionLevel = 'Required'; L2tpIPsecAuth = 'Psk'; UseWinlogonCredential = $false
        EapConfigXmlStream = $null; ConnectionStatus = 'Disconnected'; RememberCredential = $false
        SplitTunneling = $false; DnsSuffix = ''; IdleDisconnectSeconds = 0; L2tpPsk = $null
    }
    foreach ($K in $Settings.Keys) { $P[$K] = $Settings[$K] }
    $L2fMock.Vpn[$Phonebook][$Name] = $P
}

function Add-MockCall([string]$Command, $Bound, [bool]$Done) {
    $Args = @{}
    foreach ($K in $Bound.Keys) { $Args[$K] = $Bound[$K] }
    $L2fMock.Calls.Add([pscustomobject]@{ Command = $Command; Args = $Args; Done = $Done })
}

# The phonebook a VpnClient call addresses: the all-users one, or the caller's own
# (SYSTEM has its own, empty: it does not see the logged-on user's profiles).
function Get-MockPhonebook($Bound) {
    $Key = if ($Bound.ContainsKey('AllUserConnection') -and $Bound.AllUserConnection) { 'AllUsers' }
    elseif ($L2fMock.Identity -eq 'System') { '(SYSTEM)' } else { $L2fMock.UserName }
    if (-not $L2fMock.Vpn.Contains($Key)) { $L2fMock.Vpn[$Key] = @{} }
    $L2fMock.Vpn[$Key]
}

function Get-MockProfile($Bound, [string]$Command) {
    $Name = if ($Bound.ContainsKey('Name')) { $Bound.Name } else { $Bound.ConnectionName }
    $Book = Get-MockPhonebook $Bound
    if (-not $Book.Contains($Name)) { throw "${Command}: the VPN connection $Name cannot be found." }
    $Book[$Name]
}

$Settable = 'ServerAddress', 'SplitTunneling', 'RememberCredential', 'TunnelType', 'L2tpPsk',
    'AuthenticationMethod', 'UseWinlogonCredential', 'EncryptionLevel', 'IdleDisconnectSeconds', 'DnsSuffix',
    'EapConfigXmlStream'

# A profile's settings from a call's parameters: switches held as booleans,
# as Get-VpnConnection shows them; a key given makes IPsec use a key.
function Set-MockSettings($P, $Bound) {
    foreach ($K in $Settable) {
        if (-not $Bound.ContainsKey($K)) { continue }
        $V = $Bound[$K]
        if ($V -is [System.Management.Automation.SwitchParameter]) { $V = $V.IsPresent }
        $P[$K] = $V
    }
    if ($Bound.ContainsKey('L2tpPsk') -and $Bound.L2tpPsk) { $P.L2tpIPsecAuth = 'Psk' }
}

# Add-VpnConnection writes the entry to the caller's phonebook file (or the
# all-users one). What Windows writes is stood in for by the first entry of
# the sample tests/pbk/user-l2tp.pbk, renamed, whose LcpExtensions=0 gives the
# script's next step something to do.
function Add-MockPbkEntry([bool]$AllUsers, [string]$Name) {
    $Dir = if ($AllUsers) { $env:ProgramData } else { $env:APPDATA }
    $Pbk = Join-Path $Dir 'Microsoft/Network/Connections/Pbk/rasphone.pbk'
    New-Item -ItemType Directory -Force -Path (Split-Path $Pbk) | Out-Null
    $Sample = [IO.File]::ReadAllText((Join-Path $env:L2F_PBK_DIR 'user-l2tp.pbk'))
    $Entry = [regex]::Match($Sample, '(?s)^\[[^\]\r\n]*\](.*?)(?=^\[|\z)', 'Multiline').Groups[1].Value
    $Before = if (Test-Path -LiteralPath $Pbk) { [IO.File]::ReadAllText($Pbk) } else { '' }
    if ($Before -and -not $Before.EndsWith("`n")) { $Before += "`r`n" }
    [IO.File]::WriteAllText($Pbk, $Before + '[' + $Name + ']' + $Entry)
}

# What the module's cmdlets do, for the ones the scripts may call; the others
# only record the call.
function Invoke-VpnMock([string]$Command, $Bound, $Cmdlet) {
    switch ($Command) {
        'Get-VpnConnection' {
            Add-MockCall $Command $Bound $true
            $Book = Get-MockPhonebook $Bound
            $Names = if ($Bound.ContainsKey('Name')) { $Bound.Name } else { @($Book.Keys) }
            foreach ($N in $Names) {
                if (-not $Book.Contains($N)) { Write-Error "Get-VpnConnection: the VPN connection $N cannot be found."; continue }
                $P = @{} + $Book[$N]
                $P.Remove('L2tpPsk')  # a saved key is never read back
                [pscustomobject]$P
            }
        }
        'Set-VpnConnection' {
            $P = Get-MockProfile $Bound $Command
            $Do = $Cmdlet.ShouldProcess($P.Name, $Command)
            Add-MockCall $Command $Bound $Do
            if ($Do) { Set-MockSettings $P $Bound }
        }
        'Add-VpnConnection' {
            $Do = $Cmdlet.ShouldProcess($Bound.Name, $Command)
            Add-MockCall $Command $Bound $Do
            if ($Do) {
                $All = $Bound.ContainsKey('AllUserConnection') -and $Bound.AllUserConnection
                $Book = if ($All) { 'AllUsers' } elseif ($L2fMock.Identity -eq 'System') { '(SYSTEM)' } else { $L2fMock.UserName }
                if ((Get-MockPhonebook $Bound).Contains($Bound.Name)) { throw "Add-VpnConnection: a VPN connection named $($Bound.Name) already exists." }
                Add-L2fMockVpn $Book $Bound.Name @{ RememberCredential = $false; L2tpIPsecAuth = 'Certificate' }
                Set-MockSettings $L2fMock.Vpn[$Book][$Bound.Name] $Bound
                Add-MockPbkEntry $All $Bound.Name
            }
        }
        'New-EapConfiguration' {
            # the WMI class's EapConfigXmlStream is a string (EapConfiguration class)
            $Do = $Cmdlet.ShouldProcess('EAP configuration', $Command)
            Add-MockCall $Command $Bound $Do
            if ($Do) { [pscustomobject]@{ EapConfigXmlStream = (New-MockEapXml $EapTypeOfSet[$Cmdlet.ParameterSetName]) } }
        }
        'Remove-VpnConnection' {
            $P = Get-MockProfile $Bound $Command
            $Do = $Cmdlet.ShouldProcess($P.Name, $Command)
            Add-MockCall $Command $Bound $Do
            if ($Do) { (Get-MockPhonebook $Bound).Remove($P.Name) }
        }
        default {
            $Do = if ($Cmdlet.MyInvocation.MyCommand.Parameters.ContainsKey('WhatIf')) { $Cmdlet.ShouldProcess($Command) } else { $true }
            Add-MockCall $Command $Bound $Do
        }
    }
}

$Table = Read-VpnClientTable (Join-Path $PSScriptRoot 'vpnclient.params')
foreach ($Name in $Table.Keys) { . ([scriptblock]::Create((New-MockFunctionText $Name $Table[$Name]))) }

# --- the registry (HKLM: only), services and whoami.exe, with the parameters the scripts use

function Test-MockRegistryPath([string]$Path) {
    if ($Path -notmatch '^HKLM:\\') { throw "registry mock: only HKLM:\ paths are simulated, not $Path" }
}

function Get-ItemProperty {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Path, [Parameter(Position = 1)][string[]]$Name)
    Add-MockCall 'Get-ItemProperty' $PSBoundParameters $true
    foreach ($P in $Path) {
        Test-MockRegistryPath $P
        if (-not $L2fMock.Registry.Contains($P)) { Write-Error "Cannot find path '$P' because it does not exist."; continue }
        $Values = $L2fMock.Registry[$P]
        $Want = if ($Name) { @($Name | Where-Object { $Values.Contains($_) }) } else { @($Values.Keys) }
        if ($Name -and $Want.Count -lt $Name.Count) { Write-Error "Property $($Name -join ',') does not exist at path $P."; continue }
        $O = [ordered]@{}
        foreach ($K in $Want) { $O[$K] = $Values[$K] }
        [pscustomobject]$O
    }
}

function Set-MockRegistryValue($Bound, [string]$Command, [object]$Cmdlet, [bool]$MustBeNew) {
    Test-MockRegistryPath $Bound.Path
    if (-not $L2fMock.Registry.Contains($Bound.Path)) { throw "Cannot find path '$($Bound.Path)' because it does not exist." }
    $Key = $L2fMock.Registry[$Bound.Path]
    if ($MustBeNew -and $Key.Contains($Bound.Name) -and -not $Bound.Force) { throw "The property already exists." }
    $Do = $Cmdlet.ShouldProcess($Bound.Path, $Command)
    Add-MockCall $Command $Bound $Do
    if ($Do) { $Key[$Bound.Name] = $Bound.Value }
}

function New-ItemProperty {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(Mandatory = $true)][string]$Name,
        [ValidateSet('String', 'ExpandString', 'Binary', 'DWord', 'MultiString', 'QWord')][string]$PropertyType,
        [object]$Value, [switch]$Force)
    Set-MockRegistryValue $PSBoundParameters 'New-ItemProperty' $PSCmdlet $true
}

function Set-ItemProperty {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Path, [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Position = 2)][object]$Value, [ValidateSet('String', 'ExpandString', 'Binary', 'DWord', 'MultiString', 'QWord')][string]$Type,
        [switch]$Force)
    Set-MockRegistryValue $PSBoundParameters 'Set-ItemProperty' $PSCmdlet $false
}

function Get-Service {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name)
    Add-MockCall 'Get-Service' $PSBoundParameters $true
    foreach ($N in $Name) {
        if (-not $L2fMock.Services.Contains($N)) { Write-Error "Cannot find any service with service name '$N'."; continue }
        $S = $L2fMock.Services[$N]
        [pscustomobject]@{ Name = $N; Status = $S.Status; StartType = $S.StartType }
    }
}

function Get-MockService([string]$Name) {
    if (-not $L2fMock.Services.Contains($Name)) { throw "Cannot find any service with service name '$Name'." }
    $L2fMock.Services[$Name]
}

function Start-Service {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name)
    foreach ($N in $Name) {
        $S = Get-MockService $N
        if ($S.StartType -eq 'Disabled') { throw "Service '$N' cannot be started because it is disabled." }
        $Do = $PSCmdlet.ShouldProcess($N, 'Start-Service')
        Add-MockCall 'Start-Service' @{ Name = $N } $Do
        if ($Do) { $S.Status = 'Running' }
    }
}

function Restart-Service {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0)][string[]]$Name, [switch]$Force)
    foreach ($N in $Name) {
        $S = Get-MockService $N
        if ($S.StartType -eq 'Disabled') { throw "Service '$N' cannot be started because it is disabled." }
        $Do = $PSCmdlet.ShouldProcess($N, 'Restart-Service')
        Add-MockCall 'Restart-Service' @{ Name = $N } $Do
        if ($Do) { $S.Status = 'Running' }
    }
}

function Set-Service {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0)][string]$Name,
        [ValidateSet('Automatic', 'Manual', 'Disabled', 'AutomaticDelayedStart')][string]$StartupType)
    $S = Get-MockService $Name
    $Do = $PSCmdlet.ShouldProcess($Name, 'Set-Service')
    Add-MockCall 'Set-Service' $PSBoundParameters $Do
    if ($Do -and $StartupType) { $S.StartType = $StartupType }
}

# reg.exe export KEY FILE /y: the key's simulated values written to FILE
function reg.exe {
    Add-MockCall 'reg.exe' @{ Args = $args } $true
    if ($args.Count -lt 3 -or $args[0] -ne 'export') { throw "reg.exe mock: only 'export KEY FILE /y' is simulated" }
    $Key = 'HKLM:\' + ($args[1] -replace '^HKLM\\', '')
    if (-not $L2fMock.Registry.Contains($Key)) { $global:LASTEXITCODE = 1; return }
    $Lines = @('Windows Registry Editor Version 5.00', '', "[$($args[1])]")
    foreach ($K in $L2fMock.Registry[$Key].Keys) { $Lines += ('"{0}"=dword:{1:x8}' -f $K, $L2fMock.Registry[$Key][$K]) }
    Set-Content -LiteralPath $args[2] -Value $Lines
    $global:LASTEXITCODE = 0
}

# whoami.exe /user /fo csv /nh and /groups /fo csv /nh, as Windows prints them:
# SYSTEM is S-1-5-18 at the System mandatory level, an elevated administrator
# is at High (S-1-16-12288), a user at Medium (S-1-16-8192).
function whoami.exe {
    Add-MockCall 'whoami.exe' @{ Args = $args } $true
    $Sid = if ($L2fMock.Identity -eq 'System') { 'S-1-5-18' } else { 'S-1-5-21-1-2-3-1001' }
    $Who = if ($L2fMock.Identity -eq 'System') { 'nt authority\system' } else { "desk\$($L2fMock.UserName)" }
    $Level = @{ System = 'S-1-16-16384'; Admin = 'S-1-16-12288'; User = 'S-1-16-8192' }[$L2fMock.Identity]
    $global:LASTEXITCODE = 0
    if ($args -contains '/user') { return "`"$Who`",`"$Sid`"" }
    if ($args -contains '/groups') {
        '"Everyone","Well-known group","S-1-1-0","Mandatory group, Enabled by default, Enabled group"'
        if ($L2fMock.Identity -eq 'Admin') { '"BUILTIN\Administrators","Alias","S-1-5-32-544","Mandatory group, Enabled by default, Enabled group, Group owner"' }
        "`"Mandatory Label\Level`",`"Label`",`"$Level`",`"`""
        return
    }
    throw 'whoami.exe mock: only /user and /groups are simulated'
}

Reset-L2fMock
# the module's cmdlets, the system commands simulated, and the test's controls: nothing else
Export-ModuleMember -Function (@($Table.Keys) + 'Get-ItemProperty', 'Set-ItemProperty', 'New-ItemProperty',
    'Get-Service', 'Start-Service', 'Restart-Service', 'Set-Service', 'reg.exe', 'whoami.exe',
    'Reset-L2fMock', 'Add-L2fMockVpn', 'Import-Certificate', 'Add-L2fMockRoot', 'Get-L2fMockRoots')
